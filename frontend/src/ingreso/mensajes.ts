// What the door's banner says for each answer, in Spanish, big and short.
import type { ApiError } from '../api/client';
import { slug } from '../api/messages';
import type { Conflictos, ResultadoLote } from '../api/types';
import type { Veredicto } from './puerta';

const ANULACION: Record<string, string> = {
  cancelada: 'cancelada',
  transferida: 'transferida',
  devuelta: 'devuelta',
};

/** "21:03", in the venue's zone when known. */
export function hora(iso: string, zona?: string): string {
  try {
    return new Intl.DateTimeFormat('es-PE', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: zona }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat('es-PE', { hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
  }
}

/** The API's refusal of a scan as the door's verdict. */
export function veredictoDeError(e: ApiError, codigo?: string): Veredicto {
  const p = e.problem;
  const motivo = typeof p.motivo === 'string' ? p.motivo : slug(p);
  const texto = (k: string) => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
  if (e.status === 409 && motivo === 'ya-usada') {
    return { admitido: false, motivo: 'ya-usada', codigo, usada_en: texto('usada_en'), puerta: texto('puerta') };
  }
  if (e.status === 409 && motivo === 'anulada') return { admitido: false, motivo: 'anulada', codigo, anulacion: texto('anulacion') };
  if (e.status === 404) return { admitido: false, motivo: 'desconocida', codigo };
  if (e.status === 422 && slug(p) === 'otro-evento') return { admitido: false, motivo: 'otro-evento', codigo };
  if (e.status === 422 && slug(p) === 'firma-invalida') return { admitido: false, motivo: 'firma-invalida', codigo };
  return { admitido: false, motivo: 'error', codigo, detalle: e.message };
}

/** The banner's big line and its smaller one. */
export function textoVeredicto(v: Veredicto, zona?: string): { titulo: string; detalle?: string } {
  if (v.admitido) {
    const partes = [v.zona, v.titular].filter(Boolean).join(' · ');
    return {
      titulo: 'Entrada válida — adelante',
      detalle: [partes, v.pendiente ? 'Pendiente de sincronizar' : undefined].filter(Boolean).join(' · ') || undefined,
    };
  }
  const sinRed = v.sinRed ? ' (comprobado sin conexión)' : '';
  switch (v.motivo) {
    case 'ya-usada': {
      const cuando = v.usada_en ? ` a las ${hora(v.usada_en, zona)}` : '';
      const donde = v.puerta ? ` en ${v.puerta}` : '';
      return { titulo: `Ya usada${cuando}${donde}`, detalle: `No dejes pasar${sinRed}.` };
    }
    case 'anulada':
      return {
        titulo: v.anulacion ? `Anulada (${ANULACION[v.anulacion] ?? v.anulacion})` : 'Anulada',
        detalle: `Esta entrada ya no vale${sinRed}.`,
      };
    case 'desconocida':
      return { titulo: 'Código desconocido', detalle: `No es una entrada de este evento${sinRed}. Revisa el código.` };
    case 'firma-invalida':
      return { titulo: 'QR no válido', detalle: `La firma no coincide: está alterado o es falso${sinRed}.` };
    case 'otro-evento':
      return { titulo: 'Entrada de otro evento', detalle: 'Este QR es de otro evento.' };
    case 'sin-lista':
      return {
        titulo: 'Sin conexión y sin lista',
        detalle: 'Conéctate una vez con este evento abierto para guardar su lista; después se puede escanear sin conexión.',
      };
    default:
      return { titulo: 'No se pudo comprobar', detalle: v.detalle };
  }
}

/** "Admitida dos veces: Puerta 1 21:03 y Puerta 2 21:05", one line per ticket forced in. */
export function conflictos(r: ResultadoLote, zona?: string): string[] {
  return r.forzados.map((f) => {
    const esta = `${f.puerta ?? 'sin puerta'} ${hora(f.escaneado_en, zona)}`;
    return f.primera
      ? `${f.codigo}: admitida dos veces: ${f.primera.puerta ?? 'sin puerta'} ${hora(f.primera.usada_en, zona)} y ${esta}`
      : `${f.codigo}: admitida estando anulada: ${esta}`;
  });
}

const RECHAZOS: Record<string, string> = {
  anulada: 'anulada',
  'ya-usada': 'ya usada',
  'no-encontrada': 'código desconocido',
  'no-encontrado': 'código desconocido',
  desconocida: 'código desconocido',
  'firma-invalida': 'QR no válido',
  'otro-evento': 'de otro evento',
};

/** Why the server refused a queued scan, in words. */
export function motivoRechazo(motivo: string): string {
  return RECHAZOS[motivo] ?? motivo;
}

/** "7K2QX9M4TB (Campo, Ana Quispe): Puerta 1 21:03 y Puerta 2 21:05", one line per ticket. */
export function lineasConflictos(c: Conflictos, zona?: string): string[] {
  return c.conflictos.map((x) => {
    const quien = [x.zona, x.titular].filter(Boolean).join(', ');
    const escaneos = x.escaneos.map((e) => `${e.puerta ?? 'sin puerta'} ${hora(e.escaneado_en, zona)}`);
    const lista = escaneos.length > 1 ? `${escaneos.slice(0, -1).join(', ')} y ${escaneos.at(-1)}` : escaneos.join('');
    return `${x.codigo}${quien ? ` (${quien})` : ''}: ${lista}`;
  });
}
