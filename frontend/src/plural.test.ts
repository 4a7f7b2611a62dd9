import { describe, expect, it } from 'vitest';
import {
  discrepancias,
  disponibilidad,
  disponibles,
  entradas,
  intentosFallidos,
  notificaciones,
  plural,
  reservas,
  retenidas,
  soloQuedan,
  teQuedanIntentos,
  verEntradas,
  vuelvenALaVenta,
} from './plural';

describe('plural: one helper, Intl.PluralRules("es")', () => {
  it('0 and 2 take the plural, 1 the singular', () => {
    expect([0, 1, 2].map(entradas)).toEqual(['0 entradas', '1 entrada', '2 entradas']);
    expect([0, 1, 2].map(disponibles)).toEqual(['0 disponibles', '1 disponible', '2 disponibles']);
    expect([0, 1, 2].map(reservas)).toEqual(['0 reservas', '1 reserva', '2 reservas']);
    expect([0, 1, 2].map(notificaciones)).toEqual(['0 notificaciones', '1 notificación', '2 notificaciones']);
    expect([0, 1, 2].map(intentosFallidos)).toEqual(['0 intentos fallidos', '1 intento fallido', '2 intentos fallidos']);
    expect([0, 1, 2].map(discrepancias)).toEqual(['0 discrepancias', '1 discrepancia', '2 discrepancias']);
    expect([0, 1, 2].map(retenidas)).toEqual(['0 entradas retenidas', '1 entrada retenida', '2 entradas retenidas']);
  });

  it('verbs agree too', () => {
    expect([0, 1, 2].map(soloQuedan)).toEqual(['No queda ninguna entrada', 'Solo queda 1 entrada', 'Solo quedan 2 entradas']);
    expect([1, 2].map(vuelvenALaVenta)).toEqual(['1 entrada volvió a la venta', '2 entradas volvieron a la venta']);
    expect([1, 4].map(teQuedanIntentos)).toEqual(['Te queda 1 intento', 'Te quedan 4 intentos']);
  });

  it('a zone: "Agotado" only at 0; few left, "Solo queda…"; else "… disponibles"', () => {
    expect(disponibilidad(0)).toBe('Agotado');
    expect(disponibilidad(1)).toBe('Solo queda 1 entrada');
    expect(disponibilidad(2)).toBe('Solo quedan 2 entradas');
    expect(disponibilidad(5)).toBe('Solo quedan 5 entradas');
    expect(disponibilidad(6)).toBe('6 disponibles');
  });

  it('the link to a reservation\'s tickets: "Ver tu entrada", "Ver tus 2 entradas"', () => {
    expect(verEntradas(1)).toBe('Ver tu entrada');
    expect(verEntradas(2)).toBe('Ver tus 2 entradas');
  });

  it('exact millions (CLDR "many") read with the plural', () => {
    expect(plural(1_000_000, { one: 'entrada', other: 'entradas' })).toBe('1000000 entradas');
  });
});
