// "Ingreso" (`/organizador/ingreso`): the door. Made for a phone held by the organizer or
// its door staff: pick the event (and the gate), then scan QR codes with the camera or type
// codes. Each answer is one large banner, green (let in) or red (why not), announced to a
// screen reader (role="status").
//
// Online, each scan is `POST /api/eventos/{id}/ingresos` (one conditional write: two gates
// never admit one ticket twice). Offline (no network, or the request did not get through),
// the scan is decided on this device with the event's list kept in IndexedDB
// (src/ingreso/): signatures checked with the event's public keys, revoked and
// already-scanned codes refused, green scans queued with their time and a nonce. The page
// shows how many wait, uploads them when the network is back (`…/ingresos/lote`) and lists
// the tickets that the server found let in twice. A service worker (public/sw.js) keeps
// the page itself available offline.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, comoApiError, nuevaClave } from '../api/client';
import type { ApiError } from '../api/client';
import type { Evento, ListaIngresos, ResultadoLote } from '../api/types';
import { Cargando, MensajeError } from '../components/Estado';
import { claves } from '../consultas';
import { almacenIndexedDb, hayIndexedDb } from '../ingreso/almacen';
import { leerConCamara, precargarLector } from '../ingreso/camara';
import { esQr, normalizarCodigo } from '../ingreso/firma';
import { conflictos, lineasConflictos, motivoRechazo, textoVeredicto, veredictoDeError } from '../ingreso/mensajes';
import { escanearSinRed, esSinRed, fusionarLista, recordarAdmitida, sincronizar } from '../ingreso/puerta';
import type { Veredicto } from '../ingreso/puerta';
import { useOrganizador } from '../organizador';
import type { SesionOrganizador } from '../organizador';
import { AccesoOrganizador } from './OrganizadorPage';
import { FormEntrar, useEntrada } from '../components/FormEntrar';
import { eventosRecordados, recordarEventosPuerta, recordarSesionPuerta, sesionRecordada } from '../ingreso/recuerdo';
import { plural } from '../plural';

const CLAVE_PUERTA = 'eventflow.puerta';
const CLAVE_EVENTO = 'eventflow.puerta.evento';
const ESCANEO: { one: string; other: string } = { one: 'escaneo', other: 'escaneos' };

function puertaRecordada(): string {
  try {
    return window.localStorage.getItem(CLAVE_PUERTA) ?? '';
  } catch {
    return '';
  }
}

/** Whether the browser says it has a network (the request itself decides in the end). */
function useEnLinea(): boolean {
  const [enLinea, setEnLinea] = useState(() => (typeof navigator === 'undefined' ? true : navigator.onLine !== false));
  useEffect(() => {
    const si = () => setEnLinea(true);
    const no = () => setEnLinea(false);
    window.addEventListener('online', si);
    window.addEventListener('offline', no);
    return () => {
      window.removeEventListener('online', si);
      window.removeEventListener('offline', no);
    };
  }, []);
  return enLinea;
}

export function IngresoPage() {
  const { sesion: activa, comprobando } = useOrganizador();
  const enLinea = useEnLinea();
  // Reopened with no network: the last session of this door (its cookie is still here);
  // the server checks it again when the queue goes up.
  const [recordada, setRecordada] = useState<SesionOrganizador>();
  useEffect(() => {
    if (!activa && !enLinea && !comprobando) setRecordada((r) => r ?? sesionRecordada());
  }, [activa, enLinea, comprobando]);
  // Kept while the network is back and the session is asked again (the scanner stays put).
  const sesion = activa ?? (recordada && (!enLinea || comprobando) ? recordada : null);
  useEffect(() => {
    if (activa) recordarSesionPuerta(activa);
  }, [activa]);
  useEffect(() => {
    // The page that must open with no network: the service worker keeps the app's shell.
    if ('serviceWorker' in navigator) void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
  }, []);
  return (
    <div className="pagina-ingreso">
      <h1>Ingreso</h1>
      {sesion ? (
        <Puerta key={sesion.organizador.id} sesion={sesion} />
      ) : comprobando ? (
        <Cargando texto="Comprobando tu sesión…" />
      ) : (
        <>
          <p>Inicia sesión con tu cuenta de personal de puerta, o de organizador, para escanear entradas.</p>
          <div className="dos-columnas">
            <AccesoStaff />
            <AccesoOrganizador />
          </div>
        </>
      )}
    </div>
  );
}

