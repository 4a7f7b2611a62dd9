// "¿Olvidaste tu contraseña o no tienes una?": code by email, code + new password, then
// the automatic sign-in; the API's errors next to their fields, the tries left, the waits.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { ana, evento, sesionDe } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';
import type { Llamada, Respuesta } from '../test/fetch';
import type { Usuario } from '../test/formularios';

const barra = () => document.querySelector<HTMLElement>('header.barra')!;
const ENVIADO = 'Si el email tiene una cuenta, le enviamos un código de 6 dígitos. Caduca en 10 minutos.';
const GUARDADA = 'Contraseña guardada. Inicia sesión con ella; las sesiones anteriores se cerraron.';
const codigoEnviado = json({ mensaje: ENVIADO, vigencia_minutos: 10 }, 202);

/** A 422 of the API on one field, with extra members. */
const enCampo = (campo: string, mensaje: string, extra: Record<string, unknown> = {}) =>
  problem('validacion', 422, { errors: [{ campo, mensaje }], ...extra });

const con429 = (segundos: number): Respuesta => {
  const r = problem('demasiados-intentos', 429);
  return { ...r, headers: { ...r.headers, 'retry-after': String(segundos) } };
};

const posts = (llamadas: Llamada[], url: string) => llamadas.filter((l) => l.method === 'POST' && l.url === url);

/** On the sign-in page: open the flow and ask for a code for `email`. */
async function pedirCodigo(user: Usuario, email = 'ana@example.com') {
  await user.click(await screen.findByRole('button', { name: '¿Olvidaste tu contraseña o no tienes una?' }));
  const form = screen.getByRole('form', { name: 'Recuperar contraseña' });
  const campo = within(form).getByLabelText('Email');
  await user.clear(campo);
  await user.type(campo, email);
  await user.click(within(form).getByRole('button', { name: 'Enviar código' }));
}

/** With the code asked for: types it and a good password, and saves. The form, for what follows. */
async function guardarPassword(user: Usuario) {
  const form = await screen.findByRole('form', { name: 'Crear nueva contraseña' });
  await user.type(within(form).getByLabelText('Código'), '123456');
  await user.type(within(form).getByLabelText('Nueva contraseña'), 'una frase bien larga');
  await user.click(within(form).getByRole('button', { name: 'Guardar contraseña' }));
  return form;
}

