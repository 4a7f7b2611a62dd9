// Formatting for prices (integer céntimos), timestamps and durations. One price format
// everywhere: S/ 1,500.00. Reading a typed price is src/precio.ts; counts, src/plural.ts;
// an event's date and time, in the event's zone, src/fecha.ts.

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

const fechaCorta = new Intl.DateTimeFormat('es-PE', {
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/**
 * A timestamp for lists and logs, in the reader's time zone: "24/11/2026, 20:47:41". Not
 * for when an event is: that is formatFechaEvento (src/fecha.ts), in the event's zone.
 */
export function formatFechaCorta(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : fechaCorta.format(d);
}

/**
 * A SAGA step's duration. The API counts whole milliseconds, so most steps of a local
 * run are 0: that reads "< 1 ms", not a step that took no time.
 */
export function formatDuracion(ms: number): string {
  if (!(ms >= 1)) return '< 1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * A ticket code in groups of four for reading aloud or typing at the door:
 * "7K2QX9M4TB" → ["7K2Q", "X9M4", "TB"].
 */
export function gruposCodigo(codigo: string): string[] {
  return codigo.match(/.{1,4}/g) ?? [];
}

/**
 * A ticket code spelled for a screen reader, a character at a time with a pause between
 * groups: "7K2QX9M4TB" → "7 K 2 Q, X 9 M 4, T B" (read whole, "7K2Q" is a word).
 */
export function deletrearCodigo(codigo: string): string {
  return gruposCodigo(codigo)
    .map((g) => g.split('').join(' '))
    .join(', ');
}
