import { describe, expect, it } from 'vitest';
import { fechaLocal, formatFechaEvento, formatFechaLocal, mismaZona, nombreZona, sufijoZona, zonaNavegador } from './fecha';

const lima = { fecha: '2031-03-14T21:00:00-05:00', zona_horaria: 'America/Lima' };

describe('formatFechaEvento', () => {
  it('a Lima event in a UTC browser reads 21:00, the venue hour, and says the zone', () => {
    const texto = formatFechaEvento(lima, 'UTC');
    expect(texto).toBe('viernes, 14 de marzo de 2031, 21:00 (hora de Lima)');
    expect(texto).not.toMatch(/02:00/);
  });

  it('in a Lima browser, the same event has no zone suffix', () => {
    expect(formatFechaEvento(lima, 'America/Lima')).toBe('viernes, 14 de marzo de 2031, 21:00');
  });

  it('reads the instant, whatever offset the API wrote it with', () => {
    expect(formatFechaEvento({ fecha: '2031-03-15T02:00:00Z', zona_horaria: 'America/Lima' }, 'Europe/Madrid')).toBe(
      'viernes, 14 de marzo de 2031, 21:00 (hora de Lima)',
    );
  });

  it('another zone with the same offset is still another zone', () => {
    expect(formatFechaEvento(lima, 'America/Bogota')).toMatch(/21:00 \(hora de Lima\)$/);
  });

  it('a Madrid event, across its DST change, in a Lima browser', () => {
    // 2031-03-30 02:00 → 03:00 in Madrid: 20:00 is UTC+2 then.
    const madrid = { fecha: '2031-03-30T20:00:00+02:00', zona_horaria: 'Europe/Madrid' };
    expect(formatFechaEvento(madrid, 'America/Lima')).toBe('domingo, 30 de marzo de 2031, 20:00 (hora de Madrid)');
    expect(formatFechaEvento(madrid, 'Europe/Madrid')).toBe('domingo, 30 de marzo de 2031, 20:00');
  });

  it('aliases of the browser zone are the same zone: no suffix', () => {
    expect(formatFechaEvento({ fecha: '2031-03-14T21:00:00Z', zona_horaria: 'UTC' }, 'Etc/UTC')).toBe('viernes, 14 de marzo de 2031, 21:00');
    expect(mismaZona('UTC', 'Etc/UTC')).toBe(true);
    expect(mismaZona('America/Lima', 'America/Bogota')).toBe(false);
  });

  it('old data without zona_horaria, or a zone the browser does not know: the browser zone, no suffix', () => {
    expect(formatFechaEvento({ fecha: '2031-03-15T02:00:00Z' }, 'America/Lima')).toBe('viernes, 14 de marzo de 2031, 21:00');
    expect(formatFechaEvento({ fecha: '2031-03-15T02:00:00Z', zona_horaria: null }, 'UTC')).toBe('sábado, 15 de marzo de 2031, 02:00');
    expect(formatFechaEvento({ fecha: '2031-03-15T02:00:00Z', zona_horaria: 'Lima/Peru' }, 'UTC')).toBe('sábado, 15 de marzo de 2031, 02:00');
  });

  it('without an explicit reader zone, the browser is the reader', () => {
    const texto = formatFechaEvento(lima);
    expect(texto.startsWith('viernes, 14 de marzo de 2031, 21:00')).toBe(true);
    expect(texto.endsWith('(hora de Lima)')).toBe(!mismaZona(zonaNavegador(), 'America/Lima'));
  });

  it('leaves garbage as it came', () => {
    expect(formatFechaEvento({ fecha: 'no es fecha', zona_horaria: 'America/Lima' }, 'UTC')).toBe('no es fecha');
  });
});

describe('zone names', () => {
  it('in Spanish words, short', () => {
    expect(nombreZona('America/Lima')).toBe('Lima');
    expect(nombreZona('America/New_York')).toBe('Nueva York');
    expect(nombreZona('America/Argentina/Buenos_Aires')).toBe('Buenos Aires');
    expect(nombreZona('America/Sao_Paulo')).toBe('São Paulo');
    expect(sufijoZona('America/Lima')).toBe('(hora de Lima)');
    expect(sufijoZona('UTC')).toBe('(hora UTC)');
    expect(sufijoZona('Etc/UTC')).toBe('(hora UTC)');
    expect(sufijoZona('Etc/GMT+5')).toBe('(hora Etc/GMT+5)');
  });
});

describe('the organizer form: a local date-time as typed', () => {
  it('keeps a datetime-local value as it is, with no offset', () => {
    expect(fechaLocal('2031-03-14T21:00')).toBe('2031-03-14T21:00');
    expect(fechaLocal('2031-03-14T21:00:00')).toBe('2031-03-14T21:00:00');
    expect(fechaLocal('')).toBeNull();
    expect(fechaLocal('2031-02-30T21:00')).toBeNull();
    expect(fechaLocal('2031-03-14T25:00')).toBeNull();
    expect(fechaLocal('mañana')).toBeNull();
  });

  it('shows it in words with its zone, never converted to the browser zone', () => {
    expect(formatFechaLocal('2031-03-14T21:00', 'America/Lima')).toBe('viernes, 14 de marzo de 2031, 21:00 (hora de Lima)');
    expect(formatFechaLocal('2031-03-30T02:30', 'Europe/Madrid')).toBe('domingo, 30 de marzo de 2031, 02:30 (hora de Madrid)');
    expect(formatFechaLocal('nada', 'America/Lima')).toBe('nada');
  });
});
