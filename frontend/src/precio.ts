// Reading a price the organizer types in soles into céntimos. In Peru both "80.50" and
// "80,50" are written, and "1,234.50" as well as "1.234,50"; a wrong guess publishes a
// price 100 times off (the old reader took "80,50" for S/ 8,050.00). So the rule is strict,
// and what it cannot tell apart is refused with a message, never guessed:
//
//   1. Decimal part: the LAST separator ("." or ",") is the decimal one when exactly 1 or
//      2 digits follow it to the end: 80,50 · 80.5 · 1234,50.
//   2. Thousands: only the OTHER separator, only together with a decimal part (rule 1),
//      and in groups of exactly 3 digits: 1.234,50 · 1,234.50 · 1.234.567,00.
//   3. Anything else is refused. In particular "1.234" or "1,234" alone (one separator
//      and 3 digits, no decimal part) could mean 1234 or a decimal: ambiguous, so the
//      organizer is asked to write "1234" or "1234,00".
//
// Digits only otherwise (an optional "S/" in front and surrounding spaces are fine).

export type LecturaPrecio = { ok: true; centimos: number } | { ok: false; error: string };

export const PRECIO_VACIO = 'escribe el precio en soles, p. ej. 80,50';
export const PRECIO_INVALIDO = 'escribe un importe en soles, p. ej. 150, 80,50 o 1.234,50';

const malo = (error: string): LecturaPrecio => ({ ok: false, error });

/** The price in `texto` (soles) as céntimos, or why it cannot be read (in Spanish). */
export function leerPrecio(texto: string): LecturaPrecio {
  const t = texto.trim().replace(/^S\/\.?\s*/i, '');
  if (!t) return malo(PRECIO_VACIO);
  if (!/^\d[\d.,]*$/.test(t)) return malo(PRECIO_INVALIDO);

  // Rule 1: the decimal part, if any.
  const d = /([.,])(\d{1,2})$/.exec(t);
  const separadorDecimal = d?.[1];
  const decimales = d?.[2] ?? '';
  const entero = d ? t.slice(0, d.index) : t;

  let digitos: string;
  if (/^\d+$/.test(entero)) {
    digitos = entero;
  } else if (separadorDecimal) {
    // Rule 2: thousands with the other separator only.
    const miles = separadorDecimal === '.' ? ',' : '.';
    const agrupado = new RegExp(`^\\d{1,3}(\\${miles}\\d{3})+$`);
    if (!agrupado.test(entero)) return malo(PRECIO_INVALIDO);
    digitos = entero.split(miles).join('');
  } else if (/^\d{1,3}[.,]\d{3}$/.test(entero)) {
    // Rule 3: "1.234" / "1,234".
    const juntos = entero.replace(/[.,]/, '');
    return malo(`no queda claro si «${t}» lleva separador de miles o decimales: escribe ${juntos} o ${juntos},00`);
  } else if (/^\d{1,3}([.,])\d{3}(\1\d{3})+$/.test(entero)) {
    // Thousands without a decimal part: clear enough to a person, but not by rule 2.
    const decimal = entero.includes('.') ? ',' : '.';
    const juntos = entero.replace(/[.,]/g, '');
    return malo(`con separador de miles escribe también los céntimos (${t}${decimal}00), o escríbelo sin separador: ${juntos}`);
  } else {
    return malo(PRECIO_INVALIDO);
  }

  const centimos = Number(digitos) * 100 + Number(decimales.padEnd(2, '0'));
  if (!Number.isSafeInteger(centimos)) return malo('el importe es demasiado grande');
  return { ok: true, centimos };
}

/** The céntimos of `texto`, or null when {@link leerPrecio} refuses it. */
export function parsePrecio(texto: string): number | null {
  const l = leerPrecio(texto);
  return l.ok ? l.centimos : null;
}
