import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from './App';
import { destinoVolver } from './pages/AccesoPage';
import { ana, conCookies, evento, sesionDe } from './test/datos';
import { json, mockFetch, problem } from './test/fetch';
import { llenarRegistro } from './test/formularios';

const barra = () => document.querySelector<HTMLElement>('header.barra')!;
/** What Ana types to create her account. */
const ANA = { nombre: 'Ana', apellido: 'Quispe', email: 'ana@example.com', password: 'una frase bien larga' };

describe('session in the top bar', () => {
  it('a reload finds the session again through the cookie: "Hola, Ana" on "Mis reservas"', async () => {
    window.history.pushState(null, '', '/mis-reservas');
    const { llamadas } = mockFetch({
      'GET /api/sesiones/actual': conCookies({ comprador: ana }),
      [`GET /api/reservas?usuario_id=${ana.id}&limit=100`]: json({ items: [] }),
      [`GET /api/notificaciones?usuario_id=${ana.id}&limit=50`]: json({ items: [] }),
    });
    render(<App />);
    // No sign-in form flashes while the cookie is checked.
    expect(screen.getByText('Comprobando tu sesión…')).toBeInTheDocument();
    expect(screen.queryByRole('form', { name: 'Iniciar sesión' })).toBeNull();
    expect(within(barra()).queryByRole('link', { name: 'Iniciar sesión' })).toBeNull();
    await waitFor(() => expect(barra()).toHaveTextContent('Hola, Ana'));
    expect(await screen.findByText('Todavía no tienes reservas.', { exact: false })).toBeInTheDocument();
    const actual = llamadas.filter((l) => l.url === '/api/sesiones/actual');
    expect(actual).toHaveLength(1);
    expect(actual[0].headers['x-sesion']).toBeUndefined();
    expect(actual[0].headers.authorization).toBeUndefined();
  });

  it('without a session cookie nobody asks who is signed in; an expired one signs out quietly', async () => {
    window.history.pushState(null, '', '/mis-reservas');
    const sin = mockFetch({});
    render(<App />);
    expect(await screen.findByRole('form', { name: 'Iniciar sesión' })).toBeInTheDocument();
    expect(sin.llamadas).toHaveLength(0);
    cleanup();

    document.cookie = 'eventflow_hay_sesion=1';
    const caducada = mockFetch({ 'GET /api/sesiones/actual': problem('sesion-invalida', 401) });
    render(<App />);
    expect(await screen.findByRole('form', { name: 'Iniciar sesión' })).toBeInTheDocument();
    expect(caducada.llamadas).toHaveLength(1);
    // A visitor who comes back a day later is not told off: just the sign-in form.
    expect(screen.queryByText('Tu sesión caducó', { exact: false })).toBeNull();
    expect(within(barra()).getByRole('link', { name: 'Iniciar sesión' })).toBeInTheDocument();
  });

  it('past the day\'s failed sign-ins the form asks for a code mailed to the account, and signs in with it', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/iniciar-sesion');
    const { llamadas } = mockFetch({
      'POST /api/sesiones': (l) =>
        (l.body as { codigo?: string }).codigo === '482913'
          ? json(sesionDe(), 201)
          : problem('codigo-requerido', 403),
      'POST /api/usuarios/codigo': json({ enviado: true }, 202),
    });
    render(<App />);
    const form = await screen.findByRole('form', { name: 'Iniciar sesión' });
    await user.type(within(form).getByLabelText('Email'), 'ana@example.com');
    await user.type(within(form).getByLabelText('Contraseña'), 'una frase bien larga');
    await user.click(within(form).getByRole('button', { name: 'Entrar' }));
    // Not a lock-out: the way in is a code.
    expect(await within(form).findByText(/pide un código: te lo enviamos a tu email/)).toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Enviarme un código' }));
    expect(await within(form).findByText('Te enviamos un código a ana@example.com. Escríbelo aquí con tu contraseña.')).toBeInTheDocument();
    const pedido = llamadas.find((l) => l.url === '/api/usuarios/codigo');
    expect(pedido?.body).toEqual({ email: 'ana@example.com', proposito: 'sesion', rol: 'comprador' });
    await user.type(within(form).getByLabelText('Código de 6 dígitos'), '482913');
    await user.click(within(form).getByRole('button', { name: 'Entrar' }));
    await waitFor(() => expect(barra()).toHaveTextContent('Hola, Ana'));
    const entradas = llamadas.filter((l) => l.url === '/api/sesiones');
    expect(entradas).toHaveLength(2);
    expect(entradas[0].body).not.toHaveProperty('codigo');
    expect(entradas[1].body).toMatchObject({ email: 'ana@example.com', codigo: '482913', rol: 'comprador' });
  });

  it('"Iniciar sesión" signs in and goes back; "Hola, Ana"; the token is never stored', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/eventos/e1');
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/sesiones': json(sesionDe(), 201),
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Rock en el Parque' });
    const entrar = within(barra()).getByRole('link', { name: 'Iniciar sesión' });
    expect(entrar).toHaveAttribute('href', '/iniciar-sesion?volver=%2Feventos%2Fe1');
    expect(within(barra()).getByRole('link', { name: 'Crear cuenta' })).toBeInTheDocument();
    await user.click(entrar);
    expect(await screen.findByRole('heading', { name: 'Iniciar sesión', level: 1 })).toBeInTheDocument();
    const form = screen.getByRole('form', { name: 'Iniciar sesión' });
    await user.type(within(form).getByLabelText('Email'), 'ana@example.com');
    await user.type(within(form).getByLabelText('Contraseña'), 'una frase bien larga');
    await user.click(within(form).getByRole('button', { name: 'Entrar' }));

    expect(await screen.findByTestId('comprador')).toHaveTextContent('Comprando como Ana Quispe');
    expect(window.location.pathname).toBe('/eventos/e1');
    expect(barra()).toHaveTextContent('Hola, Ana');
    expect(within(barra()).queryByRole('link', { name: 'Iniciar sesión' })).toBeNull();
    // The token is the proxy's (an HttpOnly cookie): the page never had it to store.
    const guardado = JSON.stringify({ ...window.localStorage, ...window.sessionStorage }) + document.cookie;
    expect(guardado).not.toContain('efs_ana');
    expect(window.localStorage.getItem('eventflow.email')).toBe(ana.email);
  });

  it('"Cerrar sesión" revokes the session (DELETE, the proxy adds the cookie\'s token), then forgets it', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/iniciar-sesion');
    const { llamadas } = mockFetch({
      'GET /api/eventos': json({ items: [] }),
      'POST /api/sesiones': json(sesionDe(), 201),
      'DELETE /api/sesiones/actual': { status: 204 },
    });
    render(<App />);
    await user.type(await screen.findByLabelText('Email'), 'ana@example.com');
    await user.type(screen.getByLabelText('Contraseña'), 'una frase bien larga');
    await user.click(screen.getByRole('button', { name: 'Entrar' }));
    await waitFor(() => expect(barra()).toHaveTextContent('Hola, Ana'));
    expect(window.location.pathname).toBe('/');

    await user.click(within(barra()).getByRole('button', { name: 'Cerrar sesión' }));
    await waitFor(() => expect(within(barra()).getByRole('link', { name: 'Iniciar sesión' })).toBeInTheDocument());
    const salida = llamadas.filter((l) => l.method === 'DELETE');
    expect(salida).toHaveLength(1);
    expect(salida[0].url).toBe('/api/sesiones/actual');
    expect(salida[0].headers.authorization).toBeUndefined();
    expect(barra()).not.toHaveTextContent('Hola');
  });

  it('signs out locally even when the DELETE fails', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/iniciar-sesion?volver=/mis-reservas');
    mockFetch({
      'POST /api/sesiones': json(sesionDe(), 201),
      [`GET /api/reservas?usuario_id=${ana.id}&limit=100`]: json({ items: [] }),
      [`GET /api/notificaciones?usuario_id=${ana.id}&limit=50`]: json({ items: [] }),
      'DELETE /api/sesiones/actual': { red: true },
    });
    render(<App />);
    await user.type(await screen.findByLabelText('Email'), 'ana@example.com');
    await user.type(screen.getByLabelText('Contraseña'), 'una frase bien larga');
    await user.click(screen.getByRole('button', { name: 'Entrar' }));
    expect(await screen.findByText(/Todavía no tienes reservas/)).toBeInTheDocument();
    expect(window.location.pathname).toBe('/mis-reservas');
    await user.click(within(barra()).getByRole('button', { name: 'Cerrar sesión' }));
    expect(await screen.findByText('Inicia sesión para ver tus reservas.')).toBeInTheDocument();
  });

  it('"Crear cuenta" page: registers with the password and signs in', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/crear-cuenta');
    const { llamadas } = mockFetch({
      'GET /api/eventos': json({ items: [] }),
      'POST /api/usuarios': json(ana, 201),
      'POST /api/sesiones': json(sesionDe(), 201),
    });
    render(<App />);
    const form = await screen.findByRole('form', { name: 'Crear cuenta' });
    await llenarRegistro(user, form, ANA);
    await user.click(within(form).getByRole('button', { name: 'Registrarme' }));
    await waitFor(() => expect(barra()).toHaveTextContent('Hola, Ana'));
    expect(llamadas.filter((l) => l.method === 'POST').map((l) => l.url)).toEqual(['/api/usuarios', '/api/sesiones']);
    expect((llamadas[0].body as { password: string }).password).toBe('una frase bien larga');
  });

  it('an account created whose sign-in is rate limited asks to sign in, with the wait', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/crear-cuenta');
    mockFetch({
      'POST /api/usuarios': json(ana, 201),
      'POST /api/sesiones': { ...problem('demasiados-intentos', 429), headers: { 'content-type': 'application/problem+json', 'retry-after': '5' } },
    });
    render(<App />);
    const form = await screen.findByRole('form', { name: 'Crear cuenta' });
    await llenarRegistro(user, form, ANA);
    await user.click(within(form).getByRole('button', { name: 'Registrarme' }));
    const entrar = await screen.findByRole('form', { name: 'Iniciar sesión' });
    expect(entrar).toHaveTextContent('Tu cuenta está creada. Inicia sesión para continuar.');
    expect(entrar).toHaveTextContent('Demasiados intentos; espera 5 s.');
    expect(within(entrar).getByLabelText('Email')).toHaveValue('ana@example.com');
  });

  it('?volver= only ever leads to a path of this app', () => {
    expect(destinoVolver('?volver=/mis-reservas')).toBe('/mis-reservas');
    expect(destinoVolver('?volver=%2Feventos%2Fe1')).toBe('/eventos/e1');
    expect(destinoVolver('?volver=//evil.example')).toBe('/');
    expect(destinoVolver('?volver=/\\evil.example')).toBe('/');
    expect(destinoVolver('?volver=https://evil.example')).toBe('/');
    expect(destinoVolver('')).toBe('/');
  });
});
