// The door without network (issue 28): the QR's Ed25519 signature checked with the listed
// keys (the exact bytes reservas signs), revoked and already-scanned codes refused, green
// scans queued in IndexedDB and uploaded once, the list's deltas merged, and the doubles
// the server reports put in words.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { getPublicKeyAsync, signAsync, utils } from '@noble/ed25519';
import type { ListaIngresos, ResultadoLote } from '../api/types';
import { almacenIndexedDb, cerrarAlmacen, NOMBRE_BD } from './almacen';
import { leerQr, normalizarCodigo, verificarQr } from './firma';
import { conflictos, motivoRechazo, textoVeredicto } from './mensajes';
import { escanearSinRed, fusionarLista, MAX_LOTE, recordarAdmitida, sincronizar } from './puerta';

const b64url = (b: Uint8Array) => btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** A key pair and a signer of payloads exactly as reservas-pagos-service/src/domain/firma.rs. */
async function clave(kid = 'K1AB2CD3') {
  const privada = utils.randomSecretKey();
  const publica = await getPublicKeyAsync(privada);
  const firmar = async (evento: string, codigo: string, zona?: string) => {
    const contenido = `EF1.${evento}.${codigo}.${b64url(new TextEncoder().encode(zona ?? ''))}.${kid}`;
    return `${contenido}.${b64url(await signAsync(new TextEncoder().encode(contenido), privada))}`;
  };
  return { kid, publica: b64url(publica), firmar, info: { kid, publica: b64url(publica), estado: 'ACTIVA' as const, creada_en: '2027-01-01T00:00:00Z' } };
}

function lista(extra: Partial<ListaIngresos> = {}): ListaIngresos {
  return {
    evento_id: 'e1',
    version: 3,
    completa: true,
    claves: [],
    entradas: [
      { codigo: '7K2QX9M4TB', zona: 'Campo', titular: 'Ana Quispe', estado: 'VALIDA' },
      { codigo: 'H3WZ8D1RPE', zona: 'Campo', titular: null, estado: 'USADA' },
    ],
    revocadas: ['Q0N5VY6CJA'],
    ...extra,
  };
}

let n = 0;
const escaneo = (texto: string, puerta = 'Puerta 1') => ({ eventoId: 'e1', texto, puerta, nonce: `n${++n}`, en: `2027-03-15T02:0${n % 10}:00Z` });

afterEach(async () => {
  await cerrarAlmacen();
  await new Promise<void>((ok) => {
    const r = indexedDB.deleteDatabase(NOMBRE_BD);
    r.onsuccess = r.onerror = r.onblocked = () => ok();
  });
});

describe('QR signature (EF1.<evento>.<codigo>.<zona b64url>.<kid>.<firma>)', () => {
  it('accepts a payload signed with a listed key; refuses altered, forged, unknown-key and other-event ones', async () => {
    const k = await clave();
    const otra = await clave('OTRAKID0');
    const qr = await k.firmar('e1', '7K2QX9M4TB', 'Platea Alta');
    expect(leerQr(qr)).toMatchObject({ eventoId: 'e1', codigo: '7K2QX9M4TB', zona: 'Platea Alta', kid: k.kid });
    expect(await verificarQr(qr, 'e1', [k.info])).toEqual({ ok: true, codigo: '7K2QX9M4TB', zona: 'Platea Alta' });
    // Another code in a genuine signature's place.
    const alterado = qr.replace('7K2QX9M4TB', 'H3WZ8D1RPE');
    expect(await verificarQr(alterado, 'e1', [k.info])).toMatchObject({ ok: false, motivo: 'firma-invalida' });
    // Signed by a key with the listed kid but another secret.
    const falso = await (await clave(k.kid)).firmar('e1', '7K2QX9M4TB', 'Platea Alta');
    expect(await verificarQr(falso, 'e1', [k.info])).toMatchObject({ ok: false, motivo: 'firma-invalida' });
    expect(await verificarQr(await otra.firmar('e1', 'X'), 'e1', [k.info])).toMatchObject({ ok: false, motivo: 'clave-desconocida' });
    expect(await verificarQr(await k.firmar('e2', 'X'), 'e1', [k.info])).toMatchObject({ ok: false, motivo: 'otro-evento' });
    expect(await verificarQr('EF1.e1.X', 'e1', [k.info])).toMatchObject({ ok: false, motivo: 'malformada' });
    expect(normalizarCodigo(' 7k2q-x9m4 tb ')).toBe('7K2QX9M4TB');
  });
});

