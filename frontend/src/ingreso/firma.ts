// A ticket's QR checked with no network: `EF1.<evento>.<codigo>.<zona b64url>.<kid>.<firma>`,
// whose Ed25519 signature covers the UTF-8 bytes of everything before its last dot
// (reservas-pagos-service/src/domain/firma.rs), with the event's public keys from the
// door's list. WebCrypto's Ed25519 where the browser has it, else @noble/ed25519.
import { verifyAsync } from '@noble/ed25519';
import type { ClaveIngreso } from '../api/types';

export interface QrLeido {
  eventoId: string;
  codigo: string;
  zona?: string;
  kid: string;
  /** The signed bytes: the payload up to its last dot. */
  contenido: string;
  firma: string;
}

export type Verificacion =
  | { ok: true; codigo: string; zona?: string }
  | { ok: false; motivo: 'malformada' | 'otro-evento' | 'clave-desconocida' | 'firma-invalida'; codigo?: string };

export function desdeBase64Url(s: string): Uint8Array {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

/** Whether `texto` looks like a QR payload rather than a typed code. */
export function esQr(texto: string): boolean {
  return texto.trim().startsWith('EF1.');
}

/** The payload's parts, or undefined when it is not an `EF1` payload of six parts. */
export function leerQr(texto: string): QrLeido | undefined {
  const t = texto.trim();
  const partes = t.split('.');
  if (partes.length !== 6 || partes[0] !== 'EF1' || partes.some((p, i) => !p && i !== 3)) return undefined;
  const [, eventoId, codigo, zona64, kid, firma] = partes;
  let zona: string | undefined;
  try {
    zona = zona64 ? new TextDecoder().decode(desdeBase64Url(zona64)) : undefined;
  } catch {
    return undefined;
  }
  return { eventoId, codigo, zona, kid, firma, contenido: t.slice(0, t.lastIndexOf('.')) };
}

async function verificarEd25519(publica: Uint8Array, firma: Uint8Array, datos: Uint8Array): Promise<boolean> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle) {
    try {
      const clave = await subtle.importKey('raw', publica as BufferSource, { name: 'Ed25519' }, false, ['verify']);
      return await subtle.verify({ name: 'Ed25519' }, clave, firma as BufferSource, datos as BufferSource);
    } catch {
      // No Ed25519 in this browser's WebCrypto (NotSupportedError): the library does it.
    }
  }
  try {
    return await verifyAsync(firma, datos, publica);
  } catch {
    return false;
  }
}

/** Checks `texto` as a ticket of `eventoId` signed by one of `claves`. */
export async function verificarQr(texto: string, eventoId: string, claves: ClaveIngreso[]): Promise<Verificacion> {
  const qr = leerQr(texto);
  if (!qr) return { ok: false, motivo: 'malformada' };
  if (qr.eventoId !== eventoId) return { ok: false, motivo: 'otro-evento', codigo: qr.codigo };
  const clave = claves.find((c) => c.kid === qr.kid);
  if (!clave) return { ok: false, motivo: 'clave-desconocida', codigo: qr.codigo };
  let publica: Uint8Array;
  let firma: Uint8Array;
  try {
    publica = desdeBase64Url(clave.publica);
    firma = desdeBase64Url(qr.firma);
  } catch {
    return { ok: false, motivo: 'firma-invalida', codigo: qr.codigo };
  }
  if (publica.length !== 32 || firma.length !== 64) return { ok: false, motivo: 'firma-invalida', codigo: qr.codigo };
  const ok = await verificarEd25519(publica, firma, new TextEncoder().encode(qr.contenido));
  return ok ? { ok: true, codigo: qr.codigo, zona: qr.zona } : { ok: false, motivo: 'firma-invalida', codigo: qr.codigo };
}

/** A typed code as the API compares it: no spaces or dashes, upper case. */
export function normalizarCodigo(texto: string): string {
  return texto.replace(/[\s-]/g, '').toUpperCase();
}