/** The door staff's sign-in (`rol: staff`; an organizer creates these accounts). */
function AccesoStaff() {
  const { iniciarStaff } = useOrganizador();
  const entrada = useEntrada(iniciarStaff, { rol: 'organizador' });
  return (
    <section className="tarjeta organizador-acceso" aria-labelledby="titulo-acceso-staff">
      <h2 id="titulo-acceso-staff">Personal de puerta</h2>
      <FormEntrar
        entrada={entrada}
        id="staff"
        etiqueta="Iniciar sesión como personal de puerta"
        avisos={[]}
        textos={{
          email: 'Email de personal de puerta',
          password: 'Contraseña de personal de puerta',
          placeholder: 'puerta1@productora.pe',
          entrar: 'Entrar a la puerta',
        }}
      >
        <p className="muted">La cuenta te la da el organizador del evento.</p>
      </FormEntrar>
    </section>
  );
}

/** Who scans here, and the way out (the staff have no organizer page). */
function QuienEscanea({ sesion }: { sesion: SesionOrganizador }) {
  const { cerrar } = useOrganizador();
  const [cerrando, setCerrando] = useState(false);
  return (
    <p className="quien-escanea muted">
      Escaneas como <strong>{sesion.organizador.nombre}</strong>
      {sesion.staff ? ' (personal de puerta)' : ''}.{' '}
      <button
        type="button"
        className="btn btn-enlace"
        disabled={cerrando}
        onClick={() => {
          setCerrando(true);
          void cerrar().finally(() => setCerrando(false));
        }}
      >
        {cerrando ? 'Cerrando…' : 'Cerrar sesión'}
      </button>
    </p>
  );
}

function Puerta({ sesion }: { sesion: SesionOrganizador }) {
  // Door staff see their organizer's events; an organizer, its own.
  const duenoId = (sesion.organizador as { organizador_id?: string }).organizador_id ?? sesion.organizador.id;
  const enLinea = useEnLinea();
  const filtro = { limit: 100, organizador_id: duenoId };
  const eventos = useQuery({
    queryKey: claves.eventos(filtro),
    queryFn: async ({ signal }) => {
      const p = await api.eventos(filtro, signal);
      recordarEventosPuerta(duenoId, p.items);
      return p;
    },
    enabled: enLinea,
  });
  // The event this door last scanned for, chosen again on reopening.
  const [eventoId, setEventoId] = useState(() => {
    try {
      return window.localStorage.getItem(CLAVE_EVENTO) ?? '';
    } catch {
      return '';
    }
  });
  const [puerta, setPuerta] = useState(puertaRecordada);
  // With no network, the events this door last saw; also while they load again (the
  // scanner stays on screen when the network comes back).
  const lista = eventos.data?.items ?? (!enLinea || eventos.isPending ? eventosRecordados(duenoId) : undefined) ?? [];
  const evento = lista.find((e) => e.id === eventoId) ?? (lista.length === 1 ? lista[0] : undefined);

  return (
    <>
      <QuienEscanea sesion={sesion} />
      <div className="ingreso-opciones">
        {enLinea && eventos.isPending && <Cargando texto="Cargando eventos…" />}
        {enLinea && eventos.error && <MensajeError error={eventos.error} onReintentar={() => void eventos.refetch()} />}
        {(eventos.data || !enLinea) && lista.length === 0 && <p className="vacio">No hay eventos para escanear.</p>}
        {lista.length > 0 && (
          <div className="campo">
            <label htmlFor="ingreso-evento">Evento</label>
            <select id="ingreso-evento" value={evento?.id ?? ''} onChange={(e) => {
                setEventoId(e.target.value);
                try {
                  window.localStorage.setItem(CLAVE_EVENTO, e.target.value);
                } catch {
                  // storage disabled: chosen again next time
                }
              }}>
              {!evento && <option value="">Elige el evento…</option>}
              {lista.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.nombre}
                </option>
              ))}
            </select>
          </div>
        )}
        <div className="campo">
          <label htmlFor="ingreso-puerta">Puerta (opcional)</label>
          <input
            id="ingreso-puerta"
            value={puerta}
            placeholder="Puerta 1"
            autoComplete="off"
            onChange={(e) => {
              setPuerta(e.target.value);
              try {
                window.localStorage.setItem(CLAVE_PUERTA, e.target.value);
              } catch {
                // storage disabled: the gate is typed again next time
              }
            }}
          />
        </div>
      </div>
      {evento && <Escaner key={evento.id} evento={evento} puerta={puerta.trim() || undefined} />}
    </>
  );
}

