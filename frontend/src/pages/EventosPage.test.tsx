import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { App } from '../App';
import { mismaZona, zonaNavegador } from '../fecha';
import { evento } from '../test/datos';
import { json, mockFetch, problem } from '../test/fetch';

describe('EventosPage', () => {
  it('lists upcoming events with prices, live availability and sold-out zones', async () => {
    const { llamadas } = mockFetch({ 'GET /api/eventos': json({ items: [evento], total: 1, limit: 100, offset: 0 }) });
    render(<App />);
    expect(screen.getByRole('status')).toHaveTextContent('Cargando eventos');
    const link = await screen.findByRole('link', { name: 'Rock en el Parque' });
    expect(link).toHaveAttribute('href', '/eventos/e1');
    expect(llamadas[0].url).toMatch(/^\/api\/eventos\?desde=.+&limit=100$/);
    const tarjeta = link.closest('li')!;
    expect(tarjeta).toHaveTextContent('Estadio Nacional');
    // In the event's zone: 21:00 in Lima, never the hour of the machine running this.
    expect(tarjeta).toHaveTextContent('domingo, 14 de marzo de 2027, 21:00');
    expect(tarjeta.textContent!.includes('(hora de Lima)')).toBe(!mismaZona(zonaNavegador(), 'America/Lima'));
    expect(tarjeta).toHaveTextContent('7 disponibles');
    const platea = within(tarjeta).getByRole('row', { name: /Platea/ });
    expect(platea).toHaveTextContent('S/ 150.00');
    expect(platea).toHaveTextContent('Agotado');
    expect(within(tarjeta).getByRole('row', { name: /Campo/ })).toHaveTextContent('S/ 80.00');
  });

  it('the availability badge agrees in number: 1 disponible, 2 disponibles, Agotado at 0', async () => {
    const con = (id: string, n: number) => ({ ...evento, id, nombre: `Evento ${id}`, entradas_disponibles: n });
    mockFetch({ 'GET /api/eventos': json({ items: [con('a', 1), con('b', 2), con('c', 0)] }) });
    render(<App />);
    const tarjeta = async (id: string) => (await screen.findByRole('link', { name: `Evento ${id}` })).closest('li')!;
    expect(within(await tarjeta('a')).getByText('1 disponible')).toHaveClass('etiqueta');
    expect(within(await tarjeta('b')).getByText('2 disponibles')).toHaveClass('etiqueta');
    expect(await tarjeta('c')).not.toHaveTextContent('disponible ');
    expect(within(await tarjeta('c')).getAllByText('Agotado')[0]).toHaveClass('etiqueta');
  });

  it('shows an empty state', async () => {
    mockFetch({ 'GET /api/eventos': json({ items: [], total: 0, limit: 100, offset: 0 }) });
    render(<App />);
    expect(await screen.findByText(/No hay eventos próximos/)).toBeInTheDocument();
  });

  it('shows the error in plain words and retries', async () => {
    let n = 0;
    mockFetch({
      'GET /api/eventos': () =>
        n++ === 0 ? problem('servicio-no-disponible', 503, { dependencia: 'mongodb' }) : json({ items: [evento] }),
    });
    render(<App />);
    expect(await screen.findByRole('alert')).toHaveTextContent('Servicio no disponible: la base de datos no responde');
    screen.getByRole('button', { name: 'Reintentar' }).click();
    expect(await screen.findByRole('link', { name: 'Rock en el Parque' })).toBeInTheDocument();
  });
});
