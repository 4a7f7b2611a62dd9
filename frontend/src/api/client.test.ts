import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockFetch, problem, json } from '../test/fetch';
import {
  alSesionInvalida,
  api,
  ApiError,
  comoApiError,
  nuevaClave,
  puedeLeerReserva,
  recordarSecreto,
  hayCookieDeSesion,
  secretoDe,
  usarSesion,
} from './client';

const solicitud = {
  usuario_id: 'u1',
  evento_id: 'e1',
  zona: 'Campo',
  cantidad: 2,
  pago: { metodo: 'tarjeta' as const, numero_tarjeta: '4242424242424242' },
};

async function fallo(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('se esperaba un error');
}

describe('api client', () => {
  it('uses relative URLs and encodes ids', async () => {
    const { llamadas } = mockFetch({
      'GET /api/eventos/a%2Fb': json({ id: 'a/b' }),
      'GET /api/reservas?usuario_id=u1&limit=100': json({ items: [] }),
      'GET /api/notificaciones?usuario_id=u1&limit=50': json({ items: [] }),
      'GET /api/eventos?desde=2027-01-01T00%3A00%3A00.000Z&limit=100': json({ items: [] }),
    });
    await api.evento('a/b');
    await api.reservasDe('u1');
    await api.notificacionesDe('u1');
    await api.eventos({ desde: '2027-01-01T00:00:00.000Z', limit: 100 });
    expect(llamadas.map((l) => l.url)).toHaveLength(4);
  });

  it('sends the Idempotency-Key it is given, and JSON', async () => {
    const { llamadas } = mockFetch({ 'POST /api/reservar': json({ id: 'r1', estado: 'CONFIRMADA' }, 201) });
    const r = await api.reservar(solicitud, 'clave-1');
    expect(r.id).toBe('r1');
    expect(llamadas[0].headers['idempotency-key']).toBe('clave-1');
    expect(llamadas[0].headers['content-type']).toBe('application/json');
    expect(llamadas[0].body).toEqual(solicitud);
  });

  it("the organizer's calls ask the proxy for the organizer's session cookie, with no token", async () => {
    const { llamadas } = mockFetch({
      'POST /api/eventos': json({ id: 'e1' }, 201),
      'GET /api/eventos/e1/conciliacion': json({ pendientes: 0, discrepancias: [] }),
    });
    await api.crearEvento({ nombre: 'x', fecha: '2027-01-01T00:00:00Z', lugar: 'y', zonas: [] });
    await api.conciliacion('e1');
    for (const l of llamadas) {
      expect(l.headers['x-sesion']).toBe('organizador');
      expect(l.headers.authorization).toBeUndefined();
    }
  });

  it('signs in with the credentials as JSON, and signs out of the session of each role', async () => {
    const { llamadas } = mockFetch({
      // The proxy answers without the token (it went into an HttpOnly cookie).
      'POST /api/sesiones': json({ expira_en: '2027-01-01T00:00:00Z', rol: 'comprador', usuario: { id: 'u1' } }, 201),
      'DELETE /api/sesiones/actual': { status: 204 },
    });
    const s = await api.iniciarSesion({ email: ' Ana@Example.com ', password: 'una frase larga', rol: 'comprador' });
    expect(s.usuario.id).toBe('u1');
    expect(llamadas[0].body).toEqual({ email: 'ana@example.com', password: 'una frase larga', rol: 'comprador' });
    expect(llamadas[0].headers.authorization).toBeUndefined();
    await expect(api.cerrarSesion('comprador')).resolves.toBeUndefined();
    await expect(api.cerrarSesion('organizador')).resolves.toBeUndefined();
    expect(llamadas.slice(1).map((l) => [l.headers.authorization, l.headers['x-sesion']])).toEqual([
      [undefined, undefined],
      [undefined, 'organizador'],
    ]);
  });

  it('asks for a one-time code and sets a password with it (emails trimmed and lower-cased)', async () => {
    const { llamadas } = mockFetch({
      'POST /api/usuarios/codigo': json({ mensaje: 'Si el email tiene una cuenta…', vigencia_minutos: 10 }, 202),
      'POST /api/usuarios/password': json({ mensaje: 'Contraseña guardada.' }),
    });
    const c = await api.solicitarCodigo(' Ana@Example.com ');
    expect(c).toEqual({ mensaje: 'Si el email tiene una cuenta…', vigencia_minutos: 10 });
    await api.solicitarCodigo('nuevo@example.com', 'email');
    const f = await api.fijarPassword({ email: 'ANA@example.com', codigo: '012345', password: 'una frase larga' });
    expect(f.mensaje).toBe('Contraseña guardada.');
    expect(llamadas.map((l) => l.body)).toEqual([
      { email: 'ana@example.com', proposito: 'password' },
      { email: 'nuevo@example.com', proposito: 'email' },
      { email: 'ana@example.com', codigo: '012345', password: 'una frase larga' },
    ]);
  });

  it('a wrong code: the field error and the tries left', async () => {
    mockFetch({
      'POST /api/usuarios/password': problem('validacion', 422, {
        errors: [{ campo: 'codigo', mensaje: 'no es correcto o caducó; pide uno nuevo' }],
        intentos_restantes: 3,
      }),
    });
    const e = await fallo(api.fijarPassword({ email: 'a@b.pe', codigo: '000000', password: 'una frase larga' }));
    expect(e.campo('codigo')).toBe('no es correcto o caducó; pide uno nuevo');
    expect(e.problem.intentos_restantes).toBe(3);
  });

  it('maps a 429 with Retry-After to the wait in seconds', async () => {
    mockFetch({
      'POST /api/sesiones': { ...problem('demasiadas-solicitudes', 429), headers: { 'content-type': 'application/problem+json', 'retry-after': '42' } },
    });
    const e = await fallo(api.iniciarSesion({ email: 'a@b.c', password: 'x' }));
    expect(e.status).toBe(429);
    expect(e.problem.reintentar_en).toBe(42);
    expect(e.message).toBe('Demasiados intentos; espera 42 s.');
  });

  it('maps wrong credentials to plain Spanish', async () => {
    mockFetch({ 'POST /api/sesiones': problem('credenciales-invalidas', 401) });
    const e = await fallo(api.iniciarSesion({ email: 'a@b.c', password: 'x' }));
    expect(e.message).toBe('Email o contraseña incorrectos.');
  });

  it('maps problem+json to an ApiError with the plain-Spanish message', async () => {
    mockFetch({
      'POST /api/reservar': problem('agotado', 409, {
        disponibles: 0,
        retenidas: 1,
        reserva_id: 'r9',
        paso: 'ValidadorInventario',
        compensaciones: [{ handler: 'ValidadorInventario', accion: 'bloqueo de compra liberado' }],
      }),
    });
    const e = await fallo(api.reservar(solicitud, 'k'));
    expect(e.status).toBe(409);
    expect(e.message).toMatch(/^Agotado/);
    expect(e.message).toContain('1 entrada retenida');
    expect(e.problem.paso).toBe('ValidadorInventario');
    expect(e.problem.reserva_id).toBe('r9');
    expect(e.problem.compensaciones).toHaveLength(1);
  });

  it.each([
    ['pago-rechazado', 402, { motivo: 'tarjeta rechazada' }, 'Pago rechazado (tarjeta rechazada)'],
    ['compra-en-curso', 409, {}, 'Ya tienes una compra en curso'],
    ['servicio-no-disponible', 503, { dependencia: 'pasarela-pagos' }, 'Servicio no disponible: la pasarela de pagos'],
  ])('maps %s (%i)', async (s, status, extra, texto) => {
    mockFetch({ 'POST /api/reservar': problem(s, status, extra) });
    const e = await fallo(api.reservar(solicitud, 'k'));
    expect(e.status).toBe(status);
    expect(e.message).toContain(texto);
  });

  it('exposes field errors by name', async () => {
    mockFetch({
      'POST /api/usuarios': problem('validacion', 422, {
        errors: [{ campo: 'nro_documento', mensaje: 'debe tener de 4 a 20 letras, dígitos o guiones' }],
      }),
    });
    const e = await fallo(api.registrar({ tipo_documento: 'DNI', nro_documento: '1', nombre: 'a', apellido: 'b', email: 'c@d.e' }));
    expect(e.campo('nro_documento')).toContain('4 a 20');
    expect(e.campo('email')).toBeUndefined();
  });

  it('turns a non-JSON error page and a network failure into messages too', async () => {
    mockFetch({ 'GET /api/eventos': { status: 502, texto: '<html>Bad gateway</html>' } });
    const e = await fallo(api.eventos());
    expect(e.status).toBe(502);
    expect(e.message).toContain('error en el servidor');

    mockFetch({ 'GET /api/eventos': { red: true } });
    const red = await fallo(api.eventos());
    expect(red.status).toBe(0);
    expect(red.message).toContain('No se pudo conectar');
  });

  it('comoApiError wraps anything', () => {
    expect(comoApiError(new Error('x')).message).toContain('No se pudo conectar');
    const e = new ApiError({ type: 'urn:eventflow:problem:agotado', title: '', status: 409 });
    expect(comoApiError(e)).toBe(e);
  });

  it('makes a fresh v4 UUID per call', () => {
    const a = nuevaClave();
    const b = nuevaClave();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
});

describe('the browser session (an HttpOnly cookie the proxy holds)', () => {
  afterEach(() => {
    usarSesion(false);
    alSesionInvalida(null);
    document.cookie = 'eventflow_hay_sesion=; max-age=0';
    document.cookie = 'eventflow_hay_sesion_organizador=; max-age=0';
  });

  it('every request goes with the cookies and its origin, never with a token of the page', async () => {
    const { llamadas } = mockFetch({
      'GET /api/reservas?usuario_id=u1&limit=100': json({ items: [] }),
      'POST /api/reservar': json({ id: 'r1', estado: 'CONFIRMADA' }, 201),
    });
    usarSesion(true);
    await api.reservasDe('u1');
    await api.reservar(solicitud, 'k');
    for (const l of llamadas) {
      expect(l.credentials).toBe('same-origin');
      // Not the page's no-referrer: the proxy's CSRF check needs a real Origin on a POST.
      expect(l.referrerPolicy).toBe('origin');
      expect(l.headers.authorization).toBeUndefined();
    }
  });

  it('asks who is signed in, for the buyer or the organizer', async () => {
    const { llamadas } = mockFetch({
      'GET /api/sesiones/actual': (l) =>
        json({ expira_en: '2027-01-01T00:00:00Z', rol: l.headers['x-sesion'] ?? 'comprador', usuario: { id: 'x' } }),
    });
    expect((await api.sesionActual('comprador')).rol).toBe('comprador');
    expect((await api.sesionActual('organizador')).rol).toBe('organizador');
    expect(llamadas.map((l) => l.headers['x-sesion'])).toEqual([undefined, 'organizador']);
  });

  it("reads the readable hint cookie, one per role (the token's cookie is HttpOnly)", () => {
    expect(hayCookieDeSesion('comprador')).toBe(false);
    document.cookie = 'eventflow_hay_sesion_organizador=1';
    expect(hayCookieDeSesion('comprador')).toBe(false);
    expect(hayCookieDeSesion('organizador')).toBe(true);
    document.cookie = 'eventflow_hay_sesion=1';
    expect(hayCookieDeSesion('comprador')).toBe(true);
  });

  it('a 401 sesion-invalida ends the session and says so, once', async () => {
    mockFetch({ 'GET /api/reservas?usuario_id=u1&limit=100': problem('sesion-invalida', 401) });
    const aviso = vi.fn();
    alSesionInvalida(aviso);
    usarSesion(true);
    expect(puedeLeerReserva('r9')).toBe(true);
    const e = await fallo(api.reservasDe('u1'));
    expect(e.message).toBe('Tu sesión caducó; vuelve a iniciar sesión.');
    expect(aviso).toHaveBeenCalledTimes(1);
    expect(puedeLeerReserva('r9')).toBe(false);
    await fallo(api.reservasDe('u1'));
    expect(aviso).toHaveBeenCalledTimes(1);
  });

  it('a late 401 for an older sign-in does not drop a newer session', async () => {
    let responder: () => void = () => {};
    const primera = mockFetch({
      'GET /api/reservas?usuario_id=u1&limit=100': () =>
        new Promise((ok) => {
          responder = () => ok(problem('sesion-invalida', 401));
        }),
    });
    const aviso = vi.fn();
    alSesionInvalida(aviso);
    usarSesion(true);
    const pendiente = fallo(api.reservasDe('u1'));
    await vi.waitFor(() => expect(primera.llamadas).toHaveLength(1));
    usarSesion(true);
    responder();
    await pendiente;
    expect(aviso).not.toHaveBeenCalled();
    expect(puedeLeerReserva('r9')).toBe(true);
  });

  it("a 401 of an organizer call (the organizer's session) leaves the buyer signed in", async () => {
    mockFetch({ 'POST /api/eventos': problem('sesion-invalida', 401) });
    const aviso = vi.fn();
    alSesionInvalida(aviso);
    usarSesion(true);
    await fallo(api.crearEvento({ nombre: 'x', fecha: '2027-01-01T00:00:00Z', lugar: 'y', zonas: [] }));
    expect(aviso).not.toHaveBeenCalled();
  });
});

describe('guest reservation secrets (X-Reserva-Secreto)', () => {
  const guest = { ...solicitud, usuario_id: undefined, email: 'inv@example.com' };

  it('remembers the secret of a 201 and sends it on every read and cancel of that reservation only', async () => {
    const { llamadas } = mockFetch({
      'POST /api/reservar': json({ id: 'r1', estado: 'CONFIRMADA', secreto: 'S3cr3t_r1' }, 201),
      'GET /api/reservas/r1': json({ id: 'r1', estado: 'CONFIRMADA' }),
      'GET /api/reservas/r1/eventos': json({ reserva_id: 'r1', eventos: [] }),
      'POST /api/reservas/r1/cancelar': json({ id: 'r1', estado: 'CANCELADA' }),
      'GET /api/reservas/r2': problem('sesion-requerida', 401),
    });
    await api.reservar(guest, 'k1');
    expect(secretoDe('r1')).toBe('S3cr3t_r1');
    expect(puedeLeerReserva('r1')).toBe(true);
    expect(puedeLeerReserva('r2')).toBe(false);
    await api.reserva('r1');
    await api.bitacora('r1');
    await api.cancelar('r1');
    for (const l of llamadas.slice(1)) expect(l.headers['x-reserva-secreto'], `${l.method} ${l.url}`).toBe('S3cr3t_r1');
    // Never sent with the booking itself, nor for another reservation.
    expect(llamadas[0].headers['x-reserva-secreto']).toBeUndefined();
    await fallo(api.reserva('r2'));
    expect(llamadas.at(-1)!.headers['x-reserva-secreto']).toBeUndefined();
    // Memory only.
    expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain('S3cr3t_r1');
  });

  it('remembers the secret a kept failed reservation carries (402), and a 202', async () => {
    const { llamadas } = mockFetch({
      'POST /api/reservar': (l) =>
        l.headers['idempotency-key'] === 'k1'
          ? problem('pago-rechazado', 402, { reserva_id: 'r3', secreto: 'S_r3' })
          : json({ id: 'r4', estado: 'EN_CURSO', secreto: 'S_r4' }, 202),
      'GET /api/reservas/r3': json({ id: 'r3', estado: 'FALLIDA' }),
      'GET /api/reservas/r4': json({ id: 'r4', estado: 'CONFIRMADA' }),
    });
    const e = await fallo(api.reservar(guest, 'k1'));
    expect(e.status).toBe(402);
    await api.reserva('r3');
    await api.reservar(guest, 'k2');
    await api.reserva('r4');
    expect(llamadas[1].headers['x-reserva-secreto']).toBe('S_r3');
    expect(llamadas[3].headers['x-reserva-secreto']).toBe('S_r4');
  });

  it('a given secret (a link) is the one sent; the remembered one otherwise', async () => {
    recordarSecreto('r1', 'viejo');
    const { llamadas } = mockFetch({ 'GET /api/reservas/r1': json({ id: 'r1' }) });
    await api.reserva('r1', undefined, 'del-enlace');
    await api.reserva('r1');
    expect(llamadas.map((l) => l.headers['x-reserva-secreto'])).toEqual(['del-enlace', 'viejo']);
  });

  it('signs an organizer in with rol organizador', async () => {
    const { llamadas } = mockFetch({
      'POST /api/sesiones': json({ expira_en: '2027-01-01T00:00:00Z', rol: 'organizador', usuario: { id: 'o1' } }, 201),
    });
    const s = await api.iniciarSesionOrganizador(' Org@Example.com ', 'una frase larga');
    expect(s.usuario.id).toBe('o1');
    expect(llamadas[0].body).toEqual({ email: 'org@example.com', password: 'una frase larga', rol: 'organizador' });
  });
});
