import { describe, expect, it } from 'vitest';
import { leerPrecio, parsePrecio, PRECIO_INVALIDO, PRECIO_VACIO } from './precio';

describe('leerPrecio', () => {
  it('a single separator with 1 or 2 digits after it is the decimal one, "," or "."', () => {
    expect(parsePrecio('80,50')).toBe(8050);
    expect(parsePrecio('80.50')).toBe(8050);
    expect(parsePrecio('80,5')).toBe(8050);
    expect(parsePrecio('80.5')).toBe(8050);
    expect(parsePrecio('150.05')).toBe(15005);
    expect(parsePrecio('0,99')).toBe(99);
    expect(parsePrecio('1234,50')).toBe(123450);
  });

  it('whole soles, with or without "S/" and spaces', () => {
    expect(parsePrecio('1234')).toBe(123400);
    expect(parsePrecio('0')).toBe(0);
    expect(parsePrecio(' S/ 80,50 ')).toBe(8050);
    expect(parsePrecio('s/150')).toBe(15000);
  });

  it('thousands only with the other separator and a decimal part', () => {
    expect(parsePrecio('1.234,50')).toBe(123450);
    expect(parsePrecio('1,234.50')).toBe(123450);
    expect(parsePrecio(' S/ 1,500.00 ')).toBe(150000);
    expect(parsePrecio('1.234.567,00')).toBe(123456700);
    expect(parsePrecio('12,345,678.9')).toBe(1234567890);
  });

  it('"1.234" and "1,234" alone are ambiguous: refused, asking for 1234 or 1234,00', () => {
    for (const t of ['1.234', '1,234']) {
      const l = leerPrecio(t);
      expect(l.ok).toBe(false);
      if (!l.ok) expect(l.error).toBe(`no queda claro si «${t}» lleva separador de miles o decimales: escribe 1234 o 1234,00`);
    }
    expect(leerPrecio('80,505')).toEqual({ ok: false, error: 'no queda claro si «80,505» lleva separador de miles o decimales: escribe 80505 o 80505,00' });
  });

  it('several thousands separators without céntimos: refused, saying how to write it', () => {
    const l = leerPrecio('1.234.567');
    expect(l).toEqual({ ok: false, error: 'con separador de miles escribe también los céntimos (1.234.567,00), o escríbelo sin separador: 1234567' });
    const c = leerPrecio('1,234,567');
    expect(c.ok || c.error).toContain('(1,234,567.00)');
  });

  it('refuses what is not an amount', () => {
    expect(leerPrecio('')).toEqual({ ok: false, error: PRECIO_VACIO });
    expect(leerPrecio('  ')).toEqual({ ok: false, error: PRECIO_VACIO });
    for (const t of ['abc', '-1', '1e3', '12.', ',50', '.5', '1.234.50', '1,234,50', '12,34.5', '1.23,45', '1 234', '80,50 soles', '1,2345.00']) {
      expect(leerPrecio(t), t).toEqual({ ok: false, error: PRECIO_INVALIDO });
    }
  });

  it('refuses an amount too large to count in céntimos', () => {
    expect(leerPrecio('9'.repeat(20))).toEqual({ ok: false, error: 'el importe es demasiado grande' });
  });
});
