// A fetch double: routes "METHOD /path" (or "METHOD /path?query" for an exact match) to
// canned answers, and records every call.
import { vi } from 'vitest';

export interface Llamada {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The fetch options that decide what the browser adds: cookies, Origin. */
  credentials?: RequestCredentials;
  referrerPolicy?: ReferrerPolicy;
}

export interface Respuesta {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Simulate a network failure (fetch rejects). */
  red?: boolean;
  /** Plain-text body instead of JSON. */
  texto?: string;
}

export type Ruta = Respuesta | ((l: Llamada) => Respuesta | Promise<Respuesta>);

export function json(body: unknown, status = 200): Respuesta {
  return { status, body };
}

/** An SVG answer (a ticket's QR). */
export function svg(texto = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 21 21"><rect width="7" height="7"/></svg>'): Respuesta {
  return { texto, headers: { 'content-type': 'image/svg+xml' } };
}

export function problem(slug: string, status: number, extra: Record<string, unknown> = {}): Respuesta {
  return {
    status,
    headers: { 'content-type': 'application/problem+json' },
    body: { type: `urn:eventflow:problem:${slug}`, title: 'x', status, detail: `detalle ${slug}`, ...extra },
  };
}

export function mockFetch(rutas: Record<string, Ruta>) {
  const llamadas: Llamada[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(
      Object.entries((init.headers as Record<string, string>) ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    const llamada = { method, url, headers, body, credentials: init.credentials, referrerPolicy: init.referrerPolicy };
    llamadas.push(llamada);
    const ruta = rutas[`${method} ${url}`] ?? rutas[`${method} ${url.split('?')[0]}`];
    if (ruta === undefined) throw new Error(`fetch no esperado: ${method} ${url}`);
    const r = typeof ruta === 'function' ? await ruta(llamada) : ruta;
    if (r.red) throw new TypeError('Failed to fetch');
    const status = r.status ?? 200;
    if (r.texto !== undefined) {
      return new Response(r.texto, { status, headers: { 'content-type': 'text/plain', ...r.headers } });
    }
    return new Response(status === 204 ? null : JSON.stringify(r.body ?? {}), {
      status,
      headers: { 'content-type': 'application/json', ...r.headers },
    });
  });
  vi.stubGlobal('fetch', fn);
  return { fn, llamadas };
}
