import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from '../App';
import { evento } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';
import { fechaLocalARfc3339 } from './OrganizadorPage';

beforeEach(() => {
  window.history.pushState(null, '', '/organizador');
});

describe('OrganizadorPage', () => {
  it('shows sales per zone', async () => {
    mockFetch({ 'GET /api/eventos': json({ items: [evento] }) });
    render(<App />);
    const ventas = await screen.findByRole('article');
    const campo = within(ventas).getByRole('row', { name: /^Campo/ });
    expect(campo.querySelector('.vendidas')).toHaveTextContent('3');
    expect(campo.querySelector('.disponibles')).toHaveTextContent('7');
    expect(campo.querySelector('.capacidad')).toHaveTextContent('10');
    expect(campo).toHaveTextContent('S/ 240.00');
    expect(within(ventas).getByRole('row', { name: /^Total/ })).toHaveTextContent('S/ 540.00');
  });

  it('shows the reconciliation of each event: 0 discrepancias, or what was found', async () => {
    window.sessionStorage.setItem('eventflow.token-organizador', 'eventflow-dev-admin');
    const informe = {
      evento_id: 'e1', revisado_en: '2026-12-01T20:00:00Z', vendidas: 3, confirmadas: 3,
      reservas: { CONFIRMADA: 3 }, pagos: { APROBADO: 3 }, en_curso: 0, discrepancias: [], pendientes: 0,
    };
    const { llamadas } = mockFetch({
      'GET /api/eventos': json({ items: [evento, { ...evento, id: 'e2', nombre: 'Otro' }] }),
      'GET /api/eventos/e1/conciliacion': json(informe),
      'GET /api/eventos/e2/conciliacion': json({
        ...informe,
        evento_id: 'e2',
        pendientes: 1,
        discrepancias: [
          { tipo: 'confirmada-sin-venta', reserva_id: 'r9', detalle: 'la reserva está CONFIRMADA pero eventos no tiene su venta', reparada: false },
        ],
      }),
    });
    render(<App />);
    const ok = await screen.findByTestId('conciliacion-e1');
    expect(ok).toHaveTextContent('Conciliación: 0 discrepancias · ventas, reservas y pagos coinciden');
    const mal = await screen.findByTestId('conciliacion-e2');
    expect(mal).toHaveTextContent('1 discrepancia');
    expect(mal).toHaveTextContent('eventos no tiene su venta (r9) · revisar');
    const c = llamadas.find((l) => l.url.endsWith('/e1/conciliacion'))!;
    expect(c.headers.authorization).toBe('Bearer eventflow-dev-admin');
    window.sessionStorage.clear();
  });

  it('publishes an event with zones, the token as Bearer and prices in céntimos', async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({
      'GET /api/eventos': json({ items: [] }),
      'POST /api/eventos': json({ ...evento, id: 'nuevo', nombre: 'Jazz' }, 201),
    });
    render(<App />);
    await user.type(screen.getByLabelText('Token de administrador'), 'eventflow-dev-admin');
    await user.type(screen.getByLabelText('Nombre del evento'), 'Jazz');
    await user.type(screen.getByLabelText('Lugar'), 'Teatro');
    await user.type(screen.getByLabelText('Fecha y hora'), '2027-05-01T20:30');
    await user.type(screen.getByLabelText('Zona 1'), 'General');
    await user.type(screen.getByLabelText('Precio (S/)'), '120.50');
    await user.type(screen.getByLabelText('Capacidad'), '300');
    await user.click(screen.getByRole('button', { name: 'Añadir zona' }));
    await user.type(screen.getByLabelText('Zona 2'), 'VIP');
    await user.type(screen.getAllByLabelText('Precio (S/)')[1], '300');
    await user.type(screen.getAllByLabelText('Capacidad')[1], '50');
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    expect(await screen.findByText(/Evento publicado/)).toHaveTextContent('Jazz');
    const post = llamadas.find((l) => l.method === 'POST')!;
    expect(post.headers.authorization).toBe('Bearer eventflow-dev-admin');
    expect(post.body).toEqual({
      nombre: 'Jazz',
      lugar: 'Teatro',
      fecha: new Date('2027-05-01T20:30').toISOString(),
      zonas: [
        { nombre: 'General', precio: 12050, capacidad: 300 },
        { nombre: 'VIP', precio: 30000, capacidad: 50 },
      ],
    });
    // The form is ready for the next one.
    expect(screen.getByLabelText('Nombre del evento')).toHaveValue('');
  });

  it('shows the API field errors next to each field, zones included, and a bad token', async () => {
    const user = userEvent.setup();
    let n = 0;
    mockFetch({
      'GET /api/eventos': json({ items: [] }),
      'POST /api/eventos': () =>
        n++ === 0
          ? problem('validacion', 422, {
              errors: [
                { campo: 'nombre', mensaje: 'no puede estar vacío' },
                { campo: 'zonas[0].capacidad', mensaje: 'debe estar entre 1 y 1000000' },
              ],
            })
          : problem('no-autorizado', 401),
    });
    render(<App />);
    await user.type(screen.getByLabelText('Token de administrador'), 'x');
    await user.type(screen.getByLabelText('Fecha y hora'), '2027-05-01T20:30');
    await user.type(screen.getByLabelText('Precio (S/)'), '10');
    await user.type(screen.getByLabelText('Capacidad'), '0');
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    expect(await screen.findByText('no puede estar vacío')).toBeInTheDocument();
    expect(screen.getByText('debe estar entre 1 y 1000000')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('El token falta o no es válido');
  });

  it('checks what the API cannot: amounts in soles, a date and a token', async () => {
    const user = userEvent.setup();
    const { llamadas } = mockFetch({ 'GET /api/eventos': json({ items: [] }) });
    render(<App />);
    await user.type(screen.getByLabelText('Precio (S/)'), 'caro');
    await user.click(screen.getByRole('button', { name: 'Publicar evento' }));
    expect(screen.getByText('inicia sesión como organizador o ingresa el token de administrador')).toBeInTheDocument();
    expect(screen.getByText('elige fecha y hora')).toBeInTheDocument();
    expect(screen.getByText(/un importe en soles/)).toBeInTheDocument();
    expect(llamadas.filter((l) => l.method === 'POST')).toHaveLength(0);
  });

  it('converts datetime-local to RFC 3339', () => {
    expect(fechaLocalARfc3339('')).toBeNull();
    expect(fechaLocalARfc3339('2027-05-01T20:30')).toBe(new Date('2027-05-01T20:30').toISOString());
  });
});
