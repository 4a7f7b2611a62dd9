import { describe, expect, it } from 'vitest';
import { deletrearCodigo, formatDuracion, formatFechaCorta, formatPrecio, gruposCodigo } from './format';

describe('formatPrecio', () => {
  it('formats integer céntimos as soles with two decimals', () => {
    expect(formatPrecio(15000)).toBe('S/ 150.00');
    expect(formatPrecio(8050)).toBe('S/ 80.50');
    expect(formatPrecio(5)).toBe('S/ 0.05');
    expect(formatPrecio(0)).toBe('S/ 0.00');
    expect(formatPrecio(150000000)).toBe('S/ 1,500,000.00');
    expect(formatPrecio(-2500)).toBe('-S/ 25.00');
  });
});

describe('timestamps', () => {
  it('formats a timestamp and leaves garbage as it came (event dates: fecha.test.ts)', () => {
    expect(formatFechaCorta('2027-03-14T21:00:00Z')).toMatch(/2027/);
    expect(formatFechaCorta('no es fecha')).toBe('no es fecha');
  });
});

describe('formatDuracion', () => {
  it('under 1 ms reads "< 1 ms", never "0 ms"', () => {
    expect(formatDuracion(0)).toBe('< 1 ms');
    expect(formatDuracion(0.4)).toBe('< 1 ms');
    expect(formatDuracion(Number.NaN)).toBe('< 1 ms');
  });

  it('whole milliseconds, then seconds', () => {
    expect(formatDuracion(1)).toBe('1 ms');
    expect(formatDuracion(37.6)).toBe('38 ms');
    expect(formatDuracion(999)).toBe('999 ms');
    expect(formatDuracion(1500)).toBe('1.5 s');
  });
});

describe('ticket codes', () => {
  it('groups a code by four for reading, and spells it a character at a time', () => {
    expect(gruposCodigo('7K2QX9M4TB')).toEqual(['7K2Q', 'X9M4', 'TB']);
    expect(gruposCodigo('ABCD')).toEqual(['ABCD']);
    expect(gruposCodigo('')).toEqual([]);
    expect(deletrearCodigo('7K2QX9M4TB')).toBe('7 K 2 Q, X 9 M 4, T B');
  });
});
