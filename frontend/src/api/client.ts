// The one HTTP client of the UI. Relative URLs: the launcher's UI port (and the Vite dev
// server, through it) proxy /api/... to the right service. Every non-2xx answer becomes an
// ApiError carrying the problem+json body and a plain-Spanish message.
//
// Sessions live in HttpOnly cookies the launcher's proxy sets on sign-in (src/ui/sesion.rs
// in the launcher): this page never holds a session token. The proxy sends the buyer's
// cookie as the bearer credential of every request, or the organizer's when the request
// says `X-Sesion: organizador` (the organizer's calls; the same person may be both). So
// the proxy's CSRF check sees this page's origin, every request goes with
// `referrerPolicy: 'origin'`: under the pages' `Referrer-Policy: no-referrer` the Fetch
// standard has a same-origin POST say `Origin: null`, which the proxy refuses (Chromium
// sends the real origin anyway; a browser that follows the standard to the letter would not).
//
// A guest has no session: what opens a guest's reservation is its `secreto`, which the
// answer of `POST /api/reservar` carries once. The client keeps it in memory, by
// reservation id (never in storage), and sends it as `X-Reserva-Secreto` on every read
// and cancellation of that reservation.
import type {
  Admision,
  Bitacora,
  Conflictos,
  EntradaCancelada,
  EntradaRespuesta,
  EntradaTransferida,
  EscaneoLote,
  ListaIngresos,
  NuevoStaff,
  PedidoIngreso,
  ReenvioSolicitado,
  ResultadoLote,
  Staff,
  CodigoSolicitado,
  Credenciales,
  Evento,
  Informe,
  NuevoEvento,
  NuevaPassword,
  NuevoUsuario,
  PaginaEventos,
  PaginaNotificaciones,
  PaginaReservas,
  PasswordFijada,
  Problem,
  PropositoCodigo,
  Reserva,
  RolSesion,
  SesionActual,
  SesionIniciada,
  SesionOrganizadorIniciada,
  SolicitudReserva,
  Usuario,
} from './types';
import { mensajeError, slug } from './messages';

export class ApiError extends Error {
  readonly problem: Problem;
  readonly status: number;

  constructor(problem: Problem) {
    super(mensajeError(problem));
    this.name = 'ApiError';
    this.problem = problem;
    this.status = problem.status;
  }

  /** The validation message for one field, by the name the API gives it. */
  campo(nombre: string): string | undefined {
    return this.problem.errors?.find((e) => e.campo === nombre)?.mensaje;
  }
}

/** Any thrown value as an ApiError (network failures and bugs included). */
export function comoApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof DOMException && e.name === 'AbortError') {
    return new ApiError({ type: 'urn:eventflow:problem:cancelada', title: 'Cancelada', status: 0, detail: 'Solicitud cancelada' });
  }
  return new ApiError({
    type: 'urn:eventflow:problem:red',
    title: 'Sin conexión',
    status: 0,
    detail: e instanceof Error ? e.message : String(e),
  });
}

/** The API's 422 for one field, for what a form checks before sending. */
export function errorDeCampo(campo: string, mensaje: string): ApiError {
  return new ApiError({
    type: 'urn:eventflow:problem:validacion',
    title: 'Datos inválidos',
    status: 422,
    errors: [{ campo, mensaje }],
  });
}

