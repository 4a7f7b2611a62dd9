// An event's date and time, always in the event's time zone (the venue's, `zona_horaria`
// from the API), never in the reader's: a 21:00 concert in Lima reads 21:00 in a browser
// set to UTC or to Madrid too. When the event's zone is not the browser's, the zone is said
// after the time, "(hora de Lima)", so nobody takes it for their own clock.
//
// Every place that shows when an event is goes through formatFechaEvento (lists, the event
// page, "Mis reservas", a reservation, the organizer's pages); the organizer's summary
// before publishing, which has a local date-time as typed and a zone, through
// formatFechaLocal. Timestamps that are not an event's time (when a reservation was made,
// a notification) stay in the reader's zone: src/format.ts.

/** The zone the API reads an event in when it names none; the platform is Peruvian. */
export const ZONA_DEFECTO = 'America/Lima';

/** Zones the organizer picks from (with the browser's own added when it is not here). */
export const ZONAS: readonly { id: string; nombre: string }[] = [
  { id: 'America/Lima', nombre: 'Lima (Perú)' },
  { id: 'America/Bogota', nombre: 'Bogotá (Colombia)' },
  { id: 'America/Guayaquil', nombre: 'Guayaquil (Ecuador)' },
  { id: 'America/La_Paz', nombre: 'La Paz (Bolivia)' },
  { id: 'America/Santiago', nombre: 'Santiago (Chile)' },
  { id: 'America/Argentina/Buenos_Aires', nombre: 'Buenos Aires (Argentina)' },
  { id: 'America/Sao_Paulo', nombre: 'São Paulo (Brasil)' },
  { id: 'America/Caracas', nombre: 'Caracas (Venezuela)' },
  { id: 'America/Mexico_City', nombre: 'Ciudad de México (México)' },
  { id: 'America/New_York', nombre: 'Nueva York (EE. UU.)' },
  { id: 'Europe/Madrid', nombre: 'Madrid (España)' },
  { id: 'UTC', nombre: 'UTC' },
];

/** Cities whose Spanish name is not the IANA one, for "(hora de …)". */
const CIUDADES: Record<string, string> = {
  'America/Bogota': 'Bogotá',
  'America/Sao_Paulo': 'São Paulo',
  'America/Mexico_City': 'Ciudad de México',
  'America/New_York': 'Nueva York',
  'America/Los_Angeles': 'Los Ángeles',
  'Europe/London': 'Londres',
  'Europe/Paris': 'París',
  'Europe/Berlin': 'Berlín',
  'Europe/Rome': 'Roma',
  'Europe/Lisbon': 'Lisboa',
  'Asia/Tokyo': 'Tokio',
};

// The format every event date has: "sábado, 14 de marzo de 2031, 21:00".
const OPCIONES: Intl.DateTimeFormatOptions = {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
};

const formatos = new Map<string, Intl.DateTimeFormat>();

/** The long Spanish format in `zona`; undefined when this browser does not know the zone. */
function formato(zona: string): Intl.DateTimeFormat | undefined {
  let f = formatos.get(zona);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('es-PE', { ...OPCIONES, timeZone: zona });
    } catch {
      return undefined; // RangeError: not an IANA zone this browser knows
    }
    formatos.set(zona, f);
  }
  return f;
}

/** The browser's own time zone ("America/Lima", "UTC"). */
export function zonaNavegador(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The zone's canonical name, so that aliases ("Etc/UTC" and "UTC") compare equal. */
function canonica(zona: string): string | undefined {
  return formato(zona)?.resolvedOptions().timeZone;
}

/** Whether two zone names are the same zone. */
export function mismaZona(a: string, b: string): boolean {
  if (a === b) return true;
  const ca = canonica(a);
  return ca !== undefined && ca === canonica(b);
}

/** A zone in words, for "(hora de …)": "America/Lima" → "Lima", "America/New_York" → "Nueva York". */
export function nombreZona(zona: string): string {
  const conocida = CIUDADES[zona] ?? CIUDADES[canonica(zona) ?? ''];
  if (conocida) return conocida;
  // Etc/GMT+5 and the like name no place: said as they are.
  if (!zona.includes('/') || zona.startsWith('Etc/')) return zona === 'Etc/UTC' ? 'UTC' : zona;
  return zona.slice(zona.lastIndexOf('/') + 1).replace(/_/g, ' ');
}

/** "(hora de Lima)", "(hora UTC)". */
export function sufijoZona(zona: string): string {
  const n = nombreZona(zona);
  return n.includes('/') || /^(UTC|GMT)\b/.test(n) ? `(hora ${n})` : `(hora de ${n})`;
}

/** What an event's date is read from: the API's `fecha` (RFC 3339) and `zona_horaria`. */
export interface FechaDeEvento {
  fecha: string;
  /** IANA name; absent in data older than the field (read in the browser's zone then). */
  zona_horaria?: string | null;
}

/**
 * An event's date in its own zone: "sábado, 14 de marzo de 2031, 21:00", and, when the
 * reader's browser is in another zone, " (hora de Lima)" after it. `navegador` is the
 * reader's zone (the browser's unless a test says). A `fecha` that is no date is shown as
 * it came; an unknown or missing zone falls back to the browser's, with no suffix.
 */
export function formatFechaEvento(evento: FechaDeEvento, navegador: string = zonaNavegador()): string {
  const d = new Date(evento.fecha);
  if (Number.isNaN(d.getTime())) return evento.fecha;
  const zona = evento.zona_horaria?.trim();
  const delEvento = zona ? formato(zona) : undefined;
  if (zona && delEvento) {
    const texto = delEvento.format(d);
    return mismaZona(zona, navegador) ? texto : `${texto} ${sufijoZona(zona)}`;
  }
  return (formato(navegador) ?? new Intl.DateTimeFormat('es-PE', OPCIONES)).format(d);
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?$/;

/** The wall-clock parts of a datetime-local value, or undefined when it is none. */
function partesLocales(valor: string): Date | undefined {
  const m = LOCAL.exec(valor.trim());
  if (!m) return undefined;
  const [a, mes, dia, h, min, s] = m.slice(1).map((x) => Number(x ?? 0));
  const d = new Date(Date.UTC(a, mes - 1, dia, h, min, s));
  // 2031-02-30 and 25:00 are not dates: Date.UTC would roll them over.
  const igual =
    d.getUTCFullYear() === a && d.getUTCMonth() === mes - 1 && d.getUTCDate() === dia && d.getUTCHours() === h && d.getUTCMinutes() === min;
  return igual ? d : undefined;
}

/**
 * A `<input type="datetime-local">` value ("2031-03-14T21:00"), as typed, when it is a
 * local date-time; null otherwise. The API reads it in the event's zone, so it is sent
 * with no offset and no conversion to the browser's.
 */
export function fechaLocal(valor: string): string | null {
  return valor && partesLocales(valor) ? valor.trim() : null;
}

/**
 * A local date-time as typed, in `zona`, always with the zone (the organizer confirms
 * both): "viernes, 14 de marzo de 2031, 21:00 (hora de Lima)". Whether that hour exists
 * there (a DST gap) is the API's to say.
 */
export function formatFechaLocal(valor: string, zona: string): string {
  const d = partesLocales(valor);
  // The wall-clock parts formatted in UTC are those same parts, in words.
  return d ? `${formato('UTC')!.format(d)} ${sufijoZona(zona)}` : valor;
}
