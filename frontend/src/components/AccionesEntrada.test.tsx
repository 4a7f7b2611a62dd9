// The buyer's ticket actions (issue 28): the PDF and the calendar entry, one ticket given
// back or handed to someone, a lost link re-sent, and a transferred ticket's own page.
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { App } from '../App';
import { CODIGOS, evento, reserva, rutasQr } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';

const SECRETO = 'q7VnM2xW_kP0aZ-3bYc9dA';
const abrir = (ruta: string) => window.history.pushState(null, '', ruta);
const invitada = () => reserva({ id: 'r1', usuario_id: 'u9' });
const base = () => ({
  'GET /api/reservas/r1': json(invitada()),
  'GET /api/reservas/r1/eventos': json({ reserva_id: 'r1', eventos: [] }),
  'GET /api/eventos/e1': json(evento),
  ...rutasQr(),
});

/** URL.createObjectURL as jsdom lacks it: the blobs the page saved, and the names. */
function capturarDescargas() {
  const blobs: Blob[] = [];
  const nombres: string[] = [];
  vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: (b: Blob) => (blobs.push(b), 'blob:x'), revokeObjectURL: () => {} }));
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    nombres.push(this.download);
  });
  return { blobs, nombres };
}

describe('ticket actions on the reservation page', () => {
  it('downloads the PDF and the .ics with the guest secret (fetched, saved as a file)', async () => {
    abrir(`/reservas/r1?s=${SECRETO}`);
    const { llamadas } = mockFetch({
      ...base(),
      'GET /api/reservas/r1/entradas.pdf': { texto: '%PDF-1.7 …', headers: { 'content-type': 'application/pdf' } },
      'GET /api/reservas/r1/evento.ics': { texto: 'BEGIN:VCALENDAR', headers: { 'content-type': 'text/calendar' } },
    });
    const { blobs, nombres } = capturarDescargas();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Descargar PDF' }));
    await waitFor(() => expect(nombres).toEqual(['entradas-r1.pdf']));
    expect(await blobs[0].text()).toMatch(/^%PDF/);
    await user.click(screen.getByRole('button', { name: 'Añadir al calendario' }));
    await waitFor(() => expect(nombres).toEqual(['entradas-r1.pdf', 'evento-r1.ics']));
    for (const url of ['/api/reservas/r1/entradas.pdf', '/api/reservas/r1/evento.ics']) {
      const l = llamadas.find((x) => x.url === url)!;
      expect(l.headers['x-reserva-secreto'], url).toBe(SECRETO);
    }
  });

  it('a failed download says so in Spanish', async () => {
    abrir(`/reservas/r1?s=${SECRETO}`);
    mockFetch({ ...base(), 'GET /api/reservas/r1/entradas.pdf': problem('error', 503) });
    capturarDescargas();
    const user = userEvent.setup();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: 'Descargar PDF' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Ocurrió un error en el servidor');
  });

  it('cancels one ticket after confirming; its share refunded; the reservation loads again', async () => {
    abrir(`/reservas/r1?s=${SECRETO}`);
    let cancelada = false;
    const { llamadas } = mockFetch({
      ...base(),
      'GET /api/reservas/r1': () =>
        json(
          cancelada
            ? reserva({
                id: 'r1',
                usuario_id: 'u9',
                entradas: [
                  { codigo: CODIGOS[0], zona: 'Campo', estado: 'ANULADA', motivo: 'devuelta' },
                  { codigo: CODIGOS[1], zona: 'Campo', estado: 'VALIDA' },
                ],
              })
            : invitada(),
        ),
      [`POST /api/entradas/${CODIGOS[0]}/cancelar`]: () => {
        cancelada = true;
        return json({ reserva_id: 'r1', entrada: { codigo: CODIGOS[0], estado: 'ANULADA', motivo: 'devuelta' }, reembolsado: 8000, entradas_validas: 1 });
      },
    });
    const user = userEvent.setup();
    render(<App />);
    const [primera] = await screen.findAllByTestId('entrada');
    const boton = within(primera).getByRole('button', { name: 'Cancelar esta entrada' });
    // Not a filled red button: the tickets come first (issue 33).
    expect(boton).not.toHaveClass('btn-peligro');
    expect(screen.getByRole('button', { name: 'Cancelar reserva' })).not.toHaveClass('btn-peligro');
    await user.click(boton);
    expect(within(primera).getByRole('alertdialog')).toHaveTextContent('¿Cancelar esta entrada?');
    await user.click(within(primera).getByRole('button', { name: 'Sí, cancelar la entrada' }));
    expect(await screen.findByText('Entrada cancelada. Se te reembolsan S/ 80.00.')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('entrada')[0]).toHaveTextContent('Anulada'));
    const post = llamadas.find((l) => l.method === 'POST')!;
    expect(post.headers['x-reserva-secreto']).toBe(SECRETO);
  });

  it('a used ticket cannot be cancelled: the 409 in words', async () => {
    abrir(`/reservas/r1?s=${SECRETO}`);
    mockFetch({ ...base(), [`POST /api/entradas/${CODIGOS[0]}/cancelar`]: problem('entrada-usada', 409) });
    const user = userEvent.setup();
    render(<App />);
    const [primera] = await screen.findAllByTestId('entrada');
    await user.click(within(primera).getByRole('button', { name: 'Cancelar esta entrada' }));
    await user.click(within(primera).getByRole('button', { name: 'Sí, cancelar la entrada' }));
    expect(await within(primera).findByRole('alert')).toHaveTextContent('Esa entrada ya se usó en la puerta');
  });

  it('transfers one ticket to a name and an email; transfers off is said plainly', async () => {
    abrir(`/reservas/r1?s=${SECRETO}`);
    let veces = 0;
    const { llamadas } = mockFetch({
      ...base(),
      [`POST /api/entradas/${CODIGOS[1]}/transferir`]: () =>
        ++veces === 1
          ? problem('transferencias-no-permitidas', 409)
          : json(
              {
                anterior: { codigo: CODIGOS[1], estado: 'ANULADA', motivo: 'transferida' },
                entrada: { codigo: 'ZZZZZZZZZZ', estado: 'VALIDA' },
                enlace: '/entradas/ZZZZZZZZZZ?s=abc',
              },
              201,
            ),
    });
    const user = userEvent.setup();
    render(<App />);
    const segunda = (await screen.findAllByTestId('entrada'))[1];
    await user.click(within(segunda).getByRole('button', { name: 'Transferir' }));
    await user.type(within(segunda).getByLabelText('Nombre de quien la recibe'), 'Luis Rojas');
    await user.type(within(segunda).getByLabelText('Su email'), ' Luis@Example.com');
    await user.click(within(segunda).getByRole('button', { name: 'Transferir entrada' }));
    expect(await within(segunda).findByRole('alert')).toHaveTextContent('Este evento no permite transferir entradas.');
    await user.click(within(segunda).getByRole('button', { name: 'Transferir entrada' }));
    expect(await screen.findByText(/Entrada transferida a Luis Rojas\. Le enviamos su enlace a luis@example\.com/)).toBeInTheDocument();
    const post = llamadas.filter((l) => l.method === 'POST').at(-1)!;
    expect(post.body).toEqual({ email: 'luis@example.com', nombre: 'Luis Rojas' });
    expect(post.headers['x-reserva-secreto']).toBe(SECRETO);
  });

  it('an event that does not allow transfers shows no "Transferir"', async () => {
    abrir(`/reservas/r1?s=${SECRETO}`);
    mockFetch({ ...base(), 'GET /api/eventos/e1': json({ ...evento, transferencias_permitidas: false }) });
    render(<App />);
    await screen.findByText('Rock en el Parque');
    const [primera] = await screen.findAllByTestId('entrada');
    expect(within(primera).getByRole('button', { name: 'Cancelar esta entrada' })).toBeInTheDocument();
    expect(within(primera).queryByRole('button', { name: 'Transferir' })).toBeNull();
  });
});

