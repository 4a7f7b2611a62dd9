// The door's offline memory, in IndexedDB (through `idb`): per event, the list the API gave
// (keys, tickets, revocations, its version), the scans made without network waiting to be
// uploaded (the queue), and the tickets this device let in (so a second scan of one is
// refused here too, even after the queue went up). Nothing of it lives only in memory: a
// reload, a crash or a dead battery loses no scan. Where IndexedDB is missing the page
// says that offline scanning is unavailable, rather than keeping scans in memory.
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import type { EscaneoLote, ListaIngresos } from '../api/types';

/** A queued scan, with its event. */
export interface EscaneoGuardado extends EscaneoLote {
  eventoId: string;
}

/** A ticket this device let in (online or offline): when and where. */
export interface UsadaLocal {
  eventoId: string;
  codigo: string;
  en: string;
  puerta?: string;
}

interface Esquema extends DBSchema {
  listas: { key: string; value: ListaIngresos };
  cola: { key: string; value: EscaneoGuardado; indexes: { evento: string } };
  usadas: { key: [string, string]; value: UsadaLocal };
}

export interface Almacen {
  lista(eventoId: string): Promise<ListaIngresos | undefined>;
  guardarLista(lista: ListaIngresos): Promise<void>;
  pendientes(eventoId: string): Promise<EscaneoGuardado[]>;
  /** Queues `e` and records its ticket as let in here, in one transaction. */
  encolar(e: EscaneoGuardado): Promise<void>;
  /** Takes the scans the server answered off the queue. */
  quitar(nonces: string[]): Promise<void>;
  usada(eventoId: string, codigo: string): Promise<UsadaLocal | undefined>;
  marcarUsada(u: UsadaLocal): Promise<void>;
}

export const NOMBRE_BD = 'eventflow-ingreso';

/** Whether this browser has IndexedDB at all. */
export function hayIndexedDb(): boolean {
  return typeof globalThis.indexedDB !== 'undefined';
}

let abierta: Promise<IDBPDatabase<Esquema>> | undefined;

function bd(): Promise<IDBPDatabase<Esquema>> {
  abierta ??= openDB<Esquema>(NOMBRE_BD, 1, {
    upgrade(db) {
      db.createObjectStore('listas', { keyPath: 'evento_id' });
      db.createObjectStore('cola', { keyPath: 'nonce' }).createIndex('evento', 'eventoId');
      db.createObjectStore('usadas', { keyPath: ['eventoId', 'codigo'] });
    },
  });
  return abierta;
}

/** Closes the database (tests, which delete it between cases). */
export async function cerrarAlmacen() {
  const db = await abierta;
  db?.close();
  abierta = undefined;
}

export const almacenIndexedDb: Almacen = {
  async lista(eventoId) {
    return (await bd()).get('listas', eventoId);
  },
  async guardarLista(lista) {
    await (await bd()).put('listas', lista);
  },
  async pendientes(eventoId) {
    const todos = await (await bd()).getAllFromIndex('cola', 'evento', eventoId);
    return todos.sort((a, b) => a.escaneado_en.localeCompare(b.escaneado_en));
  },
  async encolar(e) {
    const tx = (await bd()).transaction(['cola', 'usadas'], 'readwrite');
    await Promise.all([
      tx.objectStore('cola').put(e),
      tx.objectStore('usadas').put({ eventoId: e.eventoId, codigo: e.codigo ?? '', en: e.escaneado_en, puerta: e.puerta ?? undefined }),
      tx.done,
    ]);
  },
  async quitar(nonces) {
    const tx = (await bd()).transaction('cola', 'readwrite');
    await Promise.all([...nonces.map((n) => tx.store.delete(n)), tx.done]);
  },
  async usada(eventoId, codigo) {
    return (await bd()).get('usadas', [eventoId, codigo]);
  },
  async marcarUsada(u) {
    await (await bd()).put('usadas', u);
  },
};