interface Estado {
  veredicto?: Veredicto;
  /** Each answer gets a new one, so the same answer twice is announced twice. */
  n: number;
}

function Escaner({ evento, puerta }: { evento: Evento; puerta?: string }) {
  const enLinea = useEnLinea();
  const offline = hayIndexedDb();
  const [estado, setEstado] = useState<Estado>({ n: 0 });
  const [comprobando, setComprobando] = useState(false);
  const [codigo, setCodigo] = useState('');
  const [listaLocal, setListaLocal] = useState<ListaIngresos>();
  const [errorLista, setErrorLista] = useState<ApiError>();
  const [pendientes, setPendientes] = useState(0);
  const [subida, setSubida] = useState<ResultadoLote>();
  const [errorSubida, setErrorSubida] = useState<ApiError>();
  const sincronizando = useRef(false);
  const campo = useRef<HTMLInputElement>(null);

  const contar = useCallback(async () => {
    if (offline) setPendientes((await almacenIndexedDb.pendientes(evento.id)).length);
  }, [evento.id, offline]);

  // The list for offline scanning: the kept one at once, then the server's changes since.
  const actualizarLista = useCallback(async () => {
    if (!offline) return;
    const guardada = await almacenIndexedDb.lista(evento.id);
    setListaLocal(guardada);
    try {
      const nueva = await api.listaIngresos(evento.id, guardada?.version);
      const fusionada = fusionarLista(guardada, nueva);
      await almacenIndexedDb.guardarLista(fusionada);
      setListaLocal(fusionada);
      setErrorLista(undefined);
    } catch (e) {
      const error = comoApiError(e);
      if (!esSinRed(error)) setErrorLista(error);
    }
  }, [evento.id, offline]);

  const subir = useCallback(async () => {
    if (!offline || sincronizando.current) return;
    sincronizando.current = true;
    try {
      const r = await sincronizar(almacenIndexedDb, evento.id, api.loteIngresos);
      if (r) {
        setSubida(r);
        setErrorSubida(undefined);
        // The last answer on screen is no longer waiting.
        setEstado((s) => (s.veredicto?.admitido && s.veredicto.pendiente ? { ...s, veredicto: { ...s.veredicto, pendiente: false } } : s));
      }
    } catch (e) {
      const error = comoApiError(e);
      // No network: they wait, and go when it is back. Anything else is said.
      if (!esSinRed(error)) setErrorSubida(error);
    } finally {
      sincronizando.current = false;
      await contar();
    }
  }, [evento.id, offline, contar]);

  useEffect(() => {
    void contar();
    // What this device kept, at once (with no network, all there is).
    if (offline) void almacenIndexedDb.lista(evento.id).then((l) => l && setListaLocal((ya) => ya ?? l));
    if (!enLinea) return;
    // Back online (or first open): upload what waits, then refresh the list.
    void subir().then(actualizarLista);
    const t = window.setInterval(() => void subir().then(actualizarLista), 30_000);
    return () => window.clearInterval(t);
  }, [enLinea, contar, subir, actualizarLista, offline, evento.id]);

  const decidir = useCallback(
    async (texto: string) => {
      const qr = esQr(texto);
      const leido = qr ? texto.trim() : normalizarCodigo(texto);
      if (!leido) return;
      setComprobando(true);
      const nonce = nuevaClave();
      const en = new Date().toISOString();
      let v: Veredicto;
      const sinRed = () => escanearSinRed(almacenIndexedDb, { eventoId: evento.id, texto: leido, puerta, nonce, en });
      try {
        if (!navigator.onLine && offline) {
          v = await sinRed();
        } else {
          try {
            const a = await api.ingresar(evento.id, { ...(qr ? { qr: leido } : { codigo: leido }), ...(puerta ? { puerta } : {}), nonce });
            v = { admitido: true, codigo: a.entrada, zona: a.zona, titular: a.titular };
            if (offline) await recordarAdmitida(almacenIndexedDb, { eventoId: evento.id, codigo: a.entrada, en, puerta });
          } catch (e) {
            const error = comoApiError(e);
            v = esSinRed(error) && offline ? await sinRed() : veredictoDeError(error, qr ? undefined : leido);
          }
        }
      } catch (e) {
        v = { admitido: false, motivo: 'error', detalle: comoApiError(e).message };
      }
      setEstado((s) => ({ veredicto: v, n: s.n + 1 }));
      setComprobando(false);
      await contar();
    },
    [evento.id, puerta, offline, contar],
  );

  const enviar = (ev: FormEvent) => {
    ev.preventDefault();
    const t = codigo;
    setCodigo('');
    void decidir(t).then(() => campo.current?.focus());
  };

  const texto = estado.veredicto && textoVeredicto(estado.veredicto, evento.zona_horaria);
  return (
    <section className="escaner" aria-labelledby="titulo-escaner">
      <h2 id="titulo-escaner" className="sr-only">
        Escanear entradas de {evento.nombre}
      </h2>
      <p className={`conexion ${enLinea ? 'conexion-si' : 'conexion-no'}`} data-testid="conexion">
        {enLinea ? 'En línea' : 'Sin conexión: las entradas se comprueban con la lista guardada'}
        {offline && pendientes > 0 && (
          <>
            {' · '}
            <strong data-testid="pendientes">{plural(pendientes, ESCANEO)} por sincronizar</strong>
          </>
        )}
      </p>
      <div
        className={`banner-ingreso ${!estado.veredicto ? 'banner-espera' : estado.veredicto.admitido ? 'banner-si' : 'banner-no'}`}
        role="status"
        aria-live="assertive"
        aria-atomic="true"
        data-testid="banner-ingreso"
      >
        {texto ? (
          <>
            <p className="banner-titulo" key={estado.n}>
              <span aria-hidden="true">{estado.veredicto?.admitido ? '✓ ' : '✕ '}</span>
              {texto.titulo}
            </p>
            {texto.detalle && <p className="banner-detalle">{texto.detalle}</p>}
          </>
        ) : (
          <p className="banner-titulo">{comprobando ? 'Comprobando…' : 'Escanea un QR o escribe un código'}</p>
        )}
      </div>
      <form className="form-codigo" onSubmit={enviar}>
        <div className="campo">
          <label htmlFor="ingreso-codigo">Código de la entrada</label>
          <input
            id="ingreso-codigo"
            ref={campo}
            value={codigo}
            onChange={(e) => setCodigo(e.target.value)}
            autoComplete="off"
            autoCapitalize="characters"
            spellCheck={false}
            placeholder="7K2Q X9M4 TB"
            className="codigo-entrada-campo"
          />
        </div>
        <button type="submit" className="btn btn-primario btn-grande" disabled={comprobando || !codigo.trim()}>
          Comprobar
        </button>
      </form>
      <Camara onLeer={decidir} />
      {offline ? (
        <p className="muted lista-estado" data-testid="lista-estado">
          {listaLocal
            ? `Lista guardada para usar sin conexión: ${plural(listaLocal.entradas.length, { one: 'entrada', other: 'entradas' })}, ${plural(listaLocal.revocadas.length, { one: 'anulada', other: 'anuladas' })}.`
            : 'Todavía no hay una lista guardada para usar sin conexión.'}
        </p>
      ) : (
        <p className="muted">Este navegador no puede guardar datos: sin conexión no se podrá escanear.</p>
      )}
      {errorLista && <MensajeError titulo="No se pudo descargar la lista para usar sin conexión" error={errorLista} />}
      {errorSubida && <MensajeError titulo="No se pudieron subir los escaneos pendientes" error={errorSubida} onReintentar={() => void subir()} />}
      {subida && <ResumenSubida r={subida} zona={evento.zona_horaria} />}
      {enLinea && <ConflictosEvento evento={evento} />}
    </section>
  );
}