describe('¿Perdiste tu enlace? Te lo reenviamos', () => {
  it('on a reservation link without its secret: mails the links again (202, the same answer for anyone)', async () => {
    abrir('/reservas/r1');
    const { llamadas } = mockFetch({
      'POST /api/reservas/reenviar': json({ mensaje: 'Si hay reservas con ese email, te enviamos sus enlaces.' }, 202),
    });
    const user = userEvent.setup();
    render(<App />);
    const form = await screen.findByTestId('reenviar');
    expect(within(form).getByRole('heading', { name: '¿Perdiste tu enlace? Te lo reenviamos' })).toBeInTheDocument();
    await user.type(within(form).getByLabelText('Email de la compra'), 'Ana@Example.com');
    await user.click(within(form).getByRole('button', { name: 'Reenviarme el enlace' }));
    expect(await within(form).findByRole('status')).toHaveTextContent('Si hay reservas con ese email, te enviamos sus enlaces.');
    expect(llamadas.at(-1)!.body).toEqual({ email: 'ana@example.com' });
  });

  it('on "Mis reservas" signed out; a bad email is marked, a 429 gives the wait', async () => {
    abrir('/mis-reservas');
    mockFetch({ 'POST /api/reservas/reenviar': { ...problem('demasiadas-solicitudes', 429), headers: { 'content-type': 'application/problem+json', 'retry-after': '30' } } });
    const user = userEvent.setup();
    render(<App />);
    const form = await screen.findByTestId('reenviar');
    await user.type(within(form).getByLabelText('Email de la compra'), 'no-es-email');
    await user.click(within(form).getByRole('button', { name: 'Reenviarme el enlace' }));
    expect(await within(form).findByText(/Escribe un email válido/)).toBeInTheDocument();
    await user.clear(within(form).getByLabelText('Email de la compra'));
    await user.type(within(form).getByLabelText('Email de la compra'), 'ana@example.com');
    await user.click(within(form).getByRole('button', { name: 'Reenviarme el enlace' }));
    expect(await within(form).findByRole('alert')).toHaveTextContent('Demasiados intentos; espera 30 s.');
    expect(within(form).getByRole('button', { name: 'Reenviarme el enlace' })).toBeDisabled();
  });
});

