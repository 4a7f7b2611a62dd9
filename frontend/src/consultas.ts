// Server state (TanStack Query): the client every page shares, its retry policy, and the
// keys of the reads a purchase or a cancellation changes.
//
// Reads retry a transient failure only: the network (no answer) or a 5xx, a couple of
// times with a growing wait. A 4xx is an answer (not found, not allowed, invalid, too
// many requests with its own wait): asking again would get the same. Writes never retry
// on their own: a purchase charges money, and a purchase retried blind is a second
// purchase unless the user means it (the booking form reuses its Idempotency-Key when the
// user sends again; see pages/EventoPage.tsx).
import { QueryClient } from '@tanstack/react-query';
import { comoApiError } from './api/client';
import type { ApiError } from './api/client';

declare module '@tanstack/react-query' {
  // Every query and mutation goes through src/api/client.ts, which throws ApiError only.
  interface Register {
    defaultError: ApiError;
  }
}

/** How many times a read retries a transient failure (src/test/setup.ts sets 0: canned answers count calls). */
let reintentosLecturas = 2;

export function fijarReintentosLecturas(n: number) {
  reintentosLecturas = n;
}

/** A failure that may not happen again: no answer at all, or the server's 5xx. */
export function esTransitorio(e: unknown): boolean {
  const error = comoApiError(e);
  if (error.status === 0) return !error.problem.type.endsWith(':cancelada');
  return error.status >= 500;
}

/** TanStack's `retry` for reads: `fallos` failures so far, the last one `error`. */
export function reintentarLectura(fallos: number, error: unknown): boolean {
  return fallos < reintentosLecturas && esTransitorio(error);
}

/** The client of one mounted App (a test's App gets a fresh one, with nothing cached). */
export function crearClienteConsultas(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: reintentarLectura,
        // Back on the tab: what is on screen may be old (availability moves).
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}

/** Query keys; the first element names the family a purchase or a cancellation invalidates. */
export const claves = {
  eventos: (filtro: Record<string, string | number | undefined>) => ['eventos', filtro] as const,
  evento: (id: string) => ['evento', id] as const,
  conciliacion: (eventoId: string) => ['conciliacion', eventoId] as const,
  reserva: (id: string, secreto?: string) => ['reserva', id, secreto ?? ''] as const,
  /** A 202's reservation, followed by the booking form until it ends. */
  seguimiento: (id: string) => ['seguimiento', id] as const,
  reservasDe: (usuarioId: string) => ['reservas', usuarioId] as const,
  bitacora: (id: string, estado: string) => ['bitacora', id, estado] as const,
  /** A ticket's QR (its SVG): the same for as long as the ticket is valid. */
  qrEntrada: (codigo: string) => ['qr-entrada', codigo] as const,
};

/**
 * After a purchase or a cancellation (answered, failed, or finished by itself): the lists
 * and pages that show availability or reservations load again; what is on screen stays
 * until the new answer comes. A reservation's own page takes the answer itself (the
 * cancellation returns the reservation as it now is).
 */
export function invalidarTrasCompra(cliente: QueryClient): Promise<void> {
  const familias = ['eventos', 'evento', 'reservas', 'conciliacion'];
  return Promise.all(familias.map((f) => cliente.invalidateQueries({ queryKey: [f] }))).then(() => undefined);
}