describe('offline scans', () => {
  it('without a saved list nothing is let in', async () => {
    const v = await escanearSinRed(almacenIndexedDb, escaneo('7K2QX9M4TB'));
    expect(v).toMatchObject({ admitido: false, motivo: 'sin-lista' });
  });

  it('a known typed code is green "pendiente" and queued; the second scan of it is red "ya usada" with the first time and gate', async () => {
    await almacenIndexedDb.guardarLista(lista());
    const v = await escanearSinRed(almacenIndexedDb, escaneo('7k2q x9m4 tb', 'Puerta 1'));
    expect(v).toMatchObject({ admitido: true, codigo: '7K2QX9M4TB', zona: 'Campo', titular: 'Ana Quispe', pendiente: true });
    expect(textoVeredicto(v)).toEqual({ titulo: 'Entrada válida — adelante', detalle: 'Campo · Ana Quispe · Pendiente de sincronizar' });
    const cola = await almacenIndexedDb.pendientes('e1');
    expect(cola).toHaveLength(1);
    expect(cola[0]).toMatchObject({ codigo: '7K2QX9M4TB', puerta: 'Puerta 1' });
    const otra = await escanearSinRed(almacenIndexedDb, escaneo('7K2QX9M4TB', 'Puerta 2'));
    expect(otra).toMatchObject({ admitido: false, motivo: 'ya-usada', puerta: 'Puerta 1', usada_en: cola[0].escaneado_en, sinRed: true });
    expect(textoVeredicto(otra, 'America/Lima').titulo).toMatch(/^Ya usada a las \d\d:\d\d en Puerta 1$/);
    expect(await almacenIndexedDb.pendientes('e1')).toHaveLength(1);
  });

  it('revoked, used by the list, unknown typed codes and forged QRs are red; nothing queued', async () => {
    const k = await clave();
    await almacenIndexedDb.guardarLista(lista({ claves: [k.info] }));
    expect(await escanearSinRed(almacenIndexedDb, escaneo('Q0N5VY6CJA'))).toMatchObject({ admitido: false, motivo: 'anulada' });
    const revocadaQr = await k.firmar('e1', 'Q0N5VY6CJA', 'Campo');
    expect(await escanearSinRed(almacenIndexedDb, escaneo(revocadaQr))).toMatchObject({ admitido: false, motivo: 'anulada' });
    expect(await escanearSinRed(almacenIndexedDb, escaneo('H3WZ8D1RPE'))).toMatchObject({ admitido: false, motivo: 'ya-usada' });
    expect(await escanearSinRed(almacenIndexedDb, escaneo('ZZZZZZZZZZ'))).toMatchObject({ admitido: false, motivo: 'desconocida' });
    const falso = (await k.firmar('e1', '7K2QX9M4TB', 'Campo')).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect(await escanearSinRed(almacenIndexedDb, escaneo(falso))).toMatchObject({ admitido: false, motivo: 'firma-invalida' });
    expect(await almacenIndexedDb.pendientes('e1')).toHaveLength(0);
  });

  it('a signed QR of a ticket sold after the list is green; queued with its payload', async () => {
    const k = await clave();
    await almacenIndexedDb.guardarLista(lista({ claves: [k.info] }));
    const qr = await k.firmar('e1', 'NUEVA00001', 'Platea');
    expect(await escanearSinRed(almacenIndexedDb, escaneo(qr))).toMatchObject({ admitido: true, codigo: 'NUEVA00001', zona: 'Platea', pendiente: true });
    expect((await almacenIndexedDb.pendientes('e1'))[0]).toMatchObject({ qr, codigo: 'NUEVA00001' });
  });

  it('a ticket let in online on this device is refused offline', async () => {
    await almacenIndexedDb.guardarLista(lista());
    await recordarAdmitida(almacenIndexedDb, { eventoId: 'e1', codigo: '7K2QX9M4TB', en: '2027-03-15T02:03:00Z', puerta: 'Puerta 2' });
    const v = await escanearSinRed(almacenIndexedDb, escaneo('7K2QX9M4TB'));
    expect(v).toMatchObject({ admitido: false, motivo: 'ya-usada', puerta: 'Puerta 2' });
    expect(textoVeredicto(v, 'America/Lima').titulo).toBe('Ya usada a las 21:03 en Puerta 2');
  });

  it('the queue goes up once: answered scans leave it; a failed upload keeps every scan', async () => {
    await almacenIndexedDb.guardarLista(lista({ entradas: [...lista().entradas, { codigo: 'M8TF2K7GXS', zona: 'Campo', estado: 'VALIDA' }] }));
    await escanearSinRed(almacenIndexedDb, escaneo('7K2QX9M4TB'));
    await escanearSinRed(almacenIndexedDb, escaneo('M8TF2K7GXS'));
    const enviados: unknown[] = [];
    await expect(
      sincronizar(almacenIndexedDb, 'e1', async () => {
        throw new TypeError('Failed to fetch');
      }),
    ).rejects.toThrow();
    expect(await almacenIndexedDb.pendientes('e1')).toHaveLength(2);
    const respuesta: ResultadoLote = {
      aceptados: 1,
      repetidos: 0,
      forzados: [
        {
          codigo: 'M8TF2K7GXS',
          nonce: 'x',
          motivo: 'ya-usada',
          puerta: 'Puerta 1',
          escaneado_en: '2027-03-15T02:05:00Z',
          primera: { puerta: 'Puerta 2', usada_en: '2027-03-15T02:03:00Z' },
        },
      ],
      rechazados: [],
    };
    const r = await sincronizar(almacenIndexedDb, 'e1', async (evento, escaneos) => {
      enviados.push({ evento, escaneos });
      return respuesta;
    });
    expect(r).toEqual(respuesta);
    expect(enviados).toHaveLength(1);
    const [{ escaneos }] = enviados as { escaneos: Record<string, unknown>[] }[];
    expect(escaneos.map((e) => e.codigo)).toEqual(['7K2QX9M4TB', 'M8TF2K7GXS']);
    for (const e of escaneos) {
      expect(e).not.toHaveProperty('eventoId');
      expect(typeof e.nonce).toBe('string');
      expect(typeof e.escaneado_en).toBe('string');
    }
    expect(await almacenIndexedDb.pendientes('e1')).toHaveLength(0);
    expect(await sincronizar(almacenIndexedDb, 'e1', async () => respuesta)).toBeUndefined();
    expect(conflictos(respuesta, 'America/Lima')).toEqual(['M8TF2K7GXS: admitida dos veces: Puerta 2 21:03 y Puerta 1 21:05']);
  });

  it('many scans of one ticket at once on one device: exactly one is queued', async () => {
    await almacenIndexedDb.guardarLista(lista());
    // One device scans one after the other (the page awaits each answer); the list of what
    // it let in is what refuses the rest.
    const veredictos = [];
    for (let i = 0; i < 20; i++) veredictos.push(await escanearSinRed(almacenIndexedDb, escaneo('7K2QX9M4TB')));
    expect(veredictos.filter((v) => v.admitido)).toHaveLength(1);
    expect(await almacenIndexedDb.pendientes('e1')).toHaveLength(1);
  });
});

