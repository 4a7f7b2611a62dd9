import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { MemoryRouter } from 'react-router';
import { pasosPagoFallido, reserva } from '../test/datos';
import { resumenDeshecho, ResultadoReserva } from './ResultadoReserva';

const conRouter = (ui: React.ReactNode) => render(<MemoryRouter>{ui}</MemoryRouter>);

describe('ResultadoReserva', () => {
  it('confirms with the total and every SAGA step', () => {
    conRouter(<ResultadoReserva resultado={{ ok: true, reserva: reserva() }} />);
    expect(screen.getByRole('heading', { name: '¡Reserva confirmada!' })).toBeInTheDocument();
    expect(screen.getByText(/2 entradas en Campo · Total S\/ 160.00/)).toBeInTheDocument();
    const pasos = within(screen.getByRole('list', { name: 'Pasos de la reserva' })).getAllByRole('listitem');
    expect(pasos.map((p) => p.textContent)).toEqual([
      '✓Validación de datoscorrecto · 2 ms',
      '✓Retención de entradascorrecto · 1 ms',
      '✓Pagocorrecto · < 1 ms',
      '✓Confirmacióncorrecto · 1 ms',
    ]);
    expect(screen.getByRole('link', { name: 'Ver mis reservas' })).toHaveAttribute('href', '/mis-reservas');
    // Straight to the tickets on the reservation's page.
    expect(screen.getByRole('link', { name: 'Ver tus 2 entradas' })).toHaveAttribute('href', '/reservas/r1');
  });

  it("a guest's link to the tickets carries the reservation's secret (it has no session)", () => {
    conRouter(<ResultadoReserva invitado resultado={{ ok: true, reserva: reserva({ cantidad: 1, secreto: 'S3cr3t' }) }} />);
    expect(screen.getByRole('link', { name: 'Ver tu entrada' })).toHaveAttribute('href', '/reservas/r1?s=S3cr3t');
  });

  it('explains a declined payment: failing step and what was undone', () => {
    const error = new ApiError({
      type: 'urn:eventflow:problem:pago-rechazado',
      title: 'Pago rechazado',
      status: 402,
      detail: 'El pago fue rechazado: tarjeta rechazada',
      motivo: 'tarjeta rechazada',
      reserva_id: 'r2',
      paso: 'ProcesadorPago',
      compensaciones: [
        { handler: 'ValidadorInventario', accion: 'retención de 1 entrada liberada' },
        { handler: 'ValidadorInventario', accion: 'bloqueo de compra liberado' },
      ],
    });
    const fallida = reserva({
      id: 'r2',
      estado: 'FALLIDA',
      pasos: pasosPagoFallido('ok', 0),
    });
    conRouter(<ResultadoReserva resultado={{ ok: false, error, reserva: fallida }} />);
    const r = screen.getByTestId('resultado');
    expect(within(r).getByRole('heading', { name: 'Pago rechazado' })).toBeInTheDocument();
    expect(r).toHaveTextContent('Pago rechazado (tarjeta rechazada): no se te cobró nada');
    expect(r).toHaveTextContent('Falló el paso: Pago');
    expect(r).toHaveTextContent('Retención de entradas: retención de 1 entrada liberada');
    expect(r).toHaveTextContent('Retención de entradas: bloqueo de compra liberado');
    expect(r).toHaveTextContent('Confirmaciónno se ejecutó');
    // Said to a buyer who never held a ticket: nothing was charged.
    expect(r).toHaveTextContent('No se te cobró nada.');
    expect(r).not.toHaveTextContent('no perdiste');
  });

  it('what was undone, for the buyer: no charge, or the payment refunded', () => {
    expect(resumenDeshecho([{ handler: 'ValidadorInventario', accion: 'retención de 1 entrada liberada' }])).toBe('No se te cobró nada.');
    expect(
      resumenDeshecho([
        { handler: 'ProcesadorPago', accion: 'pago de S/ 80.00 reembolsado' },
        { handler: 'ValidadorInventario', accion: 'retención de 1 entrada liberada' },
      ]),
    ).toBe('Se anuló el cobro: se te devolvió el importe completo.');
  });

  it('a step under 1 ms reads "< 1 ms"; longer ones their milliseconds', () => {
    const r = reserva({
      pasos: [
        { handler: 'ValidadorDatos', resultado: 'ok', duracion_ms: 0 },
        { handler: 'ValidadorInventario', resultado: 'ok', duracion_ms: 12 },
      ],
    });
    conRouter(<ResultadoReserva resultado={{ ok: true, reserva: r }} />);
    const pasos = screen.getByRole('list', { name: 'Pasos de la reserva' });
    expect(pasos.querySelector('[data-handler="ValidadorDatos"]')).toHaveTextContent('correcto · < 1 ms');
    expect(pasos.querySelector('[data-handler="ValidadorInventario"]')).toHaveTextContent('correcto · 12 ms');
    expect(pasos).not.toHaveTextContent('0 ms');
  });

  it.each([
    ['agotado', 409, 'Agotado', { disponibles: 0 }],
    ['agotado', 409, 'No quedan suficientes entradas', { disponibles: 1 }],
    ['compra-en-curso', 409, 'Ya tienes una compra en curso', {}],
    ['servicio-no-disponible', 503, 'Servicio no disponible', {}],
  ])('titles %s plainly without the reservation (%s)', (slug, status, titulo, extra) => {
    const error = new ApiError({ type: `urn:eventflow:problem:${slug}`, title: 'x', status, paso: 'ValidadorInventario', ...extra });
    conRouter(<ResultadoReserva resultado={{ ok: false, error }} />);
    expect(screen.getByRole('heading', { name: titulo })).toBeInTheDocument();
    expect(screen.getByTestId('resultado')).toHaveTextContent('Falló el paso: Retención de entradas');
  });
});
