import { describe, expect, it } from 'vitest';
import { erroresEnPalabras, etiquetaCampo, frase, repartirErrores } from './campos';

describe('API field paths in words', () => {
  it('labels the paths of a booking, an account and an event in Spanish', () => {
    expect(etiquetaCampo('pago.numero_tarjeta')).toBe('Número de tarjeta');
    expect(etiquetaCampo('pago.cvv')).toBe('Código de seguridad (CVV)');
    expect(etiquetaCampo('cantidad')).toBe('Cantidad');
    expect(etiquetaCampo('zona')).toBe('Zona');
    expect(etiquetaCampo('nro_documento')).toBe('Número de documento');
    expect(etiquetaCampo('zonas[0].precio')).toBe('Zona 1: precio');
    expect(etiquetaCampo('zonas[2]')).toBe('Zona 3');
  });

  it('an unknown path reads as words, never as the path', () => {
    expect(etiquetaCampo('pago.fecha_vencimiento')).toBe('Fecha vencimiento');
    expect(etiquetaCampo('zonas[1].max_por_comprador')).toBe('Zona 2: max por comprador');
    expect(etiquetaCampo('')).toBe('Dato');
  });

  it('a message as a sentence', () => {
    expect(frase('no es un número de tarjeta válido')).toBe('No es un número de tarjeta válido.');
    expect(frase('Ya está.')).toBe('Ya está.');
  });

  it('lists errors with labels', () => {
    expect(erroresEnPalabras([{ campo: 'pago.numero_tarjeta', mensaje: 'no es válido' }, { campo: 'email', mensaje: 'falta' }])).toBe(
      'Número de tarjeta: no es válido; Email: falta',
    );
  });

  it("splits a 422 between a form's inputs and the rest", () => {
    const { porCampo, resto } = repartirErrores(
      [
        { campo: 'pago.numero_tarjeta', mensaje: 'no es un número de tarjeta válido' },
        { campo: 'pago.numero_tarjeta', mensaje: 'segundo' },
        { campo: 'cantidad', mensaje: 'debe estar entre 1 y 10' },
        { campo: 'email', mensaje: 'no es un email válido' },
      ],
      { 'pago.numero_tarjeta': 'tarjeta', cantidad: 'cantidad' } as const,
    );
    expect(porCampo).toEqual({ tarjeta: 'no es un número de tarjeta válido', cantidad: 'debe estar entre 1 y 10' });
    expect(resto).toEqual([{ campo: 'email', mensaje: 'no es un email válido' }]);
  });
});
