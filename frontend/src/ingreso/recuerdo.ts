// What the door's page needs to open again with no network, besides IndexedDB's list and
// queue: who was signed in (the organizer or door account: its id and name, no token,
// which stays in the proxy's HttpOnly cookie) and the events to choose from. Public data
// only, in localStorage; used only while the browser still holds the session's cookie
// (signing out clears it) and the session has not expired.
import type { Evento } from '../api/types';
import { hayCookieDeSesion } from '../api/client';
import type { SesionOrganizador } from '../organizador';

const SESION = 'eventflow.puerta.sesion';
const EVENTOS = 'eventflow.puerta.eventos';

function leer<T>(clave: string): T | undefined {
  try {
    const v = window.localStorage.getItem(clave);
    return v ? (JSON.parse(v) as T) : undefined;
  } catch {
    return undefined;
  }
}

function guardar(clave: string, valor: unknown) {
  try {
    window.localStorage.setItem(clave, JSON.stringify(valor));
  } catch {
    // storage full or disabled: the page then needs the network to open
  }
}

export const recordarSesionPuerta = (s: SesionOrganizador) => guardar(SESION, s);
/** The events of `duenoId` this door last saw (another account's are never shown). */
export const recordarEventosPuerta = (duenoId: string, items: Evento[]) => guardar(EVENTOS, { duenoId, items });
export function eventosRecordados(duenoId: string): Evento[] | undefined {
  const r = leer<{ duenoId: string; items: Evento[] }>(EVENTOS);
  return r?.duenoId === duenoId ? r.items : undefined;
}

/** The last session of this browser's door, while its cookie is there and it has not expired. */
export function sesionRecordada(): SesionOrganizador | undefined {
  const s = leer<SesionOrganizador>(SESION);
  if (!s || !hayCookieDeSesion('organizador')) return undefined;
  return Date.parse(s.expira_en) > Date.now() ? s : undefined;
}
