// The door's decisions without network, and the upload of what was decided: pure logic over
// an Almacen (src/ingreso/almacen.ts), so it is tested without a browser.
//
// Offline, a scan is let in only on what this device knows: a QR whose signature checks
// with the event's listed keys, or a typed code on the list; refused if revoked, annulled,
// used (by the list) or already let in here. A green offline answer is "pendiente de
// sincronizar": the server decides when the queue goes up, the earliest scan wins, and a
// ticket let in at two gates comes back as `forzados`, which the page lists.
import type { ApiError } from '../api/client';
import type { EscaneoLote, ListaIngresos, ResultadoLote } from '../api/types';
import type { Almacen, EscaneoGuardado, UsadaLocal } from './almacen';
import { esQr, normalizarCodigo, verificarQr } from './firma';
import type { Verificacion } from './firma';

/** What the door shows for one scan. */
export type Veredicto =
  | { admitido: true; codigo: string; zona?: string | null; titular?: string | null; pendiente?: boolean }
  | {
      admitido: false;
      motivo: 'ya-usada' | 'anulada' | 'desconocida' | 'firma-invalida' | 'otro-evento' | 'sin-lista' | 'error';
      codigo?: string;
      usada_en?: string | null;
      puerta?: string | null;
      anulacion?: string | null;
      /** Decided on this device, without network. */
      sinRed?: boolean;
      detalle?: string;
    };

/** The list after `nueva`: a whole list replaces, a delta (`completa: false`) merges. */
export function fusionarLista(vieja: ListaIngresos | undefined, nueva: ListaIngresos): ListaIngresos {
  if (nueva.completa || !vieja) return nueva;
  const entradas = new Map(vieja.entradas.map((e) => [e.codigo, e]));
  for (const e of nueva.entradas) entradas.set(e.codigo, e);
  const claves = new Map(vieja.claves.map((c) => [c.kid, c]));
  for (const c of nueva.claves) claves.set(c.kid, c);
  return {
    ...nueva,
    completa: true,
    claves: [...claves.values()],
    entradas: [...entradas.values()],
    revocadas: [...new Set([...vieja.revocadas, ...nueva.revocadas])],
  };
}

const MOTIVO_FIRMA: Record<Exclude<Verificacion, { ok: true }>['motivo'], 'firma-invalida' | 'otro-evento'> = {
  malformada: 'firma-invalida',
  'otro-evento': 'otro-evento',
  'clave-desconocida': 'firma-invalida',
  'firma-invalida': 'firma-invalida',
};

interface Escaneo {
  eventoId: string;
  /** What was read or typed: a QR payload (`EF1.…`) or a code. */
  texto: string;
  puerta?: string;
  nonce: string;
  /** RFC 3339, the scan's own time (the earliest scan wins on upload). */
  en: string;
}

/**
 * One scan decided on this device. A green one is queued (with its nonce) and remembered
 * as let in here, so the same ticket is refused next time.
 */
export async function escanearSinRed(almacen: Almacen, s: Escaneo): Promise<Veredicto> {
  const lista = await almacen.lista(s.eventoId);
  if (!lista) return { admitido: false, motivo: 'sin-lista', sinRed: true };
  let codigo: string;
  let zonaQr: string | undefined;
  const qr = esQr(s.texto);
  if (qr) {
    const v = await verificarQr(s.texto, s.eventoId, lista.claves);
    if (!v.ok) return { admitido: false, motivo: MOTIVO_FIRMA[v.motivo], codigo: v.codigo, sinRed: true };
    codigo = v.codigo;
    zonaQr = v.zona;
  } else {
    codigo = normalizarCodigo(s.texto);
  }
  if (lista.revocadas.includes(codigo)) return { admitido: false, motivo: 'anulada', codigo, sinRed: true };
  const aqui = await almacen.usada(s.eventoId, codigo);
  if (aqui) return { admitido: false, motivo: 'ya-usada', codigo, usada_en: aqui.en, puerta: aqui.puerta, sinRed: true };
  const conocida = lista.entradas.find((e) => e.codigo === codigo);
  if (conocida?.estado === 'ANULADA') return { admitido: false, motivo: 'anulada', codigo, sinRed: true };
  if (conocida?.estado === 'USADA') return { admitido: false, motivo: 'ya-usada', codigo, sinRed: true };
  // A typed code must be on the list; a signed QR proves itself (sold after the list's version).
  if (!conocida && !qr) return { admitido: false, motivo: 'desconocida', codigo, sinRed: true };
  const escaneo: EscaneoGuardado = {
    eventoId: s.eventoId,
    nonce: s.nonce,
    escaneado_en: s.en,
    ...(qr ? { qr: s.texto.trim(), codigo } : { codigo }),
    ...(s.puerta ? { puerta: s.puerta } : {}),
  };
  await almacen.encolar(escaneo);
  return { admitido: true, codigo, zona: conocida?.zona ?? zonaQr, titular: conocida?.titular, pendiente: true };
}

/** Records a ticket let in online, so this device refuses it offline too. */
export function recordarAdmitida(almacen: Almacen, u: UsadaLocal): Promise<void> {
  return almacen.marcarUsada(u);
}

export type Subida = (eventoId: string, escaneos: EscaneoLote[], puerta?: string) => Promise<ResultadoLote>;

/**
 * Uploads the event's queue. Every scan the server answered (accepted, repeated, forced or
 * refused) leaves the queue; a failed upload (network, 5xx) leaves it whole, to go again.
 * Undefined when there was nothing to send.
 */
export async function sincronizar(almacen: Almacen, eventoId: string, subir: Subida): Promise<ResultadoLote | undefined> {
  const cola = await almacen.pendientes(eventoId);
  if (cola.length === 0) return undefined;
  const total: ResultadoLote = { aceptados: 0, repetidos: 0, forzados: [], rechazados: [] };
  // At most MAX_LOTE a request (the API's limit); each batch leaves the queue once answered.
  for (let i = 0; i < cola.length; i += MAX_LOTE) {
    const parte = cola.slice(i, i + MAX_LOTE);
    const r = await subir(
      eventoId,
      parte.map(({ eventoId: _e, ...resto }): EscaneoLote => resto),
    );
    await almacen.quitar(parte.map((e) => e.nonce));
    total.aceptados += r.aceptados;
    total.repetidos += r.repetidos;
    total.forzados.push(...r.forzados);
    total.rechazados.push(...r.rechazados);
  }
  return total;
}

/** The most scans one upload carries (`MAX_LOTE` of shared/src/ingresos.rs). */
export const MAX_LOTE = 500;

/** Whether a failed call means "no network" (so the door decides offline). */
export function esSinRed(e: ApiError): boolean {
  return e.status === 0 && !e.problem.type.endsWith(':cancelada');
}
