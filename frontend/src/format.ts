// Formatting for prices (integer céntimos) and dates. One format everywhere: S/ 1,500.00.

/** 15000 → "S/ 150.00"; 150000000 → "S/ 1,500,000.00". */
export function formatPrecio(centimos: number): string {
  const neg = centimos < 0;
  const abs = Math.abs(Math.round(centimos));
  const soles = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cent = (abs % 100).toString().padStart(2, '0');
  return `${neg ? '-' : ''}S/ ${soles}.${cent}`;
}

/** "150", "150.5", "150.50" or "1,500.00" soles → céntimos; null when not a valid amount. */
export function parsePrecio(texto: string): number | null {
  const t = texto.trim().replace(/^S\/\s*/i, '').replace(/,/g, '');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  const [ent, dec = ''] = t.split('.');
  return Number(ent) * 100 + Number(dec.padEnd(2, '0'));
}

const fechaLarga = new Intl.DateTimeFormat('es-PE', {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const fechaCorta = new Intl.DateTimeFormat('es-PE', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** An event's date, in the reader's time zone: "sábado, 14 de marzo de 2027, 16:00". */
export function formatFecha(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : fechaLarga.format(d);
}

/** A timestamp for lists and logs: "24/11/2026, 20:47:41". */
export function formatFechaCorta(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : fechaCorta.format(d);
}

export function entradas(n: number): string {
  return n === 1 ? '1 entrada' : `${n} entradas`;
}