/** A fresh v4 UUID: crypto.randomUUID where the page is a secure context, else built by hand. */
export function nuevaClave(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Whether this page believes a buyer is signed in (src/sesion.tsx), and which sign-in
// that is: a late 401 for an older session must not end a newer one.
let sesionAbierta = false;
let generacion = 0;
let alInvalidarse: (() => void) | null = null;

/** The buyer's session opened (true) or ended (false) on this page. */
export function usarSesion(abierta: boolean) {
  sesionAbierta = abierta;
  generacion += 1;
}

/**
 * Called once when an answer says the buyer's session is no longer valid (401
 * `sesion-invalida`: expired or revoked); the client already counts it as ended.
 */
export function alSesionInvalida(fn: (() => void) | null) {
  alInvalidarse = fn;
}

/**
 * The session cookie the proxy sets for each role's sign-in: door staff's session lives in
 * the organizer's (src/ui/sesion.rs). By name, so a role the documents add is no type error.
 */
const PISTAS: Record<string, string> = {
  comprador: 'eventflow_hay_sesion',
  organizador: 'eventflow_hay_sesion_organizador',
  staff: 'eventflow_hay_sesion_organizador',
};

/**
 * Whether this browser holds a session cookie for `rol`: the proxy sets a readable
 * `…hay_sesion…=1` beside the HttpOnly one (which holds the token and which no script
 * can read), so a visitor who never signed in is not asked "who am I?" for nothing.
 */
export function hayCookieDeSesion(rol: RolSesion): boolean {
  try {
    return document.cookie.split(';').some((c) => c.trim() === `${PISTAS[rol]}=1`);
  } catch {
    return false;
  }
}

/** The header that makes the proxy use the organizer's session cookie. */
const ORGANIZADOR = { 'x-sesion': 'organizador' } as const;

// Each guest reservation's secret, by reservation id: memory only (see above).
const secretos = new Map<string, string>();

/** Remembers the secret that opens reservation `id` (from a booking's answer or a link). */
export function recordarSecreto(id: string, secreto: string) {
  if (id && secreto) secretos.set(id, secreto);
}

/** The secret of reservation `id` this page knows, if any. */
export function secretoDe(id: string): string | undefined {
  return secretos.get(id);
}

/** Forgets every reservation secret (tests; nothing else needs to). */
export function olvidarSecretos() {
  secretos.clear();
  secretosEntrada.clear();
}

/** `X-Reserva-Secreto` for reservation `id`: the given secret, else the remembered one. */
function conSecreto(id: string, secreto?: string): Record<string, string> {
  const s = secreto ?? secretos.get(id);
  return s ? { 'x-reserva-secreto': s } : {};
}

// The secret a transferred ticket's new holder got (`/entradas/{codigo}?s=`), by code:
// memory only, like the reservations'.
const secretosEntrada = new Map<string, string>();

/** Remembers the secret that opens ticket `codigo` (from its link). */
export function recordarSecretoEntrada(codigo: string, secreto: string) {
  if (codigo && secreto) secretosEntrada.set(codigo, secreto);
}

/** The ticket's own secret when known, else the reservation's (`reservaId`), as headers. */
function credencialEntrada(codigo: string, reservaId?: string): Record<string, string> {
  const s = secretosEntrada.get(codigo);
  if (s) return { 'x-entrada-secreto': s };
  return reservaId ? conSecreto(reservaId) : {};
}

/** Whether this page can read reservation `id`: signed in, or it knows its secret. */
export function puedeLeerReserva(id: string): boolean {
  return sesionAbierta || secretos.has(id);
}

interface Opciones {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date. */
function segundosRetryAfter(res: Response): number | undefined {
  const v = res.headers.get('retry-after')?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const en = Date.parse(v);
  return Number.isNaN(en) ? undefined : Math.max(0, Math.ceil((en - Date.now()) / 1000));
}

async function problemDe(res: Response): Promise<Problem> {
  const p = await cuerpoProblem(res);
  const espera = segundosRetryAfter(res);
  return espera === undefined ? p : { ...p, reintentar_en: espera };
}

async function cuerpoProblem(res: Response): Promise<Problem> {
  const tipo = res.headers.get('content-type') ?? '';
  if (tipo.includes('json')) {
    try {
      // Narrow cast, on purpose: a problem+json body's members vary by endpoint and failure,
      // which the OpenAPI documents do not express (see Problem in ./types); the three
      // members every problem needs are checked just below.
      const body = (await res.json()) as Partial<Problem>;
      if (body && typeof body === 'object') {
        return {
          ...body,
          type: typeof body.type === 'string' ? body.type : `urn:eventflow:problem:http-${res.status}`,
          title: typeof body.title === 'string' ? body.title : res.statusText,
          status: typeof body.status === 'number' ? body.status : res.status,
        };
      }
    } catch {
      // not JSON after all: fall through
    }
  }
  return {
    type: res.status >= 500 ? 'urn:eventflow:problem:error-servidor' : `urn:eventflow:problem:http-${res.status}`,
    title: res.statusText || 'Error',
    status: res.status,
    detail: `El servidor respondió ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`,
  };
}

export async function request<T>(method: string, url: string, op: Opciones = {}): Promise<T> {
  const res = await enviar(method, url, { ...op, headers: { accept: 'application/json', ...op.headers } });
  if (res.status === 204) return undefined as T;
  try {
    return (await res.json()) as T;
  } catch (e) {
    throw comoApiError(e);
  }
}

/** A GET whose answer is text of its own type (an SVG), not JSON; failures as `request`'s. */
async function texto(url: string, accept: string, op: Opciones = {}): Promise<string> {
  const res = await enviar('GET', url, { ...op, headers: { accept, ...op.headers } });
  try {
    return await res.text();
  } catch (e) {
    throw comoApiError(e);
  }
}

/** A GET whose answer is a file (a PDF, an .ics), as a Blob; failures as `request`'s. */
async function binario(url: string, accept: string, op: Opciones = {}): Promise<Blob> {
  const res = await enviar('GET', url, { ...op, headers: { accept, ...op.headers } });
  try {
    return await res.blob();
  } catch (e) {
    throw comoApiError(e);
  }
}

/** Sends one request; a 2xx answer back, anything else thrown as an ApiError. */
async function enviar(method: string, url: string, op: Opciones): Promise<Response> {
  const headers: Record<string, string> = { ...op.headers };
  // Sent with the buyer's cookie: no credential of its own, not the organizer's.
  const delComprador = headers.authorization === undefined && headers['x-sesion'] === undefined;
  const deSesion = delComprador && sesionAbierta ? generacion : undefined;
  let body: string | undefined;
  if (op.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(op.body);
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body,
      signal: op.signal,
      credentials: 'same-origin',
      referrerPolicy: 'origin',
    });
  } catch (e) {
    throw comoApiError(e);
  }
  if (!res.ok) {
    const problem = await problemDe(res);
    // Our session died (expired, revoked): drop it. Only when it is still the session
    // this request went with, so a late answer cannot sign out a newer one.
    if (deSesion === generacion && sesionAbierta && problem.status === 401 && slug(problem) === 'sesion-invalida') {
      usarSesion(false);
      alInvalidarse?.();
    }
    throw new ApiError(problem);
  }
  return res;
}

