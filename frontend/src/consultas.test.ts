import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, comoApiError } from './api/client';
import { esTransitorio, fijarReintentosLecturas, reintentarLectura } from './consultas';

const con = (status: number, slug = 'x') => new ApiError({ type: `urn:eventflow:problem:${slug}`, title: 't', status });

describe('retry policy of reads', () => {
  afterEach(() => fijarReintentosLecturas(0));

  it('retries no answer and the server’s 5xx, twice; never a 4xx, a 429 included', () => {
    fijarReintentosLecturas(2);
    const red = comoApiError(new TypeError('Failed to fetch'));
    for (const e of [red, con(500), con(502), con(503, 'servicio-no-disponible'), con(504)]) {
      expect(reintentarLectura(0, e), String(e.status)).toBe(true);
      expect(reintentarLectura(1, e), String(e.status)).toBe(true);
      expect(reintentarLectura(2, e), String(e.status)).toBe(false);
    }
    for (const s of [400, 401, 403, 404, 409, 422, 429]) expect(reintentarLectura(0, con(s)), String(s)).toBe(false);
  });

  it('a cancelled request is not a failure to retry', () => {
    expect(esTransitorio(comoApiError(new DOMException('aborted', 'AbortError')))).toBe(false);
    expect(esTransitorio(comoApiError(new TypeError('Failed to fetch')))).toBe(true);
  });
});