describe('the upload', () => {
  it('goes in batches of at most MAX_LOTE; a ticket let in after its annulment and refusals are said in words', async () => {
    await almacenIndexedDb.guardarLista(lista());
    for (let i = 0; i < MAX_LOTE + 3; i++) {
      await almacenIndexedDb.encolar({ eventoId: 'e1', nonce: `nonce-${i}`, codigo: `C${i}`, escaneado_en: `2027-03-15T02:00:${String(i % 60).padStart(2, '0')}Z` });
    }
    const lotes: number[] = [];
    const r = await sincronizar(almacenIndexedDb, 'e1', async (_e, escaneos) => {
      lotes.push(escaneos.length);
      return { aceptados: escaneos.length, repetidos: 0, forzados: [], rechazados: [] };
    });
    expect(lotes).toEqual([MAX_LOTE, 3]);
    expect(r?.aceptados).toBe(MAX_LOTE + 3);
    expect(await almacenIndexedDb.pendientes('e1')).toHaveLength(0);
    const anulada: ResultadoLote = {
      aceptados: 0,
      repetidos: 0,
      forzados: [{ codigo: 'Q0N5VY6CJA', nonce: 'n', puerta: 'Puerta 3', escaneado_en: '2027-03-15T02:10:00Z', primera: null, motivo: 'anulada' }],
      rechazados: [],
    };
    expect(conflictos(anulada, 'America/Lima')).toEqual(['Q0N5VY6CJA: admitida estando anulada: Puerta 3 21:10']);
    expect(motivoRechazo('firma-invalida')).toBe('QR no válido');
  });
});

describe('the list', () => {
  it('a delta merges into the kept list: tickets by code, keys by kid, revocations added', () => {
    const vieja = lista({ claves: [{ kid: 'A', publica: 'x', estado: 'ACTIVA', creada_en: '' }] });
    const delta: ListaIngresos = {
      evento_id: 'e1',
      version: 5,
      completa: false,
      claves: [{ kid: 'B', publica: 'y', estado: 'ACTIVA', creada_en: '' }],
      entradas: [{ codigo: '7K2QX9M4TB', zona: 'Campo', titular: 'Ana Quispe', estado: 'ANULADA' }],
      revocadas: ['7K2QX9M4TB'],
    };
    const f = fusionarLista(vieja, delta);
    expect(f.version).toBe(5);
    expect(f.claves.map((c) => c.kid)).toEqual(['A', 'B']);
    expect(f.entradas.find((e) => e.codigo === '7K2QX9M4TB')?.estado).toBe('ANULADA');
    expect(f.entradas).toHaveLength(2);
    expect(f.revocadas.sort()).toEqual(['7K2QX9M4TB', 'Q0N5VY6CJA']);
    expect(fusionarLista(vieja, { ...delta, completa: true })).toEqual({ ...delta, completa: true });
  });
});
