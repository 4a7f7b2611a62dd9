import { describe, expect, it } from 'vitest';
import { entradas, formatFecha, formatPrecio, parsePrecio } from './format';

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

describe('parsePrecio', () => {
  it('reads amounts typed in soles back into céntimos', () => {
    expect(parsePrecio('150')).toBe(15000);
    expect(parsePrecio('150.5')).toBe(15050);
    expect(parsePrecio('150.05')).toBe(15005);
    expect(parsePrecio(' S/ 1,500.00 ')).toBe(150000);
    expect(parsePrecio('0')).toBe(0);
  });

  it('refuses what is not an amount', () => {
    for (const t of ['', 'abc', '-1', '1.234', '1e3', '12.']) expect(parsePrecio(t)).toBeNull();
  });
});

describe('dates and counts', () => {
  it('formats a date in Spanish and leaves garbage as it came', () => {
    expect(formatFecha('2027-03-14T21:00:00Z')).toMatch(/2027/);
    expect(formatFecha('2027-03-14T21:00:00Z')).toMatch(/marzo/);
    expect(formatFecha('no es fecha')).toBe('no es fecha');
  });

  it('counts tickets in Spanish', () => {
    expect(entradas(1)).toBe('1 entrada');
    expect(entradas(3)).toBe('3 entradas');
  });
});
