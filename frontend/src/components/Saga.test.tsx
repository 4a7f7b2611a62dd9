import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Paso } from '../api/types';
import { PasosSaga } from './Saga';

describe('PasosSaga', () => {
  it('shows a step whose outcome is unknown as pending confirmation, never as failed', () => {
    const pasos: Paso[] = [
      { handler: 'ValidadorDatos', resultado: 'ok', duracion_ms: 2 },
      { handler: 'ValidadorInventario', resultado: 'ok', duracion_ms: 1 },
      { handler: 'ProcesadorPago', resultado: 'ok', duracion_ms: 3 },
      { handler: 'ConfirmadorReserva', resultado: 'incierto', duracion_ms: 2000 },
    ];
    render(<PasosSaga pasos={pasos} />);
    const items = within(screen.getByRole('list', { name: 'Pasos de la reserva' })).getAllByRole('listitem');
    const confirmacion = items[3];
    expect(confirmacion).toHaveTextContent('Confirmación');
    expect(confirmacion).toHaveTextContent('pendiente de confirmar');
    expect(confirmacion).not.toHaveTextContent('falló');
    expect(confirmacion).toHaveClass('paso-incierto');
    expect(confirmacion).not.toHaveClass('paso-fallido');
    expect(within(confirmacion).getByText('…')).toBeInTheDocument();
  });

  it('still shows a refused step as failed', () => {
    const pasos: Paso[] = [
      { handler: 'ValidadorDatos', resultado: 'ok', duracion_ms: 2 },
      { handler: 'ValidadorInventario', resultado: 'fallido', duracion_ms: 1 },
    ];
    render(<PasosSaga pasos={pasos} />);
    const items = within(screen.getByRole('list', { name: 'Pasos de la reserva' })).getAllByRole('listitem');
    expect(items[1]).toHaveClass('paso-fallido');
    expect(items[1]).toHaveTextContent('falló');
    expect(items[2]).toHaveTextContent('no se ejecutó');
  });

  it('lists the steps in the order the answer gives them, then the chain’s steps not run yet', () => {
    // A chain with a step the UI does not know yet, run in the server's order.
    const pasos: Paso[] = [
      { handler: 'ValidadorDatos', resultado: 'ok', duracion_ms: 2 },
      { handler: 'ControlAntifraude', resultado: 'ok', duracion_ms: 4 },
      { handler: 'ValidadorInventario', resultado: 'fallido', duracion_ms: 1 },
    ];
    render(<PasosSaga pasos={pasos} fallido="ValidadorInventario" />);
    const items = within(screen.getByRole('list', { name: 'Pasos de la reserva' })).getAllByRole('listitem');
    expect(items.map((li) => li.dataset.handler)).toEqual([
      'ValidadorDatos',
      'ControlAntifraude',
      'ValidadorInventario',
      'ProcesadorPago',
      'ConfirmadorReserva',
    ]);
    expect(items[1]).toHaveTextContent('correcto');
    expect(items[3]).toHaveTextContent('no se ejecutó');
    expect(items[4]).toHaveTextContent('no se ejecutó');
  });
});