describe('a transferred ticket’s page (/entradas/{codigo}?s=)', () => {
  it('shows the one ticket with its QR, every call with X-Entrada-Secreto', async () => {
    abrir('/entradas/ZZZZZZZZZZ?s=secreto-entrada');
    const { llamadas } = mockFetch({
      'GET /api/entradas/ZZZZZZZZZZ': json({ codigo: 'ZZZZZZZZZZ', estado: 'VALIDA', zona: 'Campo', titular: 'Luis Rojas', evento_id: 'e1', reserva_id: 'r1', qr: 'EF1.x' }),
      'GET /api/eventos/e1': json(evento),
      'GET /api/entradas/ZZZZZZZZZZ/qr.svg': { texto: '<svg xmlns="http://www.w3.org/2000/svg"></svg>', headers: { 'content-type': 'image/svg+xml' } },
    });
    render(<App />);
    const tarjeta = await screen.findByTestId('entrada-propia');
    expect(await within(tarjeta).findByText('Rock en el Parque')).toBeInTheDocument();
    expect(tarjeta).toHaveTextContent('A nombre de Luis Rojas');
    expect(await within(tarjeta).findByRole('img', { name: 'Código QR de la entrada 1 de 1' })).toBeInTheDocument();
    // The holder of a transferred ticket cannot pass it on or give it back from here.
    expect(within(tarjeta).queryByRole('button', { name: 'Transferir' })).toBeNull();
    for (const l of llamadas.filter((x) => x.url.startsWith('/api/entradas/'))) {
      expect(l.headers['x-entrada-secreto'], l.url).toBe('secreto-entrada');
      expect(l.headers['x-reserva-secreto']).toBeUndefined();
    }
  });

  it('a wrong secret: "No encontramos esa entrada"', async () => {
    abrir('/entradas/ZZZZZZZZZZ?s=mal');
    mockFetch({ 'GET /api/entradas/ZZZZZZZZZZ': problem('no-encontrado', 404) });
    render(<App />);
    expect(await screen.findByRole('alert')).toHaveTextContent('No encontramos esa entrada');
  });
});
