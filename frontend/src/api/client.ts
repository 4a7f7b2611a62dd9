// The one HTTP client of the UI. Relative URLs: the launcher's UI port (and the Vite dev
// server) proxy /api/... to the right service. Every non-2xx answer becomes an ApiError
// carrying the problem+json body and a plain-Spanish message.
//
// While a buyer is signed in, every request carries their session token as a Bearer
// credential (see src/sesion.tsx), except a request that brings its own Authorization
// header (the organizer's calls keep their own token).
//
// A guest has no session: what opens a guest's reservation is its `secreto`, which the
// answer of `POST /api/reservar` carries once. The client keeps it in memory, by
// reservation id (like the session token: never in storage), and sends it as
// `X-Reserva-Secreto` on every read and cancellation of that reservation.
import type {
  Bitacora,
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
  SesionCreada,
  SesionOrganizadorCreada,
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

// The signed-in buyer's token, in memory only (src/sesion.tsx owns it and says why).
let tokenSesion: string | null = null;
let alInvalidarse: (() => void) | null = null;

/** Sets (or clears, with null) the Bearer token sent on every request. */
export function usarTokenSesion(token: string | null) {
  tokenSesion = token;
}

/**
 * Called once when an answer says the token this client sent is no longer valid
 * (401 `sesion-invalida`: expired or revoked); the token is already cleared by then.
 */
export function alSesionInvalida(fn: (() => void) | null) {
  alInvalidarse = fn;
}

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
}

/** `X-Reserva-Secreto` for reservation `id`: the given secret, else the remembered one. */
function conSecreto(id: string, secreto?: string): Record<string, string> {
  const s = secreto ?? secretos.get(id);
  return s ? { 'x-reserva-secreto': s } : {};
}

/** Whether this page can read reservation `id`: signed in, or it knows its secret. */
export function puedeLeerReserva(id: string): boolean {
  return tokenSesion !== null || secretos.has(id);
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
  const headers: Record<string, string> = { accept: 'application/json', ...op.headers };
  // The session's token, unless the caller brought its own credential.
  const token = headers.authorization === undefined ? tokenSesion : null;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (op.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(op.body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, signal: op.signal });
  } catch (e) {
    throw comoApiError(e);
  }
  if (!res.ok) {
    const problem = await problemDe(res);
    // Our session died (expired, revoked): drop it. Only when it is still the token this
    // request sent, so a late answer cannot sign out a newer session.
    if (token && token === tokenSesion && problem.status === 401 && slug(problem) === 'sesion-invalida') {
      tokenSesion = null;
      alInvalidarse?.();
    }
    throw new ApiError(problem);
  }
  if (res.status === 204) return undefined as T;
  try {
    return (await res.json()) as T;
  } catch (e) {
    throw comoApiError(e);
  }
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
  conciliacion: (id: string, token: string, signal?: AbortSignal) =>
    request<Informe>('GET', `/api/eventos/${enc(id)}/conciliacion`, {
      headers: { authorization: `Bearer ${token}` },
      signal,
    }),
  crearEvento: (ev: NuevoEvento, token: string) =>
    request<Evento>('POST', '/api/eventos', { body: ev, headers: { authorization: `Bearer ${token}` } }),

  /** Registers a buyer; without `password`, a guest (buys by email, cannot sign in). */
  registrar: (u: NuevoUsuario) => request<Usuario>('POST', '/api/usuarios', { body: u }),

  /**
   * Sends a 6-digit one-time code (202; the same answer whether or not the email has an
   * account). `password`: to the account's email, to set or reset its password. `email`:
   * to a new address of the signed-in buyer. 422 on `email`; 429 with Retry-After.
   */
  solicitarCodigo: (email: string, proposito: PropositoCodigo = 'password') =>
    request<CodigoSolicitado>('POST', '/api/usuarios/codigo', {
      body: { email: email.trim().toLowerCase(), proposito },
    }),
  /**
   * Sets the password with a code from `solicitarCodigo` (200); closes every earlier
   * session of the account. 422 on `codigo` (with `intentos_restantes`) or `password`; 429.
   */
  fijarPassword: (p: NuevaPassword) =>
    request<PasswordFijada>('POST', '/api/usuarios/password', {
      body: { ...p, email: p.email.trim().toLowerCase() },
    }),

  /** Signs in (201 with the token). 401 `credenciales-invalidas`; 429 with Retry-After. */
  iniciarSesion: (c: Credenciales) =>
    request<SesionCreada>('POST', '/api/sesiones', {
      body: { ...c, email: c.email.trim().toLowerCase() },
    }),
  /** Signs an organizer in (201 with the token, for the organizer's own calls). */
  iniciarSesionOrganizador: (email: string, password: string) =>
    request<SesionOrganizadorCreada>('POST', '/api/sesiones', {
      body: { email: email.trim().toLowerCase(), password, rol: 'organizador' },
    }),
  /** Revokes the session of `token` (204). */
  cerrarSesion: (token: string) =>
    request<void>('DELETE', '/api/sesiones/actual', { headers: { authorization: `Bearer ${token}` } }),

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

  notificacionesDe: (usuarioId: string, signal?: AbortSignal) =>
    request<PaginaNotificaciones>('GET', `/api/notificaciones${qs({ usuario_id: usuarioId, limit: 50 })}`, { signal }),
};
