import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { ana, evento, reserva, rutasQr, sesionDe } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';
import type { Llamada, Ruta } from '../test/fetch';
import type { Usuario } from '../test/formularios';

async function entrar(user: Usuario, email = 'ana@example.com') {
  const form = await screen.findByRole('form', { name: 'Iniciar sesión' });
  await user.clear(within(form).getByLabelText('Email'));
  await user.type(within(form).getByLabelText('Email'), email);
  await user.type(within(form).getByLabelText('Contraseña'), 'una frase bien larga');
  await user.click(within(form).getByRole('button', { name: 'Entrar' }));
}

/**
 * Every call after the sign-in went with the browser's session cookie (which the proxy
 * turns into the Bearer), and with no token of the page's own.
 */
function conSesion(llamadas: Llamada[]) {
  const despues = llamadas.slice(llamadas.findIndex((l) => l.url === '/api/sesiones') + 1);
  expect(despues.length).toBeGreaterThan(0);
  for (const l of despues) {
    expect(l.headers.authorization, `${l.method} ${l.url}`).toBeUndefined();
    expect(l.credentials, `${l.method} ${l.url}`).toBe('same-origin');
  }
}

beforeEach(() => {
  window.history.pushState(null, '', '/mis-reservas');
});

/** A phone-width window for the page's media queries. */
function pantallaEstrecha() {
  vi.stubGlobal('matchMedia', (media: string) => ({
    matches: media.includes('max-width'),
    media,
    onchange: null,
    addEventListener: () => {},
    removeEventListener: () => {},
    addListener: () => {},
    removeListener: () => {},
    dispatchEvent: () => false,
  }));
}

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

/** Ana's page, signed in: her sign-in, her two lists (no notifications unless given), the event. */
function rutasDeAna(reservas: Ruta, notificaciones: Ruta = json({ items: [] })): Record<string, Ruta> {
  return {
    'POST /api/sesiones': json(sesionDe(), 201),
    [`GET /api/reservas?usuario_id=${ana.id}&limit=100`]: reservas,
    [`GET /api/notificaciones?usuario_id=${ana.id}&limit=50`]: notificaciones,
    'GET /api/eventos/e1': json(evento),
  };
}