describe('forgot password: a code by email, then a new password', () => {
  it('from the sign-in page: asks for the code, sets the password and signs in with it', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/iniciar-sesion?volver=/eventos/e1');
    const { llamadas } = mockFetch({
      'POST /api/usuarios/codigo': codigoEnviado,
      'POST /api/usuarios/password': json({ mensaje: GUARDADA }),
      'POST /api/sesiones': json(sesionDe(), 201),
      'GET /api/eventos/e1': json(evento),
    });
    render(<App />);
    await user.type(await screen.findByLabelText('Email'), 'Ana@Example.com ');
    await user.click(screen.getByRole('button', { name: '¿Olvidaste tu contraseña o no tienes una?' }));

    // Step 1: the email typed in the sign-in form comes along; the focus is on it.
    const paso1 = screen.getByRole('form', { name: 'Recuperar contraseña' });
    expect(screen.queryByRole('form', { name: 'Iniciar sesión' })).toBeNull();
    const email = within(paso1).getByLabelText('Email');
    expect(email).toHaveValue('Ana@Example.com');
    expect(email).toHaveFocus();
    await user.click(within(paso1).getByRole('button', { name: 'Enviar código' }));

    // Step 2: the API's message, the code (digits only) and the new password.
    const paso2 = await screen.findByRole('form', { name: 'Crear nueva contraseña' });
    expect(within(paso2).getByRole('status')).toHaveTextContent(ENVIADO);
    expect(paso2).toHaveTextContent('Código para ana@example.com');
    const codigo = within(paso2).getByLabelText('Código');
    expect(codigo).toHaveFocus();
    expect(codigo).toHaveAttribute('inputmode', 'numeric');
    expect(codigo).toHaveAttribute('autocomplete', 'one-time-code');
    expect(codigo).toHaveAccessibleDescription('Los 6 dígitos que te enviamos');
    const nueva = within(paso2).getByLabelText('Nueva contraseña');
    expect(nueva).toHaveAttribute('type', 'password');
    expect(nueva).toHaveAttribute('autocomplete', 'new-password');
    await user.type(codigo, '12a3 4567');
    expect(codigo).toHaveValue('123456');
    await user.type(nueva, 'una frase bien larga');
    await user.click(within(paso2).getByRole('button', { name: 'Guardar contraseña' }));

    // Signed in with it, and back where the buyer was.
    await waitFor(() => expect(barra()).toHaveTextContent('Hola, Ana'));
    expect(await screen.findByRole('heading', { name: 'Rock en el Parque' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/eventos/e1');
    expect(posts(llamadas, '/api/usuarios/codigo').map((l) => l.body)).toEqual([{ email: 'ana@example.com', proposito: 'password' }]);
    expect(posts(llamadas, '/api/usuarios/password').map((l) => l.body)).toEqual([
      { email: 'ana@example.com', codigo: '123456', password: 'una frase bien larga' },
    ]);
    expect(posts(llamadas, '/api/sesiones').map((l) => l.body)).toEqual([
      { email: 'ana@example.com', password: 'una frase bien larga', rol: 'comprador' },
    ]);
    // No session before the sign-in: the flow's requests carry no credential.
    expect(llamadas.filter((l) => l.url.startsWith('/api/usuarios/')).every((l) => l.headers.authorization === undefined)).toBe(true);
    const guardado = JSON.stringify({ ...window.localStorage, ...window.sessionStorage }) + document.cookie;
    expect(guardado).not.toContain('efs_ana');
    expect(guardado).not.toContain('una frase bien larga');
  });

  it('a wrong code says how many tries are left, next to the field; none left asks for another; "Enviar otro código"', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/iniciar-sesion');
    const restantes = [2, 0];
    const { llamadas } = mockFetch({
      'POST /api/usuarios/codigo': codigoEnviado,
      'POST /api/usuarios/password': () =>
        enCampo('codigo', 'no es correcto o caducó; pide uno nuevo', { intentos_restantes: restantes.shift() }),
    });
    render(<App />);
    await pedirCodigo(user);
    const form = await screen.findByRole('form', { name: 'Crear nueva contraseña' });
    const codigo = within(form).getByLabelText('Código');
    await user.type(codigo, '111111');
    await user.type(within(form).getByLabelText('Nueva contraseña'), 'una frase bien larga');
    await user.click(within(form).getByRole('button', { name: 'Guardar contraseña' }));

    await within(form).findByText('El código no es correcto. Te quedan 2 intentos.');
    expect(codigo).toHaveAttribute('aria-invalid', 'true');
    expect(codigo).toHaveAccessibleDescription(/Te quedan 2 intentos/);
    expect(codigo).toHaveFocus();
    expect(within(form).getByRole('alert')).toHaveTextContent('Corrige los campos marcados.');
    expect(within(form).getByLabelText('Nueva contraseña')).not.toHaveAttribute('aria-invalid');

    await user.click(within(form).getByRole('button', { name: 'Guardar contraseña' }));
    await within(form).findByText('El código no es correcto o caducó, y ya no admite más intentos: pide uno nuevo.');

    await user.click(within(form).getByRole('button', { name: 'Enviar otro código' }));
    await waitFor(() => expect(within(form).getByRole('status')).toHaveTextContent('Pediste un código nuevo'));
    expect(within(form).getByRole('status')).toHaveTextContent(ENVIADO);
    expect(codigo).toHaveValue('');
    expect(codigo).not.toHaveAttribute('aria-invalid');
    expect(within(form).queryByText(/no admite más intentos/)).toBeNull();
    expect(posts(llamadas, '/api/usuarios/codigo')).toHaveLength(2);
    expect(posts(llamadas, '/api/usuarios/password')).toHaveLength(2);
  });

  it('checks the code and the password before sending; a common password gets the API words next to its field', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/iniciar-sesion');
    const { llamadas } = mockFetch({
      'POST /api/usuarios/codigo': codigoEnviado,
      'POST /api/usuarios/password': enCampo('password', 'es una de las contraseñas más usadas; elige otra'),
    });
    render(<App />);
    await pedirCodigo(user);
    const form = await screen.findByRole('form', { name: 'Crear nueva contraseña' });
    const codigo = within(form).getByLabelText('Código');
    const nueva = within(form).getByLabelText('Nueva contraseña');
    await user.type(codigo, '12345');
    await user.type(nueva, 'corta');
    await user.click(within(form).getByRole('button', { name: 'Guardar contraseña' }));
    expect(codigo).toHaveAccessibleDescription(/El código debe tener 6 dígitos\./);

    await user.type(codigo, '6');
    await user.click(within(form).getByRole('button', { name: 'Guardar contraseña' }));
    expect(nueva).toHaveAccessibleDescription(/debe tener al menos 10 caracteres/);
    expect(nueva).toHaveFocus();
    expect(posts(llamadas, '/api/usuarios/password')).toHaveLength(0);

    await user.clear(nueva);
    await user.type(nueva, 'contraseña123');
    await user.click(within(form).getByRole('button', { name: 'Guardar contraseña' }));
    await within(form).findByText('es una de las contraseñas más usadas; elige otra');
    expect(nueva).toHaveAttribute('aria-invalid', 'true');
    expect(codigo).not.toHaveAttribute('aria-invalid');
    expect(posts(llamadas, '/api/usuarios/password')).toHaveLength(1);
  });

  it('a bad email is marked on its field; too many codes: the wait, and the button waits it out', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/iniciar-sesion');
    const respuestas = [enCampo('email', "no es un email válido: falta '@'"), con429(30)];
    mockFetch({ 'POST /api/usuarios/codigo': () => respuestas.shift()! });
    render(<App />);
    await pedirCodigo(user, 'ana.example.com');
    const form = screen.getByRole('form', { name: 'Recuperar contraseña' });
    const email = within(form).getByLabelText('Email');
    await within(form).findByText("no es un email válido: falta '@'");
    expect(email).toHaveAttribute('aria-invalid', 'true');
    expect(email).toHaveAccessibleDescription("no es un email válido: falta '@'");

    await user.clear(email);
    await user.type(email, 'ana@example.com');
    await user.click(within(form).getByRole('button', { name: 'Enviar código' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('Ya pediste varios códigos seguidos. Espera 30 s y vuelve a pedirlo.');
    expect(email).not.toHaveAttribute('aria-invalid');
    expect(within(form).getByRole('button', { name: 'Enviar código' })).toBeDisabled();
  });

  it('too many tries on the new password: the wait, and the button waits it out, then comes back', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/iniciar-sesion');
    mockFetch({ 'POST /api/usuarios/codigo': codigoEnviado, 'POST /api/usuarios/password': con429(1) });
    render(<App />);
    await pedirCodigo(user);
    const form = await guardarPassword(user);
    expect(await within(form).findByRole('alert')).toHaveTextContent('Demasiados intentos; espera 1 s.');
    const guardar = within(form).getByRole('button', { name: 'Guardar contraseña' });
    expect(guardar).toBeDisabled();
    await waitFor(() => expect(guardar).toBeEnabled(), { timeout: 3000 });
  });

  it('if the automatic sign-in fails, the sign-in form comes back with "Contraseña guardada" and the error', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/iniciar-sesion');
    mockFetch({
      'POST /api/usuarios/codigo': codigoEnviado,
      'POST /api/usuarios/password': json({ mensaje: GUARDADA }),
      'POST /api/sesiones': con429(5),
    });
    render(<App />);
    await pedirCodigo(user);
    await guardarPassword(user);

    const entrar = await screen.findByRole('form', { name: 'Iniciar sesión' });
    expect(entrar).toHaveTextContent(GUARDADA);
    expect(entrar).toHaveTextContent('Demasiados intentos; espera 5 s.');
    expect(within(entrar).getByLabelText('Email')).toHaveValue('ana@example.com');
    expect(within(entrar).getByLabelText('Contraseña')).toHaveValue('');
    expect(barra()).not.toHaveTextContent('Hola');
  });

  it('on the event page: back to the sign-in form keeps the email; then signed in, buying as Ana', async () => {
    const user = userEvent.setup();
    window.history.pushState(null, '', '/eventos/e1');
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'POST /api/usuarios/codigo': codigoEnviado,
      'POST /api/usuarios/password': json({ mensaje: GUARDADA }),
      'POST /api/sesiones': json(sesionDe({ ...ana, tiene_password: true }), 201),
    });
    render(<App />);
    await screen.findByRole('heading', { name: 'Rock en el Parque' });
    await user.click(screen.getByRole('button', { name: '¿Olvidaste tu contraseña o no tienes una?' }));
    const paso1 = screen.getByRole('form', { name: 'Recuperar contraseña' });
    await user.type(within(paso1).getByLabelText('Email'), 'ana@example.com');
    await user.click(within(paso1).getByRole('button', { name: 'Volver a iniciar sesión' }));
    const entrar = screen.getByRole('form', { name: 'Iniciar sesión' });
    expect(within(entrar).getByLabelText('Email')).toHaveValue('ana@example.com');

    await pedirCodigo(user);
    const paso2 = await screen.findByRole('form', { name: 'Crear nueva contraseña' });
    await user.click(within(paso2).getByRole('button', { name: 'Usar otro email' }));
    expect(within(screen.getByRole('form', { name: 'Recuperar contraseña' })).getByLabelText('Email')).toHaveValue('ana@example.com');
    await user.click(screen.getByRole('button', { name: 'Enviar código' }));
    const otra = await screen.findByRole('form', { name: 'Crear nueva contraseña' });
    await user.type(within(otra).getByLabelText('Código'), '654321');
    await user.type(within(otra).getByLabelText('Nueva contraseña'), 'una frase bien larga');
    await user.click(within(otra).getByRole('button', { name: 'Guardar contraseña' }));
    expect(await screen.findByTestId('comprador')).toHaveTextContent('Comprando como Ana Quispe');
    expect(window.location.pathname).toBe('/eventos/e1');
  });
});
