import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from '../App';
import { mismaZona, zonaNavegador } from '../fecha';
import { ana, evento, pasosOk, pasosPagoFallido, reserva, sesionDe } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';
import type { Llamada } from '../test/fetch';
import { llenarRegistro } from '../test/formularios';
import type { Usuario } from '../test/formularios';

beforeEach(() => {
  window.history.pushState(null, '', '/eventos/e1');
});

/** Signs in on the event page (section 2); the route `POST /api/sesiones` must answer. */
async function identificarComoAna(user: Usuario) {
  await user.type(await screen.findByLabelText('Email'), 'ana@example.com');
  await user.type(screen.getByLabelText('Contraseña'), 'una frase bien larga');
  await user.click(screen.getByRole('button', { name: 'Entrar' }));
  await screen.findByTestId('comprador');
}

async function comoInvitado(user: Usuario, email: string) {
  await user.click(await screen.findByRole('button', { name: 'Comprar como invitado' }));
  await user.type(screen.getByLabelText('Tu email'), email);
  await user.click(screen.getByRole('button', { name: 'Continuar como invitado' }));
}

/** The top bar (the event's own <header> is a banner for jsdom too). */
const barra = () => document.querySelector<HTMLElement>('header.barra')!;

const noBuscaUsuarios = (llamadas: Llamada[]) =>
  expect(llamadas.filter((l) => l.method === 'GET' && l.url.startsWith('/api/usuarios'))).toEqual([]);