describe('MisReservasPage', () => {
  it('needs a session: signed out it shows the sign-in form and asks the API nothing', async () => {
    const { llamadas } = mockFetch({});
    render(<App />);
    const form = await screen.findByRole('form', { name: 'Iniciar sesión' });
    expect(screen.getByText('Inicia sesión para ver tus reservas.')).toBeInTheDocument();
    expect(within(form).getByLabelText('Contraseña')).toBeInTheDocument();
    // No free-text lookup by email any more.
    expect(screen.queryByRole('button', { name: 'Ver mis reservas' })).toBeNull();
    expect(within(screen.getByRole('main')).getByRole('link', { name: 'Crear cuenta' })).toHaveAttribute('href', '/crear-cuenta?volver=/mis-reservas');
    expect(llamadas).toEqual([]);
  });

  it("a notification's link opens the reservation page; only paths of this UI become links", async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({
      'POST /api/sesiones': json(sesionDe(), 201),
      [`GET /api/reservas?usuario_id=${ana.id}&limit=100`]: json({ items: [reserva()], total: 1, limit: 100, offset: 0 }),
      [`GET /api/notificaciones?usuario_id=${ana.id}&limit=50`]: json({
        items: [
          { ...notif('n1', 'reserva-confirmada', 'Reserva confirmada'), enlace: '/reservas/r1?s=Sx_123' },
          { ...notif('n2', 'reserva-confirmada', 'Otra'), enlace: 'https://example.org/phish' },
        ],
      }),
      'GET /api/eventos/e1': json(evento),
      'GET /api/reservas/r1': json(reserva()),
      'GET /api/reservas/r1/eventos': json({ reserva_id: 'r1', eventos: [] }),
      ...rutasQr(),
    });
    render(<App />);
    await entrar(user);
    const lista = await screen.findByRole('heading', { name: 'Notificaciones' });
    const enlaces = within(lista.parentElement!).getAllByRole('link', { name: 'Ver la reserva' });
    expect(enlaces).toHaveLength(1);
    expect(enlaces[0]).toHaveAttribute('href', '/reservas/r1?s=Sx_123');
    await user.click(enlaces[0]);
    expect(await screen.findByRole('heading', { name: 'Tu reserva' })).toBeInTheDocument();
    await screen.findByTestId('reserva');
    const leida = llamadas.find((l) => l.url === '/api/reservas/r1')!;
    expect(leida.headers['x-reserva-secreto']).toBe('Sx_123');
    expect(leida.headers.authorization).toBeUndefined();
  });

  it('signed in: lists its own reservations, audit trail and notifications with the session cookie; cancels with confirmation', async () => {
    const user = userEvent.setup();
    let cancelada = false;
    const { llamadas } = mockFetch({
      'POST /api/sesiones': json(sesionDe(), 201),
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
    await entrar(user);

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
    expect(llamadas.some((l) => l.url.endsWith('/cancelar'))).toBe(false);
    await user.click(within(tarjeta).getByRole('button', { name: 'Cancelar reserva' }));
    await user.click(within(tarjeta).getByRole('button', { name: 'Sí, cancelar' }));
    expect(await within(tarjeta).findByText(/Reserva cancelada\. Se reembolsaron S\/ 160.00 y 2 entradas volvieron a la venta/)).toBeInTheDocument();
    expect(within(tarjeta).getByTestId('estado')).toHaveTextContent('Cancelada');
    expect(within(tarjeta).queryByRole('button', { name: 'Cancelar reserva' })).toBeNull();
    // The cancellation notification arrives through the bus: the page looks again.
    await waitFor(() => expect(screen.getByText('Reserva cancelada.')).toBeInTheDocument(), { timeout: 3000 });
    expect(screen.getByText(`Comprador: Ana Quispe (ana@example.com)`)).toBeInTheDocument();
    // Only this buyer's id, always with the session; no lookup of anyone.
    const listas = llamadas.filter((l) => l.url.startsWith('/api/reservas?') || l.url.startsWith('/api/notificaciones?'));
    expect(listas.length).toBeGreaterThanOrEqual(4);
    for (const l of listas) expect(l.url).toContain(`usuario_id=${ana.id}&`);
    expect(llamadas.some((l) => l.url.startsWith('/api/usuarios'))).toBe(false);
    conSesion(llamadas);
  });

  it('lists what the buyer holds first, then the cancelled; failed attempts folded in "Intentos fallidos (n)"', async () => {
    const user = userEvent.setup();
    const fallo = { paso: 'ProcesadorPago', status: 402, tipo: 'pago-rechazado', detalle: 'El pago fue rechazado: tarjeta rechazada' };
    mockFetch({
      'POST /api/sesiones': json(sesionDe(), 201),
      [`GET /api/reservas?usuario_id=${ana.id}&limit=100`]: json({
        items: [
          reserva({ id: 'f1', estado: 'FALLIDA', fallo }),
          reserva({ id: 'c1', estado: 'CANCELADA' }),
          reserva({ id: 'r1' }),
          reserva({ id: 'f2', estado: 'FALLIDA', fallo, cantidad: 1 }),
          reserva({ id: 'e1', estado: 'EN_CURSO' }),
        ],
      }),
      [`GET /api/notificaciones?usuario_id=${ana.id}&limit=50`]: json({ items: [] }),
      'GET /api/eventos/e1': json(evento),
    });
    render(<App />);
    await entrar(user);
    await screen.findByRole('heading', { name: 'Reservas' });
    const ids = (el: ParentNode) => [...el.querySelectorAll('li[data-reserva-id]')].map((li) => li.getAttribute('data-reserva-id'));
    const plegadas = screen.getByTestId('intentos-fallidos');
    const lista = plegadas.parentElement!.querySelector(':scope > ul.lista-reservas')!;
    expect(ids(lista)).toEqual(['r1', 'e1', 'c1']);
    expect(ids(plegadas)).toEqual(['f1', 'f2']);
    expect(plegadas.tagName).toBe('DETAILS');
    expect(plegadas).not.toHaveAttribute('open');
    expect(within(plegadas).getByText('Intentos fallidos (2)').tagName).toBe('SUMMARY');
    expect(plegadas).toHaveTextContent('2 intentos de compra que no se completaron: no se te cobró nada, o se te devolvió el importe.');
    await user.click(within(plegadas).getByText('Intentos fallidos (2)'));
    expect(plegadas).toHaveAttribute('open');
  });

  it('a confirmed reservation links to its tickets with their count; the list shows no codes', async () => {
    const user = userEvent.setup();
    const una = reserva({ id: 'r2', cantidad: 1, entradas: [{ codigo: 'H3WZ8D1RPE', zona: 'Campo', estado: 'VALIDA' }] });
    const unaUsadaUnaTransferida = reserva({
      id: 'r3',
      entradas: [
        { codigo: 'Q0N5VY6CJA', zona: 'Campo', estado: 'USADA' },
        { codigo: 'M8TF2K7GXS', zona: 'Campo', estado: 'ANULADA', motivo: 'transferida' },
      ],
    });
    mockFetch(
      rutasDeAna(json({ items: [reserva({ id: 'r1' }), una, unaUsadaUnaTransferida, reserva({ id: 'c1', estado: 'CANCELADA' }), reserva({ id: 'f1', estado: 'FALLIDA' })] })),
    );
    render(<App />);
    await entrar(user);
    await screen.findByRole('heading', { name: 'Reservas' });
    const tarjeta = (id: string) => document.querySelector<HTMLElement>(`li[data-reserva-id="${id}"]`)!;
    expect(within(tarjeta('r1')).getByRole('link', { name: 'Ver tus 2 entradas' })).toHaveAttribute('href', '/reservas/r1');
    expect(within(tarjeta('r2')).getByRole('link', { name: 'Ver tu entrada' })).toHaveAttribute('href', '/reservas/r2');
    // A transferred ticket is no longer the buyer's.
    expect(within(tarjeta('r3')).getByRole('link', { name: 'Ver tu entrada' })).toHaveAttribute('href', '/reservas/r3');
    for (const id of ['c1', 'f1']) expect(within(tarjeta(id)).queryByRole('link', { name: /^Ver tus? / })).toBeNull();
    expect(screen.queryByTestId('entrada')).toBeNull();
    expect(document.body).not.toHaveTextContent('7K2Q');
  });

  it('one failed attempt: "Intentos fallidos (1)", in the singular; only failures: no reservation held, said so', async () => {
    const user = userEvent.setup();
    mockFetch(rutasDeAna(json({ items: [reserva({ id: 'f1', estado: 'FALLIDA' })] })));
    render(<App />);
    await entrar(user);
    const plegadas = await screen.findByTestId('intentos-fallidos');
    expect(plegadas).toHaveTextContent('Intentos fallidos (1)');
    expect(plegadas).toHaveTextContent('1 intento de compra que no se completó:');
    expect(screen.getByText(/No tienes reservas vigentes/)).toBeInTheDocument();
  });

  it('on a narrow screen, notifications get their own tab', async () => {
    pantallaEstrecha();
    const user = userEvent.setup();
    mockFetch(rutasDeAna(json({ items: [reserva()] }), json({ items: [notif('n1', 'reserva-confirmada', 'Reserva confirmada')] })));
    render(<App />);
    await entrar(user);
    const pestanas = await screen.findByRole('tablist', { name: 'Reservas y notificaciones' });
    const reservas = within(pestanas).getByRole('tab', { name: 'Reservas (1)' });
    const avisos = within(pestanas).getByRole('tab', { name: 'Notificaciones (1)' });
    expect(reservas).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel', { name: 'Reservas (1)' })).toContainElement(document.querySelector('[data-reserva-id="r1"]') as HTMLElement);
    expect(document.getElementById('panel-notificaciones')).not.toBeVisible();

    await user.click(avisos);
    expect(avisos).toHaveAttribute('aria-selected', 'true');
    const panel = screen.getByRole('tabpanel', { name: 'Notificaciones (1)' });
    expect(panel).toHaveTextContent('Reserva confirmada.');
    expect(document.getElementById('panel-reservas')).not.toBeVisible();

    // The tab keys: arrows move between the tabs.
    await user.keyboard('{ArrowLeft}');
    expect(reservas).toHaveFocus();
    expect(reservas).toHaveAttribute('aria-selected', 'true');
    expect(document.getElementById('panel-reservas')).toBeVisible();
  });

  it('on a wide screen there are no tabs: both lists side by side', async () => {
    const user = userEvent.setup();
    mockFetch(rutasDeAna(json({ items: [reserva()] }), json({ items: [notif('n1', 'reserva-confirmada', 'Reserva confirmada')] })));
    render(<App />);
    await entrar(user);
    expect(await screen.findByRole('heading', { name: 'Notificaciones' })).toBeVisible();
    expect(screen.queryByRole('tablist')).toBeNull();
    expect(screen.getByText('Reserva confirmada.')).toBeVisible();
  });

  it('shows why a cancellation was refused', async () => {
    const user = userEvent.setup();
    mockFetch({
      ...rutasDeAna(json({ items: [reserva()] })),
      'POST /api/reservas/r1/cancelar': problem('evento-finalizado', 409),
    });
    render(<App />);
    await entrar(user);
    await user.click(await screen.findByRole('button', { name: 'Cancelar reserva' }));
    await user.click(screen.getByRole('button', { name: 'Sí, cancelar' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('El evento ya se realizó');
    expect(screen.getByText('Sin notificaciones.')).toBeInTheDocument();
  });

  it('signing out empties the page; another buyer sees only theirs', async () => {
    const user = userEvent.setup();
    const luis = { ...ana, id: '22222222-2222-4222-8222-222222222222', nombre: 'Luis', apellido: 'Rojas', email: 'luis@example.com' };
    const { llamadas } = mockFetch({
      'POST /api/sesiones': (l) => {
        const b = l.body as { email: string };
        return b.email === 'luis@example.com' ? json(sesionDe(luis), 201) : json(sesionDe(), 201);
      },
      'DELETE /api/sesiones/actual': { status: 204 },
      [`GET /api/reservas?usuario_id=${ana.id}&limit=100`]: json({ items: [reserva()] }),
      [`GET /api/notificaciones?usuario_id=${ana.id}&limit=50`]: json({ items: [] }),
      [`GET /api/reservas?usuario_id=${luis.id}&limit=100`]: json({ items: [] }),
      [`GET /api/notificaciones?usuario_id=${luis.id}&limit=50`]: json({ items: [] }),
      'GET /api/eventos/e1': json(evento),
    });
    render(<App />);
    await entrar(user);
    expect(await screen.findByRole('button', { name: 'Cancelar reserva' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Cerrar sesión' }));
    expect(await screen.findByRole('form', { name: 'Iniciar sesión' })).toBeInTheDocument();
    expect(document.querySelector('[data-reserva-id]')).toBeNull();
    const salida = llamadas.find((l) => l.method === 'DELETE')!;
    expect(salida.url).toBe('/api/sesiones/actual');
    expect(salida.headers.authorization).toBeUndefined();

    await entrar(user, 'luis@example.com');
    expect(await screen.findByText('Todavía no tienes reservas.', { exact: false })).toBeInTheDocument();
    expect(document.querySelector('[data-reserva-id]')).toBeNull();
    const deLuis = llamadas.slice(llamadas.findIndex((l) => l.url === '/api/sesiones' && (l.body as { email: string }).email === 'luis@example.com') + 1);
    expect(deLuis.length).toBeGreaterThan(0);
    for (const l of deLuis) {
      expect(l.url).not.toContain(ana.id);
      expect(l.headers.authorization).toBeUndefined();
    }
  });

  it('a 401 sesion-invalida while loading drops the session: the sign-in form with the notice', async () => {
    const user = userEvent.setup();
    mockFetch({
      'POST /api/sesiones': json(sesionDe(), 201),
      [`GET /api/reservas?usuario_id=${ana.id}&limit=100`]: problem('sesion-invalida', 401),
      [`GET /api/notificaciones?usuario_id=${ana.id}&limit=50`]: problem('sesion-invalida', 401),
    });
    render(<App />);
    await entrar(user);
    const form = await screen.findByRole('form', { name: 'Iniciar sesión' });
    await waitFor(() => expect(form).toHaveTextContent('Tu sesión caducó; vuelve a iniciar sesión.'));
    expect(document.querySelector<HTMLElement>('header.barra')).not.toHaveTextContent('Hola');
  });
});
