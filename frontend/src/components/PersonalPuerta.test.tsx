// "Personal de puerta" (issue 28): the organizer creates, lists and removes door staff, with
// the organizer's session (X-Sesion: organizador).
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { conCookies, evento, org } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';

const luis = { id: 's1', email: 'luis@andinas.pe', nombre: 'Luis', creado_en: '2027-01-01T00:00:00Z' };

describe('Personal de puerta', () => {
  it('lists, creates (a 422 at its field) and removes door staff after asking', async () => {
    window.history.pushState(null, '', '/organizador');
    let personal = [luis];
    let intentos = 0;
    const { llamadas } = mockFetch({
      'GET /api/sesiones/actual': conCookies({ organizador: org }),
      'GET /api/eventos': json({ items: [{ ...evento, organizador_id: org.id }], total: 1, limit: 100, offset: 0 }),
      'GET /api/eventos/e1/conciliacion': problem('x', 503),
      'GET /api/staff': () => json(personal),
      'POST /api/staff': (l) => {
        if (++intentos === 1) return problem('validacion', 422, { errors: [{ campo: 'password', mensaje: 'Esa contraseña es demasiado común.' }] });
        const s = { id: 's2', creado_en: '2027-01-02T00:00:00Z', ...(l.body as { email: string; nombre: string }) };
        personal = [...personal, { id: s.id, email: s.email, nombre: s.nombre, creado_en: s.creado_en }];
        return json(s, 201);
      },
      'DELETE /api/staff/s1': () => {
        personal = personal.filter((p) => p.id !== 's1');
        return { status: 204 };
      },
    });
    const user = userEvent.setup();
    render(<App />);
    const seccion = await screen.findByTestId('personal-puerta');
    expect(within(seccion).getByRole('link', { name: 'Abrir «Ingreso»' })).toHaveAttribute('href', '/organizador/ingreso');
    expect(llamadas.some((l) => l.url === '/api/staff')).toBe(false);
    await user.click(within(seccion).getByRole('button', { name: 'Gestionar el personal de puerta' }));
    expect(await within(seccion).findByText('luis@andinas.pe')).toBeInTheDocument();

    await user.type(within(seccion).getByLabelText('Nombre'), 'Rosa');
    await user.type(within(seccion).getByLabelText('Email'), 'Rosa@Andinas.pe');
    await user.type(within(seccion).getByLabelText('Contraseña'), 'password123');
    await user.click(within(seccion).getByRole('button', { name: 'Crear cuenta de puerta' }));
    expect(await within(seccion).findByText('Esa contraseña es demasiado común.')).toBeInTheDocument();
    await user.clear(within(seccion).getByLabelText('Contraseña'));
    await user.type(within(seccion).getByLabelText('Contraseña'), 'una frase bien larga');
    await user.click(within(seccion).getByRole('button', { name: 'Crear cuenta de puerta' }));
    expect(await within(seccion).findByText('Rosa ya puede entrar con rosa@andinas.pe y abrir «Ingreso».')).toBeInTheDocument();
    expect(await within(seccion).findByText('rosa@andinas.pe')).toBeInTheDocument();
    const post = llamadas.filter((l) => l.method === 'POST').at(-1)!;
    expect(post.body).toEqual({ nombre: 'Rosa', email: 'rosa@andinas.pe', password: 'una frase bien larga' });
    expect(post.headers['x-sesion']).toBe('organizador');

    await user.click(within(seccion).getByRole('button', { name: 'Quitar a Luis' }));
    await user.click(within(seccion).getByRole('button', { name: 'Sí, quitar' }));
    expect(await within(seccion).findByText('Luis ya no tiene acceso.')).toBeInTheDocument();
    await waitFor(() => expect(within(seccion).queryByText('luis@andinas.pe')).toBeNull());
    expect(llamadas.find((l) => l.method === 'DELETE')!.headers['x-sesion']).toBe('organizador');
  });
});