/** Every ticket of the event let in more than once (any door, offline scans included), on demand. */
function ConflictosEvento({ evento }: { evento: Evento }) {
  const [abierto, setAbierto] = useState(false);
  const c = useQuery({
    queryKey: ['conflictos-ingreso', evento.id],
    queryFn: ({ signal }) => api.conflictosIngreso(evento.id, signal),
    enabled: abierto,
  });
  const lineas = c.data ? lineasConflictos(c.data, evento.zona_horaria) : [];
  return (
    <section className="conflictos-evento" aria-labelledby="titulo-conflictos">
      <h3 id="titulo-conflictos">Entradas admitidas más de una vez</h3>
      <button
        type="button"
        className="btn btn-secundario"
        onClick={() => (abierto ? void c.refetch() : setAbierto(true))}
        disabled={c.isFetching}
      >
        {abierto ? 'Actualizar' : 'Ver las de este evento'}
      </button>
      {c.isFetching && !c.data && <Cargando texto="Buscando…" />}
      {c.error && <MensajeError error={c.error} />}
      {c.data && lineas.length === 0 && <p className="muted">Ninguna: cada entrada entró una sola vez.</p>}
      {lineas.length > 0 && (
        <ul data-testid="conflictos-evento">
          {lineas.map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ResumenSubida({ r, zona }: { r: ResultadoLote; zona?: string }) {
  const dobles = conflictos(r, zona);
  return (
    <section className="tarjeta subida" aria-labelledby="titulo-subida" data-testid="subida">
      <h3 id="titulo-subida">Escaneos sincronizados</h3>
      <p>
        {plural(r.aceptados, { one: 'aceptado', other: 'aceptados' })}
        {r.repetidos > 0 ? `, ${plural(r.repetidos, { one: 'repetido', other: 'repetidos' })}` : ''}
        {r.rechazados.length > 0 ? `, ${plural(r.rechazados.length, { one: 'rechazado', other: 'rechazados' })}` : ''}.
      </p>
      {dobles.length > 0 && (
        <div className="aviso aviso-error">
          <strong className="aviso-titulo">Entradas admitidas dos veces</strong>
          <ul data-testid="conflictos">
            {dobles.map((d) => (
              <li key={d}>{d}</li>
            ))}
          </ul>
        </div>
      )}
      {r.rechazados.length > 0 && (
        <ul className="muted">
          {r.rechazados.map((x) => (
            <li key={x.nonce}>
              {x.codigo ?? 'QR'}: {motivoRechazo(x.motivo)}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Camara({ onLeer }: { onLeer: (texto: string) => Promise<void> }) {
  const video = useRef<HTMLVideoElement>(null);
  const [activa, setActiva] = useState(false);
  const [error, setError] = useState<string>();
  const ultimo = useRef<{ texto: string; en: number }>({ texto: '', en: 0 });
  const leer = useRef(onLeer);
  leer.current = onLeer;

  useEffect(() => {
    if (!activa || !video.current) return;
    let parar: (() => void) | undefined;
    let vivo = true;
    leerConCamara(video.current, (texto) => {
      // A QR held in front of the camera is read many times a second: one scan while it
      // stays in view (else the green "adelante" would turn into "ya usada" under the
      // holder's eyes); shown again after 5 s away, it is a new scan.
      const ahora = Date.now();
      const visto = texto === ultimo.current.texto && ahora - ultimo.current.en < 5000;
      ultimo.current = { texto, en: ahora };
      if (visto) return;
      void leer.current(texto);
    }).then(
      (p) => {
        if (vivo) parar = p;
        else p();
      },
      (e: unknown) => {
        setActiva(false);
        setError(
          e instanceof DOMException && e.name === 'NotAllowedError'
            ? 'No hay permiso para usar la cámara. Escribe el código de la entrada.'
            : 'No se pudo abrir la cámara. Escribe el código de la entrada.',
        );
      },
    );
    return () => {
      vivo = false;
      parar?.();
    };
  }, [activa]);

  const hayCamara = typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia;
  useEffect(() => {
    if (hayCamara) precargarLector();
  }, [hayCamara]);
  if (!hayCamara) return <p className="muted">Este navegador no da acceso a la cámara: escribe el código de cada entrada.</p>;
  return (
    <div className="camara">
      <button
        type="button"
        className="btn btn-secundario"
        aria-pressed={activa}
        onClick={() => {
          setError(undefined);
          setActiva((a) => !a);
        }}
      >
        {activa ? 'Detener la cámara' : 'Escanear con la cámara'}
      </button>
      {error && <p className="campo-error" role="alert">{error}</p>}
      {activa && <video ref={video} className="camara-video" muted playsInline aria-label="Vista de la cámara" />}
    </div>
  );
}