const enc = encodeURIComponent;

function qs(params: Record<string, string | number | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
}

export const api = {
  eventos: (
    f: { desde?: string; limit?: number; offset?: number; organizador_id?: string } = {},
    signal?: AbortSignal,
  ) =>
    request<PaginaEventos>('GET', `/api/eventos${qs(f)}`, { signal }),
  evento: (id: string, signal?: AbortSignal) => request<Evento>('GET', `/api/eventos/${enc(id)}`, { signal }),
  /** As the signed-in organizer. */
  conciliacion: (id: string, signal?: AbortSignal) =>
    request<Informe>('GET', `/api/eventos/${enc(id)}/conciliacion`, { headers: { ...ORGANIZADOR }, signal }),
  /** As the signed-in organizer: the event is theirs. */
  crearEvento: (ev: NuevoEvento) => request<Evento>('POST', '/api/eventos', { body: ev, headers: { ...ORGANIZADOR } }),

  /** Registers a buyer; without `password`, a guest (buys by email, cannot sign in). */
  registrar: (u: NuevoUsuario) => request<Usuario>('POST', '/api/usuarios', { body: u }),

  /**
   * Sends a 6-digit one-time code (202; the same answer whether or not the email has an
   * account). `password`: to the account's email, to set or reset its password. `email`:
   * to a new address of the signed-in buyer. 422 on `email`; 429 with Retry-After.
   */
  solicitarCodigo: (email: string, proposito: PropositoCodigo = 'password', rol?: RolSesion) =>
    request<CodigoSolicitado>('POST', '/api/usuarios/codigo', {
      body: { email: email.trim().toLowerCase(), proposito, ...(rol ? { rol } : {}) },
    }),
  /**
   * Sets the password with a code from `solicitarCodigo` (200); closes every earlier
   * session of the account. 422 on `codigo` (with `intentos_restantes`) or `password`; 429.
   */
  fijarPassword: (p: NuevaPassword) =>
    request<PasswordFijada>('POST', '/api/usuarios/password', {
      body: { ...p, email: p.email.trim().toLowerCase() },
    }),

  /**
   * Signs a buyer in (201). The proxy keeps the token in an HttpOnly cookie and answers
   * without it. 401 `credenciales-invalidas`; 429 with Retry-After.
   */
  iniciarSesion: (c: Credenciales) =>
    request<SesionIniciada>('POST', '/api/sesiones', {
      body: { ...c, email: c.email.trim().toLowerCase() },
    }),
  /** Signs an organizer in (201; its token, too, stays in a cookie of its own). */
  iniciarSesionOrganizador: (email: string, password: string, codigo?: string) =>
    request<SesionOrganizadorIniciada>('POST', '/api/sesiones', {
      body: { email: email.trim().toLowerCase(), password, rol: 'organizador', ...(codigo ? { codigo } : {}) },
    }),
  /**
   * Signs a door staff account in (`rol: staff`, 201): the proxy keeps its token in the
   * organizer's cookie, so the door page's calls (`X-Sesion: organizador`) go with it.
   */
  iniciarSesionStaff: (email: string, password: string, codigo?: string) =>
    request<SesionOrganizadorIniciada>('POST', '/api/sesiones', {
      body: { email: email.trim().toLowerCase(), password, rol: 'staff', ...(codigo ? { codigo } : {}) },
    }),
  /** Who the browser's session of `rol` belongs to (after a reload). 401 when it has none. */
  sesionActual: (rol: RolSesion, signal?: AbortSignal) =>
    request<SesionActual>('GET', '/api/sesiones/actual', {
      headers: rol === 'organizador' ? { ...ORGANIZADOR } : {},
      signal,
    }),
  /** Ends the browser's session of `rol` (204); the proxy clears its cookie. */
  cerrarSesion: (rol: RolSesion) =>
    request<void>('DELETE', '/api/sesiones/actual', { headers: rol === 'organizador' ? { ...ORGANIZADOR } : {} }),

  /**
   * One booking attempt; `clave` is its Idempotency-Key (fresh per attempt). The secret
   * the answer carries (201, 202, or a failure whose reservation was kept) is remembered.
   */
  reservar: async (s: SolicitudReserva, clave: string) => {
    try {
      const r = await request<Reserva>('POST', '/api/reservar', { body: s, headers: { 'idempotency-key': clave } });
      if (typeof r.secreto === 'string') recordarSecreto(r.id, r.secreto);
      return r;
    } catch (e) {
      const p = e instanceof ApiError ? e.problem : undefined;
      if (p && typeof p.reserva_id === 'string' && typeof p.secreto === 'string') recordarSecreto(p.reserva_id, p.secreto);
      throw e;
    }
  },
  /** `secreto`: the one to try (a link's); else the remembered one, if any. */
  reserva: (id: string, signal?: AbortSignal, secreto?: string) =>
    request<Reserva>('GET', `/api/reservas/${enc(id)}`, { signal, headers: conSecreto(id, secreto) }),
  reservasDe: (usuarioId: string, signal?: AbortSignal) =>
    request<PaginaReservas>('GET', `/api/reservas${qs({ usuario_id: usuarioId, limit: 100 })}`, { signal }),
  bitacora: (id: string, signal?: AbortSignal) =>
    request<Bitacora>('GET', `/api/reservas/${enc(id)}/eventos`, { signal, headers: conSecreto(id) }),
  cancelar: (id: string) => request<Reserva>('POST', `/api/reservas/${enc(id)}/cancelar`, { headers: conSecreto(id) }),
  /**
   * The QR of ticket `codigo` of reservation `reservaId`, as SVG text: with the session, or
   * the reservation's secret (which an <img> could not send, hence a fetch). 409
   * `entrada-anulada`: an annulled ticket has none.
   */
  qrEntrada: (codigo: string, reservaId: string | undefined, signal?: AbortSignal) =>
    texto(`/api/entradas/${enc(codigo)}/qr.svg`, 'image/svg+xml', { signal, headers: credencialEntrada(codigo, reservaId) }),
  /** One ticket, for its owner: the session, its reservation's secret, or its own (`X-Entrada-Secreto`). */
  entrada: (codigo: string, signal?: AbortSignal, reservaId?: string) =>
    request<EntradaRespuesta>('GET', `/api/entradas/${enc(codigo)}`, { signal, headers: credencialEntrada(codigo, reservaId) }),
  /** The reservation's tickets as a PDF (one page each); fetched, so a guest's secret goes with it. */
  pdfReserva: (id: string) => binario(`/api/reservas/${enc(id)}/entradas.pdf`, 'application/pdf', { headers: conSecreto(id) }),
  /** The reservation's event as an iCalendar entry. */
  icsReserva: (id: string) => binario(`/api/reservas/${enc(id)}/evento.ics`, 'text/calendar', { headers: conSecreto(id) }),
  /** Gives back one ticket of reservation `reservaId` (its share refunded). 409 when used or annulled. */
  cancelarEntrada: (codigo: string, reservaId: string) =>
    request<EntradaCancelada>('POST', `/api/entradas/${enc(codigo)}/cancelar`, { headers: credencialEntrada(codigo, reservaId) }),
  /** Hands one ticket to someone else: a new code for them, the old one annulled. */
  transferirEntrada: (codigo: string, reservaId: string, a: { email: string; nombre: string }) =>
    request<EntradaTransferida>('POST', `/api/entradas/${enc(codigo)}/transferir`, {
      body: { email: a.email.trim().toLowerCase(), nombre: a.nombre.trim() },
      headers: credencialEntrada(codigo, reservaId),
    }),
  /** Mails the links of `email`'s reservations again (202, the same whether or not it bought); 429. */
  reenviarEnlaces: (email: string) =>
    request<ReenvioSolicitado>('POST', '/api/reservas/reenviar', { body: { email: email.trim().toLowerCase() } }),

  /** As the organizer or its door staff: one scan at the door. 409 refused, 404, 422. */
  ingresar: (eventoId: string, p: PedidoIngreso) =>
    request<Admision>('POST', `/api/eventos/${enc(eventoId)}/ingresos`, { body: p, headers: { ...ORGANIZADOR } }),
  /** What a scanner needs offline: keys, tickets, revocations; `desde` for the changes only. */
  listaIngresos: (eventoId: string, desde?: number, signal?: AbortSignal) =>
    request<ListaIngresos>('GET', `/api/eventos/${enc(eventoId)}/ingresos/lista${qs({ desde })}`, {
      headers: { ...ORGANIZADOR },
      signal,
    }),
  /** Uploads the scans made offline (idempotent by nonce). */
  loteIngresos: (eventoId: string, escaneos: EscaneoLote[], puerta?: string) =>
    request<ResultadoLote>('POST', `/api/eventos/${enc(eventoId)}/ingresos/lote`, {
      body: { ...(puerta ? { puerta } : {}), escaneos },
      headers: { ...ORGANIZADOR },
    }),

  /** As its organizer: whether the event's tickets may change hands (`POST /api/entradas/{codigo}/transferir`). */
  permitirTransferencias: (eventoId: string, permitidas: boolean) =>
    request<Evento>('PUT', `/api/eventos/${enc(eventoId)}/transferencias`, { body: { permitidas }, headers: { ...ORGANIZADOR } }),
  /** Every ticket of the event let in more than once, with each scan (gate, time). */
  conflictosIngreso: (eventoId: string, signal?: AbortSignal) =>
    request<Conflictos>('GET', `/api/eventos/${enc(eventoId)}/ingresos/conflictos`, { headers: { ...ORGANIZADOR }, signal }),

  /** The signed-in organizer's door staff. */
  staff: (signal?: AbortSignal) => request<Staff[] | { items: Staff[] }>('GET', '/api/staff', { headers: { ...ORGANIZADOR }, signal }),
  crearStaff: (s: NuevoStaff) =>
    request<Staff>('POST', '/api/staff', { body: { ...s, email: s.email.trim().toLowerCase() }, headers: { ...ORGANIZADOR } }),
  borrarStaff: (id: string) => request<void>('DELETE', `/api/staff/${enc(id)}`, { headers: { ...ORGANIZADOR } }),

  notificacionesDe: (usuarioId: string, signal?: AbortSignal) =>
    request<PaginaNotificaciones>('GET', `/api/notificaciones${qs({ usuario_id: usuarioId, limit: 50 })}`, { signal }),
};