describe('EventoPage', () => {
  it('shows zones with prices; a sold-out zone cannot be chosen', async () => {
    mockFetch({ 'GET /api/eventos/e1': json(evento) });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Rock en el Parque' })).toBeInTheDocument();
    // The venue's hour (21:00 in Lima) whatever the zone this test runs in, and the zone
    // said only when it is not the reader's.
    const meta = document.querySelector('.evento-meta')!;
    expect(meta).toHaveTextContent('domingo, 14 de marzo de 2027, 21:00');
    expect(meta.textContent!.includes('(hora de Lima)')).toBe(!mismaZona(zonaNavegador(), 'America/Lima'));
    const campo = screen.getByRole('radio', { name: /Campo/ });
    const platea = screen.getByRole('radio', { name: /Platea/ });
    expect(campo).toBeChecked();
    expect(platea).toBeDisabled();
    expect(platea.closest('label')).toHaveTextContent('Agotado');
    // Quantity goes up to min(10, available).
    expect(within(screen.getByLabelText('Cantidad')).getAllByRole('option')).toHaveLength(7);
    expect(screen.getByRole('button', { name: 'Reservar' })).toBeDisabled();
  });

  it('books signed in: by usuario_id with the session cookie, a fresh Idempotency-Key per attempt, shows the steps', async () => {
    const user = userEvent.setup();
    let liberar: () => void = () => {};
    const reservas: Llamada[] = [];
    const { llamadas } = mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/sesiones': json(sesionDe(), 201),
      'POST /api/reservar': (l) => {
        reservas.push(l);
        if (reservas.length === 1) {
          return new Promise((ok) => {
            liberar = () => ok(json(reserva({ cantidad: 3, total: 24000 }), 201));
          });
        }
        return problem('agotado', 409, { disponibles: 1, retenidas: 0, reserva_id: 'r2', paso: 'ValidadorInventario', compensaciones: [] });
      },
      'GET /api/reservas/r2': problem('no-encontrado', 404),
    });
    render(<App />);
    await identificarComoAna(user);
    expect(screen.getByTestId('comprador')).toHaveTextContent('Comprando como Ana Quispe');
    expect(barra()).toHaveTextContent('Hola, Ana');
    expect(llamadas.find((l) => l.method === 'POST' && l.url === '/api/sesiones')!.body).toEqual({
      email: 'ana@example.com',
      password: 'una frase bien larga',
      rol: 'comprador',
    });
    await user.selectOptions(screen.getByLabelText('Cantidad'), '3');
    await user.click(screen.getByRole('button', { name: '4242424242424242' }));
    expect(screen.getByLabelText('Número de tarjeta')).toHaveValue('4242424242424242');
    expect(screen.getByTestId('total')).toHaveTextContent('S/ 240.00');

    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    // Disabled while the SAGA runs: no double booking.
    expect(screen.getByRole('button', { name: 'Procesando…' })).toBeDisabled();
    liberar();
    expect(await screen.findByRole('heading', { name: '¡Reserva confirmada!' })).toBeInTheDocument();
    expect(within(screen.getByRole('list', { name: 'Pasos de la reserva' })).getAllByRole('listitem')).toHaveLength(pasosOk.length);
    // An account has "Mis reservas".
    expect(screen.getByTestId('resultado')).toHaveTextContent('Ver mis reservas');
    expect(reservas[0].body).toEqual({
      usuario_id: ana.id,
      evento_id: 'e1',
      zona: 'Campo',
      cantidad: 3,
      pago: { metodo: 'tarjeta', numero_tarjeta: '4242424242424242' },
    });

    // The confirmation resets the form; another purchase is asked for on purpose.
    expect(screen.getByLabelText('Número de tarjeta')).toHaveValue('');
    expect(screen.getByLabelText('Cantidad')).toHaveValue('1');
    expect(screen.queryByRole('button', { name: 'Reservar' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Comprar más entradas' }));
    expect(screen.getByLabelText('Número de tarjeta')).toHaveFocus();
    expect(screen.getByRole('button', { name: 'Reservar' })).toBeDisabled();
    await user.selectOptions(screen.getByLabelText('Cantidad'), '3');
    await user.click(screen.getByRole('button', { name: '4242424242424242' }));
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    // One ticket is left: not "Agotado".
    expect(await screen.findByRole('heading', { name: 'No quedan suficientes entradas' })).toBeInTheDocument();
    expect(screen.getByTestId('resultado')).toHaveTextContent('Solo queda 1 entrada');
    expect(screen.getByTestId('resultado')).not.toHaveTextContent(/agotado/i);
    const [k1, k2] = reservas.map((r) => r.headers['idempotency-key']);
    expect(k1).toMatch(/^[0-9a-f-]{36}$/);
    expect(k2).toMatch(/^[0-9a-f-]{36}$/);
    expect(k1).not.toBe(k2);
    // Every request after signing in goes with the session cookie (the proxy adds its
    // token), never with a token of the page; nobody is looked up anonymously.
    const despues = llamadas.slice(llamadas.findIndex((l) => l.url === '/api/sesiones') + 1);
    expect(despues.length).toBeGreaterThan(2);
    for (const l of despues) {
      expect(l.headers.authorization).toBeUndefined();
      expect(l.credentials).toBe('same-origin');
    }
    noBuscaUsuarios(llamadas);
  });

  it('follows a 202 (outcome not known yet) until the reservation is confirmed', async () => {
    const user = userEvent.setup();
    let lecturas = 0;
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/sesiones': json(sesionDe(), 201),
      'POST /api/reservar': json(reserva({ estado: 'EN_CURSO' }), 202),
      'GET /api/reservas/r1': () => {
        lecturas += 1;
        return json(reserva({ estado: lecturas < 2 ? 'EN_CURSO' : 'CONFIRMADA' }));
      },
    });
    render(<App />);
    await identificarComoAna(user);
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    expect(await screen.findByRole('heading', { name: 'Estamos confirmando tu reserva…' })).toBeInTheDocument();
    expect(screen.getByTestId('resultado')).toHaveTextContent('No hace falta que vuelvas a comprar');
    expect(screen.queryByRole('heading', { name: '¡Reserva confirmada!' })).not.toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: '¡Reserva confirmada!' }, { timeout: 5000 })).toBeInTheDocument();
    expect(lecturas).toBe(2);
  });

  it('shows a declined payment with the failing step and the compensations', async () => {
    const user = userEvent.setup();
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/sesiones': json(sesionDe(), 201),
      'POST /api/reservar': problem('pago-rechazado', 402, {
        motivo: 'tarjeta rechazada',
        reserva_id: 'r3',
        paso: 'ProcesadorPago',
        compensaciones: [{ handler: 'ValidadorInventario', accion: 'retención de 1 entrada liberada' }],
      }),
      'GET /api/reservas/r3': json(
        reserva({
          id: 'r3',
          estado: 'FALLIDA',
          pasos: pasosPagoFallido(),
        }),
      ),
    });
    render(<App />);
    await identificarComoAna(user);
    await user.type(screen.getByLabelText('Número de tarjeta'), '4000 0000 0000 0002');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    const r = await screen.findByTestId('resultado');
    expect(within(r).getByRole('heading', { name: 'Pago rechazado' })).toBeInTheDocument();
    expect(r).toHaveTextContent('Falló el paso: Pago');
    expect(r).toHaveTextContent('retención de 1 entrada liberada');
    await waitFor(() => expect(r).toHaveTextContent('Pagofalló'));
  });

  it('a failed sign-in says why in Spanish; too many attempts waits out Retry-After', async () => {
    const user = userEvent.setup();
    let intentos = 0;
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/sesiones': () =>
        ++intentos === 1
          ? problem('credenciales-invalidas', 401)
          : { ...problem('demasiados-intentos', 429), headers: { 'content-type': 'application/problem+json', 'retry-after': '30' } },
    });
    render(<App />);
    await user.type(await screen.findByLabelText('Email'), 'ana@example.com');
    await user.type(screen.getByLabelText('Contraseña'), 'no es esta');
    await user.click(screen.getByRole('button', { name: 'Entrar' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Email o contraseña incorrectos.');
    expect(screen.queryByTestId('comprador')).toBeNull();
    expect(barra()).not.toHaveTextContent('Hola');

    await user.click(screen.getByRole('button', { name: 'Entrar' }));
    expect(await screen.findByText('Demasiados intentos; espera 30 s.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Entrar' })).toBeDisabled();
  });

  it('creates an account with a password (field errors from the API), then signs in by itself', async () => {
    const user = userEvent.setup();
    let intentos = 0;
    const nuevo = { ...ana, id: 'u2', email: 'nuevo@example.com', nombre: 'Nuevo', apellido: 'Comprador' };
    const { llamadas } = mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/usuarios': () =>
        intentos++ === 0
          ? problem('validacion', 422, {
              errors: [
                { campo: 'nro_documento', mensaje: 'debe tener de 4 a 20 letras, dígitos o guiones' },
                { campo: 'nombre', mensaje: 'no puede estar vacío' },
                { campo: 'password', mensaje: 'es una de las contraseñas más comunes' },
              ],
            })
          : json(nuevo, 201),
      'POST /api/sesiones': json(sesionDe(nuevo), 201),
      'POST /api/reservar': json(reserva({ usuario_id: 'u2' }), 201),
    });
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Crear cuenta' }));
    const form = screen.getByRole('form', { name: 'Crear cuenta' });
    expect(within(form).getByText('Mínimo 10 caracteres')).toBeInTheDocument();
    expect(within(form).getByLabelText('Contraseña')).toHaveAccessibleDescription('Mínimo 10 caracteres');
    await user.type(within(form).getByLabelText('Email'), 'nuevo@example.com');
    await user.selectOptions(within(form).getByLabelText('Tipo de documento'), 'PASAPORTE');
    await user.type(within(form).getByLabelText('Número de documento'), '1');

    // Too short: refused here, nothing is sent (an account is never sent without a password).
    await user.type(within(form).getByLabelText('Contraseña'), 'corta');
    await user.click(within(form).getByRole('button', { name: 'Registrarme' }));
    expect(await within(form).findByText('debe tener al menos 10 caracteres')).toBeInTheDocument();
    expect(llamadas.filter((l) => l.method === 'POST')).toHaveLength(0);

    await user.clear(within(form).getByLabelText('Contraseña'));
    await user.type(within(form).getByLabelText('Contraseña'), 'password123');
    await user.click(within(form).getByRole('button', { name: 'Registrarme' }));
    expect(await screen.findByText('debe tener de 4 a 20 letras, dígitos o guiones')).toBeInTheDocument();
    expect(screen.getByText('no puede estar vacío')).toBeInTheDocument();
    expect(screen.getByText('es una de las contraseñas más comunes')).toBeInTheDocument();
    expect(screen.getByLabelText('Número de documento')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Contraseña')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Apellido')).not.toHaveAttribute('aria-invalid');

    await user.clear(screen.getByLabelText('Número de documento'));
    await user.type(screen.getByLabelText('Número de documento'), 'AB123456');
    await user.type(screen.getByLabelText('Nombre'), 'Nuevo');
    await user.type(screen.getByLabelText('Apellido'), 'Comprador');
    await user.clear(screen.getByLabelText('Contraseña'));
    await user.type(screen.getByLabelText('Contraseña'), 'caballo bateria grapa');
    await user.click(screen.getByRole('button', { name: 'Registrarme' }));
    expect(await screen.findByTestId('comprador')).toHaveTextContent('Comprando como Nuevo Comprador');
    expect(barra()).toHaveTextContent('Hola, Nuevo');
    const posts = llamadas.filter((l) => l.method === 'POST');
    expect(posts.map((l) => l.url)).toEqual(['/api/usuarios', '/api/usuarios', '/api/sesiones']);
    expect(posts[1].body).toEqual({
      tipo_documento: 'PASAPORTE',
      nro_documento: 'AB123456',
      nombre: 'Nuevo',
      apellido: 'Comprador',
      email: 'nuevo@example.com',
      password: 'caballo bateria grapa',
    });
    expect(posts[2].body).toEqual({ email: 'nuevo@example.com', password: 'caballo bateria grapa', rol: 'comprador' });

    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    await screen.findByRole('heading', { name: '¡Reserva confirmada!' });
    const r = llamadas.find((l) => l.url === '/api/reservar')!;
    expect(r.body).toMatchObject({ usuario_id: 'u2' });
    expect(r.headers.authorization).toBeUndefined();
  });

  it('buys as a guest by email: no lookup, no session, the email in the reserve body', async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/reservar': json(reserva({ usuario_id: 'u9' }), 201),
    });
    render(<App />);
    await comoInvitado(user, 'Invitada@Example.com');
    expect(screen.getByTestId('comprador')).toHaveTextContent('Comprando como invitado · invitada@example.com');
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    await screen.findByRole('heading', { name: '¡Reserva confirmada!' });
    const r = llamadas.find((l) => l.url === '/api/reservar')!;
    expect(r.body).toEqual({
      email: 'invitada@example.com',
      evento_id: 'e1',
      zona: 'Campo',
      cantidad: 1,
      pago: { metodo: 'tarjeta', numero_tarjeta: '4242424242424242' },
    });
    expect(r.headers.authorization).toBeUndefined();
    noBuscaUsuarios(llamadas);
    expect(llamadas.map((l) => `${l.method} ${l.url}`).filter((x) => !x.startsWith('GET /api/eventos'))).toEqual(['POST /api/reservar']);
    // A guest has no "Mis reservas": the code is what they keep.
    expect(screen.getByTestId('resultado')).toHaveTextContent('Compraste como invitado: guarda este código.');
    expect(screen.getByTestId('resultado')).not.toHaveTextContent('Ver mis reservas');
    expect(window.localStorage.getItem('eventflow.email')).toBe('invitada@example.com');
  });

  it('a guest gets the link with the secret of the reservation, which opens it with that secret', async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/reservar': json({ ...reserva({ usuario_id: 'u9' }), secreto: 'Sg_guest-0123456789abcd' }, 201),
      'GET /api/reservas/r1': json(reserva({ usuario_id: 'u9' })),
      'GET /api/reservas/r1/eventos': json({ reserva_id: 'r1', eventos: [] }),
    });
    render(<App />);
    await comoInvitado(user, 'invitada@example.com');
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    const enlace = await screen.findByTestId('enlace-reserva');
    expect(enlace).toHaveTextContent('Guarda este enlace para ver o cancelar tu reserva');
    expect(within(enlace).getByLabelText('Enlace de tu reserva')).toHaveValue(
      `${window.location.origin}/reservas/r1?s=Sg_guest-0123456789abcd`,
    );
    // Nothing of it in storage: memory only.
    expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain('Sg_guest');
    await user.click(within(enlace).getByRole('link', { name: 'Abrir mi reserva' }));
    expect(window.location.pathname + window.location.search).toBe('/reservas/r1?s=Sg_guest-0123456789abcd');
    expect(await screen.findByRole('heading', { name: 'Tu reserva' })).toBeInTheDocument();
    await screen.findByTestId('reserva');
    const leidas = llamadas.filter((l) => l.url.startsWith('/api/reservas/'));
    expect(leidas.length).toBeGreaterThan(0);
    for (const l of leidas) expect(l.headers['x-reserva-secreto']).toBe('Sg_guest-0123456789abcd');
  });

  it('a guest follows a 202 and reads back a declined reservation with its secret; without one, reads nothing', async () => {
    const user = userEvent.setup();
    let compras = 0;
    const { llamadas } = mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/reservar': () => {
        compras += 1;
        if (compras === 1) return json({ ...reserva({ estado: 'EN_CURSO' }), secreto: 'S_202' }, 202);
        if (compras === 2) return problem('pago-rechazado', 402, { reserva_id: 'r3', secreto: 'S_402', paso: 'ProcesadorPago' });
        return problem('servicio-no-disponible', 503, { reserva_id: 'r5', dependencia: 'pasarela-pagos' });
      },
      'GET /api/reservas/r1': json(reserva()),
      'GET /api/reservas/r3': json(reserva({ id: 'r3', estado: 'FALLIDA' })),
    });
    render(<App />);
    await comoInvitado(user, 'invitada@example.com');
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    expect(await screen.findByRole('heading', { name: '¡Reserva confirmada!' }, { timeout: 5000 })).toBeInTheDocument();
    // The 202's secret stays for the link after following it.
    expect(screen.getByLabelText('Enlace de tu reserva')).toHaveValue(`${window.location.origin}/reservas/r1?s=S_202`);
    await user.click(screen.getByRole('button', { name: 'Comprar más entradas' }));
    await user.type(screen.getByLabelText('Número de tarjeta'), '4000000000000002');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    expect(await screen.findByRole('heading', { name: 'Pago rechazado' })).toBeInTheDocument();
    await waitFor(() => expect(llamadas.some((l) => l.url === '/api/reservas/r3')).toBe(true));
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    expect(await screen.findByRole('heading', { name: 'Servicio no disponible' })).toBeInTheDocument();
    const leidas = llamadas.filter((l) => l.url.startsWith('/api/reservas/'));
    expect(leidas.find((l) => l.url === '/api/reservas/r1')!.headers['x-reserva-secreto']).toBe('S_202');
    expect(leidas.find((l) => l.url === '/api/reservas/r3')!.headers['x-reserva-secreto']).toBe('S_402');
    // r5 came without a secret: a guest cannot read it, so it is not asked for (no 401).
    expect(leidas.some((l) => l.url === '/api/reservas/r5')).toBe(false);
    for (const l of leidas) expect(l.headers.authorization).toBeUndefined();
  });

  it('a guest whose email is unknown registers without a password, then buys by email', async () => {
    const user = userEvent.setup();
    let compras = 0;
    const { llamadas } = mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/reservar': () =>
        ++compras === 1 ? problem('no-encontrado', 404, { detail: 'El usuario no existe' }) : json(reserva({ usuario_id: 'u3' }), 201),
      'POST /api/usuarios': json({ ...ana, id: 'u3', email: 'nueva@example.com', tiene_password: false }, 201),
    });
    render(<App />);
    await comoInvitado(user, 'nueva@example.com');
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));

    const form = await screen.findByRole('form', { name: 'Registro de invitado' });
    expect(form).toHaveTextContent('No encontramos nueva@example.com. Completa tus datos para comprar como invitado:');
    expect(within(form).queryByLabelText('Contraseña')).toBeNull();
    expect(within(form).getByLabelText('Email')).toHaveValue('nueva@example.com');
    expect(screen.queryByTestId('resultado')).toBeNull();
    expect(screen.getByRole('button', { name: 'Reservar' })).toBeDisabled();
    expect(screen.getByText(/completa tus datos de comprador/)).toBeInTheDocument();

    await llenarRegistro(user, form, { nombre: 'Nueva', apellido: 'Invitada' });
    await user.click(within(form).getByRole('button', { name: 'Guardar y continuar' }));
    expect(await screen.findByTestId('comprador')).toHaveTextContent('Comprando como invitado · nueva@example.com');
    const alta = llamadas.find((l) => l.url === '/api/usuarios')!;
    expect(alta.body).toEqual({ tipo_documento: 'DNI', nro_documento: '45678912', nombre: 'Nueva', apellido: 'Invitada', email: 'nueva@example.com' });

    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    await screen.findByRole('heading', { name: '¡Reserva confirmada!' });
    const compra = llamadas.filter((l) => l.url === '/api/reservar');
    expect(compra).toHaveLength(2);
    expect(compra[1].body).toMatchObject({ email: 'nueva@example.com' });
    expect(compra[1].body).not.toHaveProperty('usuario_id');
    noBuscaUsuarios(llamadas);
  });

  it('a guest registration that finds the email taken just goes on with that email', async () => {
    const user = userEvent.setup();
    let compras = 0;
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/reservar': () =>
        ++compras === 1 ? problem('no-encontrado', 404, { detail: 'El usuario no existe' }) : json(reserva(), 201),
      'POST /api/usuarios': problem('usuario-duplicado', 409, { campo: 'email' }),
    });
    render(<App />);
    await comoInvitado(user, 'ya@example.com');
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    const form = await screen.findByRole('form', { name: 'Registro de invitado' });
    await llenarRegistro(user, form, { nombre: 'Ya', apellido: 'Estaba' });
    await user.click(within(form).getByRole('button', { name: 'Guardar y continuar' }));
    expect(await screen.findByTestId('comprador')).toHaveTextContent('Comprando como invitado · ya@example.com');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    expect(await screen.findByRole('heading', { name: '¡Reserva confirmada!' })).toBeInTheDocument();
  });

  it('a 401 sesion-invalida drops the session and shows the sign-in form with the notice', async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/sesiones': json(sesionDe(), 201),
      'POST /api/reservar': problem('sesion-invalida', 401),
    });
    render(<App />);
    await identificarComoAna(user);
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    const form = await screen.findByRole('form', { name: 'Iniciar sesión' });
    expect(form).toHaveTextContent('Tu sesión caducó; vuelve a iniciar sesión.');
    expect(screen.getByTestId('resultado')).toHaveTextContent('Tu sesión caducó');
    expect(screen.queryByTestId('comprador')).toBeNull();
    expect(barra()).not.toHaveTextContent('Hola');
    expect(within(barra()).getByRole('link', { name: 'Iniciar sesión' })).toBeInTheDocument();
    // The token is gone from the client too: the next request goes without it.
    // (the page reloads the event after every attempt)
    const i = llamadas.findIndex((l) => l.url === '/api/reservar');
    await waitFor(() => expect(llamadas.slice(i + 1).some((l) => l.url === '/api/eventos/e1')).toBe(true));
    for (const l of llamadas.slice(i + 1)) expect(l.headers.authorization).toBeUndefined();
    // Signing in again clears the notice.
    await user.type(within(form).getByLabelText('Contraseña'), 'una frase bien larga');
    await user.click(within(form).getByRole('button', { name: 'Entrar' }));
    await screen.findByTestId('comprador');
    expect(screen.queryByText('Tu sesión caducó; vuelve a iniciar sesión.', { selector: '.aviso' })).toBeNull();
  });

  it('a double click, a second submit in flight or right after the confirmation, buys once', async () => {
    const user = userEvent.setup();
    let liberar: () => void = () => {};
    const compras: Llamada[] = [];
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/reservar': (l) => {
        compras.push(l);
        return new Promise((ok) => {
          liberar = () => ok(json(reserva(), 201));
        });
      },
    });
    render(<App />);
    await comoInvitado(user, 'invitada@example.com');
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    const boton = screen.getByRole('button', { name: 'Reservar' });
    const form = screen.getByRole('form', { name: 'Pago y reserva' });
    // Two submits in the same tick, before React disables the button, then a double click.
    fireEvent.submit(form);
    fireEvent.submit(form);
    await user.dblClick(boton);
    expect(compras).toHaveLength(1);
    liberar();
    expect(await screen.findByRole('heading', { name: '¡Reserva confirmada!' })).toBeInTheDocument();
    // Right after: the same place now starts another purchase, it does not buy.
    expect(boton).toHaveTextContent('Comprar más entradas');
    fireEvent.submit(form);
    await user.click(boton);
    expect(compras).toHaveLength(1);
    // The confirmation stays on screen; the form waits for the next card.
    expect(screen.getByRole('heading', { name: '¡Reserva confirmada!' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reservar' })).toBeDisabled();
  });

  it('the Idempotency-Key belongs to the attempt: kept for its retries, new for another request, after a refusal or a new purchase', async () => {
    const user = userEvent.setup();
    const respuestas = [
      { red: true },
      { red: true },
      problem('servicio-no-disponible', 503, { dependencia: 'pasarela-pagos' }),
      problem('pago-rechazado', 402, { motivo: 'tarjeta rechazada' }),
      json(reserva(), 201),
      json(reserva({ id: 'r2' }), 201),
    ];
    const compras: Llamada[] = [];
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/reservar': (l) => {
        compras.push(l);
        return respuestas[compras.length - 1];
      },
    });
    render(<App />);
    await comoInvitado(user, 'invitada@example.com');
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    const reservar = async () => {
      const antes = compras.length;
      await user.click(screen.getByRole('button', { name: 'Reservar' }));
      await waitFor(() => expect(compras).toHaveLength(antes + 1));
      await waitFor(() => expect(screen.getByRole('button', { name: /Reservar|Comprar más entradas/ })).toBeEnabled());
    };
    await reservar(); // 1: the answer is lost
    expect(await screen.findByTestId('resultado')).toHaveTextContent('No se pudo conectar');
    await user.selectOptions(screen.getByLabelText('Cantidad'), '2');
    await reservar(); // 2: another request: another attempt; lost too
    await reservar(); // 3: its retry: 503
    await reservar(); // 4: its retry again: 402, refused for good
    await reservar(); // 5: after the refusal, a new attempt: 201
    await user.click(screen.getByRole('button', { name: 'Comprar más entradas' }));
    await user.type(screen.getByLabelText('Número de tarjeta'), '4242424242424242');
    await reservar(); // 6: a new purchase
    const k = compras.map((c) => c.headers['idempotency-key']);
    expect(k[1]).not.toBe(k[0]);
    expect(k[2]).toBe(k[1]);
    expect(k[3]).toBe(k[1]);
    expect(k[4]).not.toBe(k[3]);
    expect(k[5]).not.toBe(k[4]);
    expect(new Set(k).size).toBe(4);
    expect(compras[1].body).toMatchObject({ cantidad: 2 });
  });

  it('a card the API refuses (422 on pago.numero_tarjeta) is marked on its field in Spanish, with no API path anywhere', async () => {
    const user = userEvent.setup();
    let n = 0;
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/reservar': () =>
        n++ === 0
          ? problem('validacion', 422, { errors: [{ campo: 'pago.numero_tarjeta', mensaje: 'no es un número de tarjeta válido' }] })
          : problem('validacion', 422, {
              errors: [
                { campo: 'cantidad', mensaje: 'debe estar entre 1 y 10' },
                { campo: 'email', mensaje: 'no es un email válido' },
              ],
            }),
    });
    render(<App />);
    await comoInvitado(user, 'invitada@example.com');
    const tarjeta = screen.getByLabelText('Número de tarjeta');
    await user.type(tarjeta, '4242424242424241');
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    await waitFor(() => expect(tarjeta).toHaveAttribute('aria-invalid', 'true'));
    expect(tarjeta).toHaveAccessibleDescription('No es un número de tarjeta válido.');
    expect(tarjeta).toHaveFocus();
    expect(screen.getByRole('alert')).toHaveTextContent('Revisa los datos marcados.');
    expect(screen.queryByTestId('resultado')).toBeNull();
    expect(document.body).not.toHaveTextContent(/pago\./i);
    expect(document.body).not.toHaveTextContent('numero_tarjeta');
    // Typing again clears the mark.
    await user.clear(tarjeta);
    await user.type(tarjeta, '4242424242424242');
    expect(tarjeta).not.toHaveAttribute('aria-invalid');
    expect(screen.queryByText('No es un número de tarjeta válido.')).toBeNull();

    // A field of the form is marked; one it has not is said in words, by its label.
    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    const cantidad = screen.getByLabelText('Cantidad');
    await waitFor(() => expect(cantidad).toHaveAttribute('aria-invalid', 'true'));
    expect(cantidad).toHaveAccessibleDescription('Debe estar entre 1 y 10.');
    const r = screen.getByTestId('resultado');
    expect(r).toHaveTextContent('Revisa los datos. Email: no es un email válido.');
    expect(r).not.toHaveTextContent('cantidad');
  });

  it('availability agrees in number: "Solo queda 1 entrada", "Solo quedan 2 entradas", "Agotado" only at 0', async () => {
    mockFetch({
      'GET /api/eventos/e1': json({
        ...evento,
        entradas_disponibles: 123,
        zonas: [
          { nombre: 'Uno', precio: 1000, capacidad: 5, disponibles: 1, vendidas: 4 },
          { nombre: 'Dos', precio: 1000, capacidad: 5, disponibles: 2, vendidas: 3 },
          { nombre: 'Cero', precio: 1000, capacidad: 5, disponibles: 0, vendidas: 5 },
          { nombre: 'Muchas', precio: 1000, capacidad: 200, disponibles: 120, vendidas: 80 },
        ],
      }),
    });
    render(<App />);
    const zona = async (n: string) => (await screen.findByRole('radio', { name: new RegExp(n) })).closest('label')!;
    expect(await zona('Uno')).toHaveTextContent('Solo queda 1 entrada');
    expect(await zona('Dos')).toHaveTextContent('Solo quedan 2 entradas');
    expect(await zona('Cero')).toHaveTextContent('Agotado');
    expect(await zona('Muchas')).toHaveTextContent('120 disponibles');
    for (const n of ['Uno', 'Dos', 'Muchas']) expect(await zona(n)).not.toHaveTextContent('Agotado');
    // Only one left: the quantity offers just 1.
    expect(within(screen.getByLabelText('Cantidad')).getAllByRole('option')).toHaveLength(1);
  });

  it('says so when the event does not exist', async () => {
    mockFetch({ 'GET /api/eventos/e1': problem('no-encontrado', 404, { detail: 'No existe el evento e1' }) });
    render(<App />);
    const alerta = await screen.findByRole('alert');
    expect(alerta).toHaveTextContent('Este evento no existe');
    expect(alerta).toHaveTextContent('No existe el evento e1');
  });
});
