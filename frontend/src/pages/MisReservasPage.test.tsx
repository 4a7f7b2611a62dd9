import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from '../App';
import { ana, evento, reserva } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';

beforeEach(() => {
  window.history.pushState(null, '', '/mis-reservas');
});

const notif = (id: string, tipo: string, titulo: string) => ({
  id,
  tipo,
  usuario_id: ana.id,
  evento_id: 'e1',
  reserva_id: 'r1',
  titulo,
  mensaje: `${titulo}.`,
  correlation_id: 'c',
  creada_en: '2026-11-24T20:00:00Z',
});

describe('MisReservasPage', () => {
  it('finds the buyer by email; lists reservations, audit trail and notifications; cancels with confirmation', async () => {
    const user = userEvent.setup();
    let cancelada = false;
    const { llamadas } = mockFetch({
      'GET /api/usuarios/ana%40example.com': json(ana),
      [`GET /api/reservas?usuario_id=${ana.id}&limit=100`]: () =>
        json({
          items: [
            reserva(cancelada ? { estado: 'CANCELADA', pago: { id: 'pay_1', estado: 'REEMBOLSADO' } } : {}),
            reserva({ id: 'r0', estado: 'FALLIDA', fallo: { paso: 'ProcesadorPago', status: 402, tipo: 'pago-rechazado', detalle: 'El pago fue rechazado: tarjeta rechazada' } }),
          ],
          total: 2,
          limit: 100,
          offset: 0,
        }),
      [`GET /api/notificaciones?usuario_id=${ana.id}&limit=50`]: () =>
        json({
          items: cancelada
            ? [notif('n2', 'reserva-cancelada', 'Reserva cancelada'), notif('n1', 'reserva-confirmada', 'Reserva confirmada')]
            : [notif('n1', 'reserva-confirmada', 'Reserva confirmada')],
        }),
      'GET /api/eventos/e1': json(evento),
      'GET /api/reservas/r1/eventos': json({
        reserva_id: 'r1',
        eventos: [
          { seq: 1, tipo: 'ReservaIniciada', datos: { zona: 'Campo', cantidad: 2 }, en: '2026-11-24T20:00:00Z' },
          { seq: 2, tipo: 'PagoAprobado', datos: { monto: 16000, ultimos4: '4242' }, en: '2026-11-24T20:00:00Z' },
          { seq: 3, tipo: 'ReservaConfirmada', datos: { total: 16000 }, en: '2026-11-24T20:00:00Z' },
        ],
      }),
      'POST /api/reservas/r1/cancelar': () => {
        cancelada = true;
        return json(reserva({ estado: 'CANCELADA', pago: { id: 'pay_1', estado: 'REEMBOLSADO' } }));
      },
    });
    render(<App />);
    await user.type(screen.getByLabelText('Tu email'), 'ana@example.com');
    await user.click(screen.getByRole('button', { name: 'Ver mis reservas' }));

    const tarjeta = (await screen.findAllByRole('heading', { name: 'Rock en el Parque' }))[0].closest('li')!;
    expect(within(tarjeta).getByTestId('estado')).toHaveTextContent('Confirmada');
    expect(tarjeta).toHaveTextContent('2 entradas · Campo');
    expect(tarjeta).toHaveTextContent('S/ 160.00');
    const fallida = document.querySelector('[data-reserva-id="r0"]')!;
    expect(fallida).toHaveTextContent('Fallida');
    expect(fallida).toHaveTextContent('Falló en Pago');
    expect(within(fallida as HTMLElement).queryByRole('button', { name: 'Cancelar reserva' })).toBeNull();
    expect(screen.getByText('Reserva confirmada.')).toBeInTheDocument();

    await user.click(within(tarjeta).getByRole('button', { name: 'Ver historial' }));
    const bitacora = await within(tarjeta).findByRole('list', { name: 'Historial de la reserva' });
    expect(bitacora).toHaveTextContent('Reserva iniciada');
    expect(bitacora).toHaveTextContent('Pago aprobado');
    expect(bitacora).toHaveTextContent('S/ 160.00, tarjeta •••• 4242');

    await user.click(within(tarjeta).getByRole('button', { name: 'Cancelar reserva' }));
    const dialogo = within(tarjeta).getByRole('alertdialog');
    expect(dialogo).toHaveTextContent('Se reembolsarán S/ 160.00');
    // "No" keeps it.
    await user.click(within(dialogo).getByRole('button', { name: 'No, mantenerla' }));
    expect(llamadas.some((l) => l.method === 'POST')).toBe(false);
    await user.click(within(tarjeta).getByRole('button', { name: 'Cancelar reserva' }));
    await user.click(within(tarjeta).getByRole('button', { name: 'Sí, cancelar' }));
    expect(await within(tarjeta).findByText(/Reserva cancelada\. Se reembolsaron S\/ 160.00 y 2 entradas volvieron a la venta/)).toBeInTheDocument();
    expect(within(tarjeta).getByTestId('estado')).toHaveTextContent('Cancelada');
    expect(within(tarjeta).queryByRole('button', { name: 'Cancelar reserva' })).toBeNull();
    // The cancellation notification arrives through the bus: the page looks again.
    await waitFor(() => expect(screen.getByText('Reserva cancelada.')).toBeInTheDocument(), { timeout: 3000 });
  });

  it('shows why a cancellation was refused', async () => {
    const user = userEvent.setup();
    mockFetch({
      'GET /api/usuarios/ana%40example.com': json(ana),
      [`GET /api/reservas?usuario_id=${ana.id}&limit=100`]: json({ items: [reserva()] }),
      [`GET /api/notificaciones?usuario_id=${ana.id}&limit=50`]: json({ items: [] }),
      'GET /api/eventos/e1': json(evento),
      'POST /api/reservas/r1/cancelar': problem('evento-finalizado', 409),
    });
    render(<App />);
    await user.type(screen.getByLabelText('Tu email'), 'ana@example.com');
    await user.click(screen.getByRole('button', { name: 'Ver mis reservas' }));
    await user.click(await screen.findByRole('button', { name: 'Cancelar reserva' }));
    await user.click(screen.getByRole('button', { name: 'Sí, cancelar' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('El evento ya se realizó');
    expect(screen.getByText('Sin notificaciones.')).toBeInTheDocument();
  });

  it('says when nobody has that email', async () => {
    const user = userEvent.setup();
    mockFetch({ 'GET /api/usuarios/nadie%40example.com': problem('no-encontrado', 404) });
    render(<App />);
    await user.type(screen.getByLabelText('Tu email'), 'nadie@example.com');
    await user.click(screen.getByRole('button', { name: 'Ver mis reservas' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('No hay un comprador registrado con el email nadie@example.com');
  });
});
