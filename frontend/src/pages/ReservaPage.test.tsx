import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { CODIGOS, evento, pasosPagoFallido, reserva, rutasQr } from '../test/datos';
import type { Reserva } from '../api/types';
import { json, mockFetch, problem, svg } from '../test/fetch';
import type { Llamada, Ruta } from '../test/fetch';

const SECRETO = 'q7VnM2xW_kP0aZ-3bYc9dA';
const invitada = () => reserva({ id: 'r1', usuario_id: 'u9' });
const bitacora = {
  reserva_id: 'r1',
  eventos: [
    { seq: 1, tipo: 'ReservaIniciada', datos: { cantidad: 2, zona: 'Campo' }, en: '2026-11-24T20:00:00Z' },
    { seq: 2, tipo: 'PagoAprobado', datos: { monto: 16000, ultimos4: '4242' }, en: '2026-11-24T20:00:00Z' },
    { seq: 3, tipo: 'ReservaConfirmada', datos: { total: 16000 }, en: '2026-11-24T20:00:00Z' },
  ],
};

const abrir = (ruta: string) => window.history.pushState(null, '', ruta);
const reservas = (llamadas: Llamada[]) => llamadas.filter((l) => l.url.startsWith('/api/reservas'));

describe('ReservaPage (/reservas/{id}?s=<secreto>)', () => {
  it('opens a guest reservation with the secret of its link: state, steps and audit trail', async () => {
    abrir(`/reservas/r1?s=${SECRETO}`);
    const { llamadas } = mockFetch({
      'GET /api/reservas/r1': json(invitada()),
      'GET /api/reservas/r1/eventos': json(bitacora),
      'GET /api/eventos/e1': json(evento),
      ...rutasQr(),
    });
    render(<App />);
    const tarjeta = await screen.findByTestId('reserva');
    expect(await within(tarjeta).findByText('Rock en el Parque')).toBeInTheDocument();
    expect(within(tarjeta).getByTestId('estado')).toHaveTextContent('Confirmada');
    expect(tarjeta).toHaveTextContent('2 entradas · Campo');
    expect(tarjeta).toHaveTextContent('S/ 160.00');
    expect(within(tarjeta).getAllByRole('listitem').filter((li) => li.classList.contains('paso'))).toHaveLength(4);
    const log = await within(tarjeta).findByRole('list', { name: 'Historial de la reserva' });
    expect(log).toHaveTextContent('Reserva iniciada');
    expect(log).toHaveTextContent('Pago aprobado');
    expect(log).toHaveTextContent('Reserva confirmada');
    // Every reservation call carries the link's secret, the tickets' QRs too; no session.
    expect(await within(tarjeta).findAllByRole('img', { name: /^Código QR de la entrada \d de 2$/ })).toHaveLength(2);
    const qrs = llamadas.filter((l) => l.url.startsWith('/api/entradas/'));
    expect(qrs.map((l) => l.url)).toEqual(CODIGOS.slice(0, 2).map((c) => `/api/entradas/${c}/qr.svg`));
    for (const l of qrs) {
      expect(l.headers['x-reserva-secreto'], l.url).toBe(SECRETO);
      expect(l.headers.authorization).toBeUndefined();
    }
    expect(reservas(llamadas)).toHaveLength(2);
    for (const l of reservas(llamadas)) {
      expect(l.headers['x-reserva-secreto'], l.url).toBe(SECRETO);
      expect(l.headers.authorization).toBeUndefined();
    }
    // The secret never goes to storage.
    expect(JSON.stringify({ ...localStorage, ...sessionStorage })).not.toContain(SECRETO);
  });

  it('a wrong secret (404) says "No encontramos esa reserva", with nothing of the reservation', async () => {
    abrir('/reservas/r1?s=equivocado');
    const { llamadas } = mockFetch({ 'GET /api/reservas/r1': problem('no-encontrado', 404, { detail: 'No existe la reserva r1' }) });
    render(<App />);
    const alerta = await screen.findByRole('alert');
    expect(alerta).toHaveTextContent('No encontramos esa reserva');
    expect(alerta).not.toHaveTextContent('No existe la reserva r1');
    expect(screen.queryByTestId('reserva')).toBeNull();
    expect(screen.queryByTestId('estado')).toBeNull();
    expect(llamadas).toHaveLength(1);
    expect(llamadas[0].headers['x-reserva-secreto']).toBe('equivocado');
  });

  it('without a secret nor a session it asks nothing (no 401) and says it cannot find it', async () => {
    abrir('/reservas/r1');
    const { llamadas } = mockFetch({});
    render(<App />);
    const alerta = await screen.findByRole('alert');
    expect(alerta).toHaveTextContent('No encontramos esa reserva');
    expect(within(alerta).getByRole('link', { name: 'Iniciar sesión' })).toHaveAttribute('href', '/iniciar-sesion?volver=%2Freservas%2Fr1');
    expect(llamadas).toHaveLength(0);
  });

  it('the guest cancels a CONFIRMADA reservation with the secret, after confirming', async () => {
    abrir(`/reservas/r1?s=${SECRETO}`);
    let cancelada = false;
    const { llamadas } = mockFetch({
      'GET /api/reservas/r1': () => json(invitada()),
      'GET /api/reservas/r1/eventos': () =>
        json(
          cancelada
            ? { ...bitacora, eventos: [...bitacora.eventos, { seq: 4, tipo: 'InventarioDevuelto', datos: { cantidad: 2 }, en: '2026-11-24T21:00:00Z' }] }
            : bitacora,
        ),
      'POST /api/reservas/r1/cancelar': () => {
        cancelada = true;
        return json(reserva({ id: 'r1', usuario_id: 'u9', estado: 'CANCELADA', pago: { id: 'pay_1', estado: 'REEMBOLSADO' } }));
      },
      'GET /api/eventos/e1': json(evento),
      ...rutasQr(),
    });
    const user = userEvent.setup();
    render(<App />);
    const tarjeta = await screen.findByTestId('reserva');
    await user.click(await within(tarjeta).findByRole('button', { name: 'Cancelar reserva' }));
    expect(within(tarjeta).getByRole('alertdialog')).toHaveTextContent('Se reembolsarán S/ 160.00 y las 2 entradas volverán a la venta.');
    await user.click(within(tarjeta).getByRole('button', { name: 'Sí, cancelar' }));
    expect(await within(tarjeta).findByText(/Reserva cancelada\. Se reembolsaron S\/ 160\.00 y 2 entradas volvieron a la venta/)).toBeInTheDocument();
    expect(within(tarjeta).getByTestId('estado')).toHaveTextContent('Cancelada');
    expect(within(tarjeta).queryByRole('button', { name: 'Cancelar reserva' })).toBeNull();
    await waitFor(() => expect(tarjeta).toHaveTextContent('Entradas devueltas a la venta'));
    // The tickets stay on the page, each one saying it no longer gets in.
    const anuladas = within(tarjeta).getAllByTestId('entrada');
    expect(anuladas).toHaveLength(2);
    for (const e of anuladas) expect(e).toHaveTextContent('Anulada · reserva cancelada');
    const post = llamadas.find((l) => l.method === 'POST')!;
    expect(post.url).toBe('/api/reservas/r1/cancelar');
    expect(post.headers['x-reserva-secreto']).toBe(SECRETO);
  });

  it('one ticket: "la entrada volverá a la venta", then "1 entrada volvió a la venta"', async () => {
    abrir(`/reservas/r1?s=${SECRETO}`);
    const una = { cantidad: 1, total: 8000 };
    mockFetch({
      'GET /api/reservas/r1': () => json(reserva({ id: 'r1', usuario_id: 'u9', ...una })),
      'GET /api/reservas/r1/eventos': json(bitacora),
      'POST /api/reservas/r1/cancelar': json(reserva({ id: 'r1', usuario_id: 'u9', estado: 'CANCELADA', ...una })),
      'GET /api/eventos/e1': json(evento),
      ...rutasQr(),
    });
    const user = userEvent.setup();
    render(<App />);
    const tarjeta = await screen.findByTestId('reserva');
    expect(tarjeta).toHaveTextContent('1 entrada · Campo');
    await user.click(await within(tarjeta).findByRole('button', { name: 'Cancelar reserva' }));
    expect(within(tarjeta).getByRole('alertdialog')).toHaveTextContent(
      '¿Seguro que quieres cancelar esta reserva? Se reembolsarán S/ 80.00 y la entrada volverá a la venta.',
    );
    await user.click(within(tarjeta).getByRole('button', { name: 'Sí, cancelar' }));
    expect(await within(tarjeta).findByText('Reserva cancelada. Se reembolsaron S/ 80.00 y 1 entrada volvió a la venta.')).toBeInTheDocument();
  });

  it('a failed reservation shows its failing step and no cancellation', async () => {
    abrir(`/reservas/r3?s=${SECRETO}`);
    mockFetch({
      'GET /api/reservas/r3': json(
        reserva({
          id: 'r3',
          estado: 'FALLIDA',
          pasos: pasosPagoFallido('compensado'),
          fallo: { paso: 'ProcesadorPago', status: 402, tipo: 'pago-rechazado', detalle: 'tarjeta rechazada' },
        }),
      ),
      'GET /api/reservas/r3/eventos': json({ reserva_id: 'r3', eventos: [] }),
      'GET /api/eventos/e1': problem('no-encontrado', 404),
    });
    render(<App />);
    const tarjeta = await screen.findByTestId('reserva');
    expect(within(tarjeta).getByTestId('estado')).toHaveTextContent('Fallida');
    expect(tarjeta).toHaveTextContent('Falló en Pago: tarjeta rechazada');
    expect(within(tarjeta).queryByRole('button', { name: 'Cancelar reserva' })).toBeNull();
    expect(within(tarjeta).queryByRole('heading', { name: 'Tus entradas' })).toBeNull();
    expect(within(tarjeta).queryByTestId('entrada')).toBeNull();
  });

  describe('Tus entradas', () => {
    let llamadas: Llamada[] = [];
    const qrs = () => llamadas.filter((l) => l.url.startsWith('/api/entradas/'));
    /** The reservation page of `r`, opened with its link's secret; resolves to its card. */
    async function pagina(r: Reserva, qr: Record<string, Ruta> = rutasQr()) {
      abrir(`/reservas/${r.id}?s=${SECRETO}`);
      llamadas = mockFetch({
        [`GET /api/reservas/${r.id}`]: json(r),
        [`GET /api/reservas/${r.id}/eventos`]: json({ ...bitacora, reserva_id: r.id }),
        'GET /api/eventos/e1': json(evento),
        ...qr,
      }).llamadas;
      render(<App />);
      return screen.findByTestId('reserva');
    }

    it('a confirmed reservation shows its tickets first: zone, the code in groups of four, spelled, and "Válida"', async () => {
      const tarjeta = await pagina(
        reserva({
          id: 'r1',
          usuario_id: 'u9',
          entradas: [
            { codigo: '7K2QX9M4TB', zona: 'Campo', estado: 'VALIDA' },
            { codigo: 'H3WZ8D1RPE', zona: 'Campo', estado: 'VALIDA', titular: 'Ana Quispe' },
          ],
        }),
      );
      const seccion = within(tarjeta).getByRole('region', { name: 'Tus entradas' });
      const cards = within(seccion).getAllByTestId('entrada');
      expect(cards).toHaveLength(2);
      // Seen: three groups, never the bare 10 characters run together.
      const grupos = (card: HTMLElement) => [...card.querySelectorAll('.codigo-entrada span')].map((g) => g.textContent);
      expect(grupos(cards[0])).toEqual(['7K2Q', 'X9M4', 'TB']);
      expect(grupos(cards[1])).toEqual(['H3WZ', '8D1R', 'PE']);
      expect(cards[0]).toHaveTextContent('Campo');
      expect(cards[0]).toHaveTextContent('1 de 2');
      expect(cards[0]).toHaveTextContent('Válida');
      expect(cards[1]).toHaveTextContent('A nombre de Ana Quispe');
      // Heard: a character at a time, in groups.
      expect(within(cards[0]).getByText('Código: 7 K 2 Q, X 9 M 4, T B')).toBeInTheDocument();
      expect(seccion).toHaveTextContent('En la puerta, muestra el código QR de cada entrada o dicta su código.');
      // Above the steps and the audit trail.
      const pasos = await within(tarjeta).findByRole('heading', { name: 'Pasos de la compra' });
      expect(seccion.compareDocumentPosition(pasos) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    });

    it('says each state in plain Spanish: used, cancelled, transferred, returned', async () => {
      const tarjeta = await pagina(
        reserva({
          id: 'r1',
          cantidad: 4,
          entradas: [
            { codigo: '7K2QX9M4TB', zona: 'Campo', estado: 'USADA' },
            { codigo: 'H3WZ8D1RPE', zona: 'Campo', estado: 'ANULADA', motivo: 'transferida' },
            { codigo: 'Q0N5VY6CJA', zona: 'Campo', estado: 'ANULADA', motivo: 'devuelta' },
            { codigo: 'M8TF2K7GXS', zona: 'Campo', estado: 'VALIDA' },
          ],
        }),
      );
      const estados = within(tarjeta)
        .getAllByTestId('entrada')
        .map((e) => e.querySelector('.entrada-estado')!.textContent);
      expect(estados).toEqual(['Usada', 'Anulada · transferida a otra persona', 'Anulada · devuelta', 'Válida']);
    });

    it('a cancelled reservation lists its tickets as "Anulada · reserva cancelada", with no door hint', async () => {
      const tarjeta = await pagina(reserva({ id: 'r1', estado: 'CANCELADA', pago: { id: 'pay_1', estado: 'REEMBOLSADO' } }));
      const cards = within(tarjeta).getAllByTestId('entrada');
      expect(cards).toHaveLength(2);
      for (const e of cards) expect(e).toHaveTextContent('Anulada · reserva cancelada');
      expect(tarjeta).not.toHaveTextContent('En la puerta');
      expect(tarjeta).not.toHaveTextContent('Válida');
    });

    it('nothing while the purchase is still in progress, nor for a failed one', async () => {
      for (const estado of ['EN_CURSO', 'FALLIDA'] as const) {
        const tarjeta = await pagina(reserva({ id: `r-${estado}`, estado, pasos: [] }));
        expect(within(tarjeta).getByTestId('estado')).toHaveTextContent(estado === 'FALLIDA' ? 'Fallida' : 'En curso');
        expect(within(tarjeta).queryByRole('region', { name: 'Tus entradas' })).toBeNull();
        expect(within(tarjeta).queryByTestId('entrada')).toBeNull();
        cleanup();
      }
    });

    it('each valid ticket shows its QR, fetched with the secret; a used or annulled one has none', async () => {
      const tarjeta = await pagina(
        reserva({
          id: 'r1',
          cantidad: 3,
          entradas: [
            { codigo: CODIGOS[0], zona: 'Campo', estado: 'VALIDA' },
            { codigo: CODIGOS[1], zona: 'Campo', estado: 'USADA' },
            { codigo: CODIGOS[2], zona: 'Campo', estado: 'ANULADA', motivo: 'devuelta' },
          ],
        }),
      );
      const img = await within(tarjeta).findByRole('img', { name: 'Código QR de la entrada 1 de 3' });
      expect(img.getAttribute('src')).toMatch(/^data:image\/svg\+xml;charset=utf-8,%3Csvg/);
      const cards = within(tarjeta).getAllByTestId('entrada');
      expect(within(cards[0]).getByRole('img')).toBe(img);
      expect(within(cards[1]).queryByRole('img')).toBeNull();
      expect(within(cards[2]).queryByRole('img')).toBeNull();
      expect(qrs().map((l) => l.url)).toEqual([`/api/entradas/${CODIGOS[0]}/qr.svg`]);
      expect(qrs()[0].headers['x-reserva-secreto']).toBe(SECRETO);
    });

    it('a QR that cannot load says so in Spanish, with no broken image, and "Reintentar" brings it', async () => {
      let fallar = true;
      const tarjeta = await pagina(reserva({ id: 'r1', cantidad: 1 }), {
        [`GET /api/entradas/${CODIGOS[0]}/qr.svg`]: () => (fallar ? problem('error-servidor', 500) : svg()),
      });
      const aviso = await within(tarjeta).findByTestId('qr-error');
      expect(aviso).toHaveTextContent('No pudimos cargar el código QR. En la puerta también sirve el código de la entrada.');
      expect(within(tarjeta).queryByRole('img')).toBeNull();
      // The code itself is still there to read out.
      expect(within(tarjeta).getByText('Código: 7 K 2 Q, X 9 M 4, T B')).toBeInTheDocument();
      fallar = false;
      await userEvent.setup().click(within(aviso).getByRole('button', { name: 'Reintentar' }));
      expect(await within(tarjeta).findByRole('img', { name: 'Código QR de la entrada 1 de 1' })).toBeInTheDocument();
      expect(within(tarjeta).queryByTestId('qr-error')).toBeNull();
    });

    it('an answer that is not an SVG (an HTML page, a 404) is no image either', async () => {
      for (const [i, respuesta] of [{ texto: '<!doctype html><html></html>', headers: { 'content-type': 'text/html' } }, problem('no-encontrado', 404)].entries()) {
        const tarjeta = await pagina(reserva({ id: `r${i}`, cantidad: 1 }), { [`GET /api/entradas/${CODIGOS[0]}/qr.svg`]: respuesta });
        await within(tarjeta).findByTestId('qr-error');
        expect(within(tarjeta).queryByRole('img')).toBeNull();
        cleanup();
      }
    });

    it('a cancelled reservation asks for no QR', async () => {
      const tarjeta = await pagina(reserva({ id: 'r1', estado: 'CANCELADA' }));
      expect(within(tarjeta).getAllByTestId('entrada')).toHaveLength(2);
      expect(within(tarjeta).queryByRole('img')).toBeNull();
      expect(qrs()).toEqual([]);
    });
  });
});
