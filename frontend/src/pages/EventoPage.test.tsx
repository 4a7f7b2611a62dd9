import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from '../App';
import { ana, evento, pasosOk, reserva } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';
import type { Llamada } from '../test/fetch';

beforeEach(() => {
  window.history.pushState(null, '', '/eventos/e1');
});

async function identificarComoAna(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText('Tu email'), 'ana@example.com');
  await user.click(screen.getByRole('button', { name: 'Continuar' }));
  await screen.findByTestId('comprador');
}

describe('EventoPage', () => {
  it('shows zones with prices; a sold-out zone cannot be chosen', async () => {
    mockFetch({ 'GET /api/eventos/e1': json(evento) });
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'Rock en el Parque' })).toBeInTheDocument();
    const campo = screen.getByRole('radio', { name: /Campo/ });
    const platea = screen.getByRole('radio', { name: /Platea/ });
    expect(campo).toBeChecked();
    expect(platea).toBeDisabled();
    expect(platea.closest('label')).toHaveTextContent('Agotado');
    // Quantity goes up to min(10, available).
    expect(within(screen.getByLabelText('Cantidad')).getAllByRole('option')).toHaveLength(7);
    expect(screen.getByRole('button', { name: 'Reservar' })).toBeDisabled();
  });

  it('books: identifies the buyer, sends a fresh Idempotency-Key per attempt, shows the steps', async () => {
    const user = userEvent.setup();
    let liberar: () => void = () => {};
    const reservas: Llamada[] = [];
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'GET /api/usuarios/ana%40example.com': json(ana),
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
    expect(screen.getByTestId('comprador')).toHaveTextContent('Ana Quispe');
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
    expect(reservas[0].body).toEqual({
      usuario_id: ana.id,
      evento_id: 'e1',
      zona: 'Campo',
      cantidad: 3,
      pago: { metodo: 'tarjeta', numero_tarjeta: '4242424242424242' },
    });

    await user.click(screen.getByRole('button', { name: 'Reservar' }));
    expect(await screen.findByRole('heading', { name: 'Agotado' })).toBeInTheDocument();
    expect(screen.getByTestId('resultado')).toHaveTextContent('Solo quedan 1 entrada');
    const [k1, k2] = reservas.map((r) => r.headers['idempotency-key']);
    expect(k1).toMatch(/^[0-9a-f-]{36}$/);
    expect(k2).toMatch(/^[0-9a-f-]{36}$/);
    expect(k1).not.toBe(k2);
  });

  it('follows a 202 (outcome not known yet) until the reservation is confirmed', async () => {
    const user = userEvent.setup();
    let lecturas = 0;
    mockFetch({
      'GET /api/eventos/e1': json(evento),
      'GET /api/usuarios/ana%40example.com': json(ana),
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
      'GET /api/usuarios/ana%40example.com': json(ana),
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
          pasos: [
            { handler: 'ValidadorDatos', resultado: 'ok', duracion_ms: 1 },
            { handler: 'ValidadorInventario', resultado: 'ok', duracion_ms: 1 },
            { handler: 'ProcesadorPago', resultado: 'fallido', duracion_ms: 0 },
          ],
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

  it('registers a new buyer inline and shows each field error from the API', async () => {
    const user = userEvent.setup();
    let intentos = 0;
    const { llamadas } = mockFetch({
      'GET /api/eventos/e1': json(evento),
      'GET /api/usuarios/nuevo%40example.com': problem('no-encontrado', 404),
      'POST /api/usuarios': () =>
        intentos++ === 0
          ? problem('validacion', 422, {
              errors: [
                { campo: 'nro_documento', mensaje: 'debe tener de 4 a 20 letras, dígitos o guiones' },
                { campo: 'nombre', mensaje: 'no puede estar vacío' },
              ],
            })
          : json({ ...ana, id: 'u2', email: 'nuevo@example.com', nombre: 'Nuevo' }, 201),
    });
    render(<App />);
    await user.type(await screen.findByLabelText('Tu email'), 'nuevo@example.com');
    await user.click(screen.getByRole('button', { name: 'Continuar' }));
    expect(await screen.findByText(/No encontramos ese email/)).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveValue('nuevo@example.com');
    await user.selectOptions(screen.getByLabelText('Tipo de documento'), 'PASAPORTE');
    await user.type(screen.getByLabelText('Número de documento'), '1');
    await user.click(screen.getByRole('button', { name: 'Registrarme' }));
    expect(await screen.findByText('debe tener de 4 a 20 letras, dígitos o guiones')).toBeInTheDocument();
    expect(screen.getByText('no puede estar vacío')).toBeInTheDocument();
    expect(screen.getByLabelText('Número de documento')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Apellido')).not.toHaveAttribute('aria-invalid');

    await user.clear(screen.getByLabelText('Número de documento'));
    await user.type(screen.getByLabelText('Número de documento'), 'AB123456');
    await user.type(screen.getByLabelText('Nombre'), 'Nuevo');
    await user.type(screen.getByLabelText('Apellido'), 'Comprador');
    await user.click(screen.getByRole('button', { name: 'Registrarme' }));
    expect(await screen.findByTestId('comprador')).toHaveTextContent('Nuevo');
    const alta = llamadas.filter((l) => l.method === 'POST').at(-1)!;
    expect(alta.body).toEqual({
      tipo_documento: 'PASAPORTE',
      nro_documento: 'AB123456',
      nombre: 'Nuevo',
      apellido: 'Comprador',
      email: 'nuevo@example.com',
    });
  });

  it('says so when the event does not exist', async () => {
    mockFetch({ 'GET /api/eventos/e1': problem('no-encontrado', 404, { detail: 'No existe el evento e1' }) });
    render(<App />);
    const alerta = await screen.findByRole('alert');
    expect(alerta).toHaveTextContent('Este evento no existe');
    expect(alerta).toHaveTextContent('No existe el evento e1');
  });
});
