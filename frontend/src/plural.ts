// Every count the UI shows, in Spanish that agrees in number: "1 disponible", "2 entradas",
// "Solo queda 1 entrada". One helper picks the form, Intl.PluralRules('es'), so no call
// site writes its own `n === 1 ? … : …` (that is how "Solo quedan 1 entrada" happened).
// A new counted word gets its forms here, next to the others.

const reglas = new Intl.PluralRules('es');

/**
 * The forms of a word or phrase. CLDR's Spanish also has `many` (exact millions, as in
 * "1 millón de entradas"); written with digits, "1000000 entradas" takes `other`.
 */
export interface Formas {
  one: string;
  other: string;
}

/** Just the form for `n`: forma(1, VERBO_QUEDAR) → "queda". */
export function forma(n: number, formas: Formas): string {
  return reglas.select(n) === 'one' ? formas.one : formas.other;
}

/** `n` and its form: plural(2, ENTRADA) → "2 entradas". */
export function plural(n: number, formas: Formas): string {
  return `${n} ${forma(n, formas)}`;
}

const ENTRADA: Formas = { one: 'entrada', other: 'entradas' };
const DISPONIBLE: Formas = { one: 'disponible', other: 'disponibles' };
const QUEDA: Formas = { one: 'queda', other: 'quedan' };

/** "1 entrada", "2 entradas", "0 entradas". */
export const entradas = (n: number) => plural(n, ENTRADA);

/** "1 disponible", "2 disponibles", "0 disponibles". */
export const disponibles = (n: number) => plural(n, DISPONIBLE);

/** "Solo queda 1 entrada", "Solo quedan 2 entradas"; 0: "No queda ninguna entrada". */
export function soloQuedan(n: number): string {
  return n <= 0 ? 'No queda ninguna entrada' : `Solo ${forma(n, QUEDA)} ${entradas(n)}`;
}

/** At or below this many left, a zone says "Solo quedan …" instead of "… disponibles". */
export const POCAS_ENTRADAS = 5;

/**
 * A zone's availability for the buyer: "Agotado" only at 0, "Solo queda 1 entrada" when
 * few are left, else "120 disponibles".
 */
export function disponibilidad(n: number): string {
  if (n <= 0) return 'Agotado';
  return n <= POCAS_ENTRADAS ? soloQuedan(n) : disponibles(n);
}

/** "1 entrada retenida", "2 entradas retenidas". */
export const retenidas = (n: number) => `${entradas(n)} ${forma(n, { one: 'retenida', other: 'retenidas' })}`;

/** "1 entrada volvió a la venta", "2 entradas volvieron a la venta". */
export const vuelvenALaVenta = (n: number) =>
  `${entradas(n)} ${forma(n, { one: 'volvió', other: 'volvieron' })} a la venta`;

/** A link to a reservation's tickets: "Ver tu entrada", "Ver tus 2 entradas". */
export const verEntradas = (n: number) => forma(n, { one: 'Ver tu entrada', other: `Ver tus ${entradas(n)}` });

/** "1 reserva", "2 reservas". */
export const reservas = (n: number) => plural(n, { one: 'reserva', other: 'reservas' });

/** "1 notificación", "2 notificaciones". */
export const notificaciones = (n: number) => plural(n, { one: 'notificación', other: 'notificaciones' });

/** "1 intento fallido", "2 intentos fallidos". */
export const intentosFallidos = (n: number) => plural(n, { one: 'intento fallido', other: 'intentos fallidos' });

/** "Te queda 1 intento", "Te quedan 4 intentos". */
export const teQuedanIntentos = (n: number) => `Te ${forma(n, QUEDA)} ${plural(n, { one: 'intento', other: 'intentos' })}`;

/** "1 discrepancia", "2 discrepancias". */
export const discrepancias = (n: number) => plural(n, { one: 'discrepancia', other: 'discrepancias' });

/** Failed purchases, folded in "Mis reservas": "1 intento de compra que no se completó". */
export const intentosNoCompletados = (n: number) =>
  `${plural(n, { one: 'intento de compra', other: 'intentos de compra' })} que ${forma(n, { one: 'no se completó', other: 'no se completaron' })}`;

/** Before a cancellation: "la entrada volverá a la venta", "las 2 entradas volverán a la venta". */
export const volveranALaVenta = (n: number) =>
  forma(n, { one: 'la entrada volverá a la venta', other: `las ${n} entradas volverán a la venta` });
