// The signed-in buyer's reservations (status, audit trail, cancellation) and notifications.
// Signed out, the sign-in form: there is no lookup by email.
//
// The reservations a buyer holds (confirmed, in progress) come first, then the cancelled
// ones; failed attempts (FALLIDA: nothing bought) are folded away under "Intentos
// fallidos (n)". On a narrow screen, notifications get a tab of their own rather than
// sitting below every reservation.
import { useEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, comoApiError } from '../api/client';
import type { ApiError } from '../api/client';
import { frase } from '../api/campos';
import type { EstadoReserva, Evento, Notificacion, Reserva, Usuario } from '../api/types';
import { detalleBitacora, nombreEstado, nombreEventoBitacora, nombrePaso } from '../api/messages';
import { claves, invalidarTrasCompra } from '../consultas';
import { useSesion } from '../sesion';
import { IniciarSesion } from '../components/Acceso';
import { Aviso, Cargando, MensajeError } from '../components/Estado';
import { Compensaciones, PasosSaga } from '../components/Saga';
import { formatFechaCorta, formatPrecio } from '../format';
import { UNA_COLUMNA, useMedia } from '../pantalla';
import { entradas, intentosNoCompletados, verEntradas, volveranALaVenta, vuelvenALaVenta } from '../plural';
import { Link } from 'react-router';
import { MetaEvento } from '../components/MetaEvento';
import { Entradas, entradasPropias } from '../components/Entradas';
import { rutaReserva } from '../enlaces';
import { ReenviarEnlace } from '../components/ReenviarEnlace';

/** Order in the list: what the buyer holds, then what was cancelled. FALLIDA is folded apart. */
const GRUPO: Record<EstadoReserva, number> = { CONFIRMADA: 0, EN_CURSO: 0, CANCELANDO: 0, CANCELADA: 1, FALLIDA: 2 };

/** The reservations to list (API order kept within each group) and the failed attempts. */
export function ordenarReservas(reservas: Reserva[]): { vigentes: Reserva[]; fallidas: Reserva[] } {
  const vigentes = reservas
    .filter((r) => r.estado !== 'FALLIDA')
    .map((r, i) => ({ r, i }))
    .sort((a, b) => (GRUPO[a.r.estado] ?? 0) - (GRUPO[b.r.estado] ?? 0) || a.i - b.i)
    .map(({ r }) => r);
  return { vigentes, fallidas: reservas.filter((r) => r.estado === 'FALLIDA') };
}

type Pestana = 'reservas' | 'notificaciones';
const PESTANAS: Pestana[] = ['reservas', 'notificaciones'];

interface Datos {
  reservas: Reserva[];
  eventos: Record<string, Evento>;
  notificaciones: Notificacion[];
  errorNotificaciones?: ApiError;
}

async function cargarDatos(u: Usuario, signal?: AbortSignal): Promise<Datos> {
  const [reservas, notif] = await Promise.all([
    api.reservasDe(u.id, signal),
    api.notificacionesDe(u.id, signal).then(
      (p) => ({ ok: true as const, items: p.items }),
      (e: unknown) => ({ ok: false as const, error: comoApiError(e) }),
    ),
  ]);
  // Event names and dates, once per event; a missing one only loses its name.
  const ids = [...new Set(reservas.items.map((r) => r.evento_id))];
  const eventos: Record<string, Evento> = {};
  await Promise.all(
    ids.map((id) =>
      api.evento(id, signal).then(
        (ev) => {
          eventos[id] = ev;
        },
        () => undefined,
      ),
    ),
  );
  return {
    reservas: reservas.items,
    eventos,
    notificaciones: notif.ok ? notif.items : [],
    errorNotificaciones: notif.ok ? undefined : notif.error,
  };
}

export function MisReservasPage() {
  const { sesion, comprobando } = useSesion();
  if (!sesion && comprobando) {
    // A reload: the browser's cookie is being checked; no sign-in form flashes meanwhile.
    return (
      <div>
        <h1>Mis reservas</h1>
        <Cargando texto="Comprobando tu sesión…" />
      </div>
    );
  }
  if (!sesion) {
    return (
      <div>
        <h1>Mis reservas</h1>
        <section className="tarjeta acceso-tarjeta">
          <p>Inicia sesión para ver tus reservas.</p>
          <IniciarSesion />
          <p className="muted">
            ¿No tienes cuenta? <Link to="/crear-cuenta?volver=/mis-reservas">Crear cuenta</Link>
          </p>
        </section>
        <ReenviarEnlace />
      </div>
    );
  }
  // A new component per buyer: nothing of the previous one's stays on screen.
  return <ReservasDe key={sesion.usuario.id} usuario={sesion.usuario} />;
}

/** The signed-in buyer's reservations and notifications, by their id only. */
function ReservasDe({ usuario: comprador }: { usuario: Usuario }) {
  const consultas = useQueryClient();
  const clave = claves.reservasDe(comprador.id);
  const { data: datos, error, isFetching: buscando, refetch } = useQuery({
    queryKey: clave,
    queryFn: ({ signal }) => cargarDatos(comprador, signal),
  });

  // The cancellation's answer at once, before the lists load again.
  const actualizar = (r: Reserva) =>
    consultas.setQueryData<Datos>(clave, (d) => d && { ...d, reservas: d.reservas.map((x) => (x.id === r.id ? r : x)) });

  // Notifications arrive through the message bus a moment after the change that causes
  // them: look again then (the cancellation's own refresh comes too early for them).
  const refrescarLuego = useRef<number>(undefined);
  useEffect(() => () => window.clearTimeout(refrescarLuego.current), []);

  return (
    <div>
      <h1>Mis reservas</h1>
      <p className="muted">
        Comprador: {comprador.nombre} {comprador.apellido} ({comprador.email})
      </p>
      {buscando && !datos && <Cargando texto="Cargando tus reservas…" />}
      {error && <MensajeError error={error} onReintentar={() => void refetch()} />}
      {datos && (
        <Listas
          datos={datos}
          buscando={buscando}
          onActualizar={() => void refetch()}
          onCambio={(nueva) => {
            actualizar(nueva);
            window.clearTimeout(refrescarLuego.current);
            refrescarLuego.current = window.setTimeout(() => void consultas.invalidateQueries({ queryKey: clave }), 800);
          }}
        />
      )}
    </div>
  );
}

interface ListasProps {
  datos: Datos;
  buscando: boolean;
  onActualizar: () => void;
  onCambio: (r: Reserva) => void;
}

/** Reservations and notifications: side by side on a wide screen, two tabs on a narrow one. */
function Listas({ datos, buscando, onActualizar, onCambio }: ListasProps) {
  const estrecho = useMedia(UNA_COLUMNA);
  const [pestana, setPestana] = useState<Pestana>('reservas');
  const botones = useRef<Partial<Record<Pestana, HTMLButtonElement | null>>>({});
  const { vigentes, fallidas } = ordenarReservas(datos.reservas);
  const tarjeta = (r: Reserva) => <TarjetaReserva key={r.id} reserva={r} evento={datos.eventos[r.evento_id]} onCambio={onCambio} />;

  // The tab pattern's keys: arrows move between the tabs, Home/End to the ends.
  const teclas = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = PESTANAS.indexOf(pestana);
    const destino =
      e.key === 'ArrowRight' ? PESTANAS[(i + 1) % PESTANAS.length]
      : e.key === 'ArrowLeft' ? PESTANAS[(i + PESTANAS.length - 1) % PESTANAS.length]
      : e.key === 'Home' ? PESTANAS[0]
      : e.key === 'End' ? PESTANAS[PESTANAS.length - 1]
      : undefined;
    if (!destino) return;
    e.preventDefault();
    setPestana(destino);
    botones.current[destino]?.focus();
  };
  const pestanaDe = (p: Pestana, texto: string) => (
    <button
      key={p}
      ref={(b) => {
        botones.current[p] = b;
      }}
      type="button"
      role="tab"
      id={`pestana-${p}`}
      aria-controls={`panel-${p}`}
      aria-selected={pestana === p}
      tabIndex={pestana === p ? 0 : -1}
      className="pestana"
      onClick={() => setPestana(p)}
      onKeyDown={teclas}
    >
      {texto}
    </button>
  );
  // Tabs only on a narrow screen; on a wide one both panels show, as plain sections.
  const panel = (p: Pestana) =>
    estrecho ? { id: `panel-${p}`, role: 'tabpanel', 'aria-labelledby': `pestana-${p}`, hidden: pestana !== p } : { id: `panel-${p}` };
  const titulo = estrecho ? 'sr-only' : undefined;
  // A panel's heading with "Actualizar" beside it (hidden as a heading under the tabs,
  // which name the panels already).
  const cabecera = (p: Pestana, texto: string) => (
    <div className="cabecera-pagina">
      <h2 id={`titulo-${p}`} className={titulo}>
        {texto}
      </h2>
      <button type="button" className="btn btn-secundario" onClick={onActualizar} disabled={buscando}>
        Actualizar
      </button>
    </div>
  );

  return (
    <>
      {estrecho && (
        <div className="pestanas" role="tablist" aria-label="Reservas y notificaciones">
          {pestanaDe('reservas', `Reservas (${vigentes.length + fallidas.length})`)}
          {pestanaDe('notificaciones', `Notificaciones (${datos.notificaciones.length})`)}
        </div>
      )}
      <div className="dos-columnas">
        <section aria-labelledby="titulo-reservas" {...panel('reservas')}>
          {cabecera('reservas', 'Reservas')}
          {datos.reservas.length === 0 ? (
            <p className="vacio">
              Todavía no tienes reservas. <Link to="/">Ver eventos</Link>
            </p>
          ) : (
            <>
              {vigentes.length > 0 ? (
                <ul className="lista-reservas">{vigentes.map(tarjeta)}</ul>
              ) : (
                <p className="vacio">
                  No tienes reservas vigentes. <Link to="/">Ver eventos</Link>
                </p>
              )}
              {fallidas.length > 0 && (
                <details className="intentos-fallidos" data-testid="intentos-fallidos">
                  <summary>Intentos fallidos ({fallidas.length})</summary>
                  <p className="muted">
                    {intentosNoCompletados(fallidas.length)}: no se te cobró nada, o se te devolvió el importe.
                  </p>
                  <ul className="lista-reservas">{fallidas.map(tarjeta)}</ul>
                </details>
              )}
            </>
          )}
        </section>
        <section aria-labelledby="titulo-notificaciones" {...panel('notificaciones')}>
          {estrecho ? (
            // Each tab reloads from its own panel ("Actualizar" reloads both lists).
            cabecera('notificaciones', 'Notificaciones')
          ) : (
            <h2 id="titulo-notificaciones">Notificaciones</h2>
          )}
          {datos.errorNotificaciones && <MensajeError error={datos.errorNotificaciones} />}
          {datos.notificaciones.length === 0 && !datos.errorNotificaciones ? (
            <p className="vacio">Sin notificaciones.</p>
          ) : (
            <ul className="lista-notificaciones">
              {datos.notificaciones.map((n) => (
                <li key={n.id} className={`notificacion notificacion-${n.tipo}`}>
                  <strong>{n.titulo}</strong>
                  <p>{n.mensaje}</p>
                  {/* Only a path of this UI: never a link elsewhere. */}
                  {n.enlace && n.enlace.startsWith('/reservas/') && (
                    <p>
                      <Link to={n.enlace}>Ver la reserva</Link>
                    </p>
                  )}
                  <span className="muted">{formatFechaCorta(n.creada_en)}</span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}

interface TarjetaProps {
  reserva: Reserva;
  evento?: Evento;
  onCambio: (r: Reserva) => void;
  /** Show the steps and the audit trail from the start (the reservation's own page). */
  historialAbierto?: boolean;
  /**
   * Show the tickets themselves ("Tus entradas", the reservation's own page); else a
   * confirmed reservation links to that page (a list).
   */
  conEntradas?: boolean;
}

/**
 * One reservation: status, audit trail, cancellation. Its reads and its cancellation go
 * with the session, or with the reservation's secret when this page knows it (a guest).
 */
export function TarjetaReserva({ reserva: r, evento, onCambio, historialAbierto = false, conEntradas = false }: TarjetaProps) {
  const [verHistorial, setVerHistorial] = useState(historialAbierto);
  const [confirmando, setConfirmando] = useState(false);
  const [hecho, setHecho] = useState<string>();
  const consultas = useQueryClient();
  // Never retried on its own; its answer shows at once, then everything it changed loads again.
  const cancelacion = useMutation({
    mutationFn: () => api.cancelar(r.id),
    retry: false,
    onSuccess: (nueva) => {
      setConfirmando(false);
      setHecho(
        `Reserva cancelada. ${r.total != null ? `Se reembolsaron ${formatPrecio(r.total)} y ` : ''}${vuelvenALaVenta(r.cantidad)}.`,
      );
      onCambio(nueva);
    },
    onSettled: () => invalidarTrasCompra(consultas),
  });
  const cancelando = cancelacion.isPending;
  const error = cancelacion.error ?? undefined;
  const cancelar = () => cancelacion.mutate();
  // A list shows how many tickets and where they are, not the codes (see ReservaPage).
  const propias = entradasPropias(r).length;

  return (
    <li className={`tarjeta reserva reserva-${r.estado.toLowerCase()}`} data-reserva-id={r.id}>
      <div className="tarjeta-evento-cabecera">
        <h3>{evento?.nombre ?? 'Evento'}</h3>
        <span className={`etiqueta estado-${r.estado.toLowerCase()}`} data-testid="estado">
          {nombreEstado(r.estado)}
        </span>
      </div>
      {evento && (
        <MetaEvento evento={evento} />
      )}
      {/* What the buyer came for, first: the tickets; the steps and the trail stay below. */}
      {conEntradas && (
        <Entradas
          reserva={r}
          // Read by name: eventos' document is gaining this member (issue 28).
          transferibles={(evento as { transferencias_permitidas?: boolean } | undefined)?.transferencias_permitidas !== false}
        />
      )}
      <dl className="datos-reserva">
        <div>
          <dt>Entradas</dt>
          <dd>
            {entradas(r.cantidad)}
            {r.zona ? ` · ${r.zona}` : ''}
          </dd>
        </div>
        {r.total != null && (
          <div>
            <dt>Total</dt>
            <dd>{formatPrecio(r.total)}</dd>
          </div>
        )}
        {r.pago && (
          <div>
            <dt>Pago</dt>
            <dd>{r.pago.estado.toLowerCase()}</dd>
          </div>
        )}
        <div>
          <dt>Creada</dt>
          <dd>{formatFechaCorta(r.creada_en)}</dd>
        </div>
      </dl>
      {r.fallo && (
        <p className="muted">
          Falló en <strong>{nombrePaso(r.fallo.paso)}</strong>: {r.fallo.detalle}
        </p>
      )}
      {hecho && <Aviso tipo="ok">{hecho}</Aviso>}
      {error && <MensajeError error={error} />}
      <div className="acciones">
        {!conEntradas && r.estado === 'CONFIRMADA' && propias > 0 && (
          <Link className="btn btn-primario" to={rutaReserva(r.id)}>
            {verEntradas(propias)}
          </Link>
        )}
        <button type="button" className="btn btn-secundario" onClick={() => setVerHistorial((v) => !v)} aria-expanded={verHistorial}>
          {verHistorial ? 'Ocultar historial' : 'Ver historial'}
        </button>
        {r.estado === 'CONFIRMADA' && !confirmando && (
          // Outlined, not filled red: on a confirmed reservation the tickets come first (issue 33).
          <button type="button" className="btn btn-peligro-contorno" onClick={() => setConfirmando(true)}>
            Cancelar reserva
          </button>
        )}
      </div>
      {confirmando && r.estado === 'CONFIRMADA' && (
        <div className="confirmar" role="alertdialog" aria-labelledby={`confirmar-${r.id}`}>
          <p id={`confirmar-${r.id}`}>
            ¿Seguro que quieres cancelar esta reserva?{' '}
            {r.total != null
              ? `Se reembolsarán ${formatPrecio(r.total)} y ${volveranALaVenta(r.cantidad)}.`
              : `${frase(volveranALaVenta(r.cantidad))}`}
          </p>
          <div className="acciones">
            <button type="button" className="btn btn-peligro" onClick={cancelar} disabled={cancelando}>
              {cancelando ? 'Cancelando…' : 'Sí, cancelar'}
            </button>
            <button type="button" className="btn btn-secundario" onClick={() => setConfirmando(false)} disabled={cancelando}>
              No, mantenerla
            </button>
          </div>
        </div>
      )}
      {verHistorial && <Historial reserva={r} />}
    </li>
  );
}

function Historial({ reserva }: { reserva: Reserva }) {
  // Again when the reservation changes (e.g. after a cancellation).
  const { data: bitacora, error, refetch } = useQuery({
    queryKey: claves.bitacora(reserva.id, reserva.estado),
    queryFn: ({ signal }) => api.bitacora(reserva.id, signal),
    // The trail shown stays until the new one comes.
    placeholderData: keepPreviousData,
  });

  return (
    <div className="historial">
      <h4>Pasos de la compra</h4>
      <PasosSaga pasos={reserva.pasos} fallido={reserva.fallo?.paso} />
      <Compensaciones items={reserva.compensaciones} />
      <h4>Historial (auditoría)</h4>
      {!bitacora && !error && <Cargando texto="Cargando historial…" />}
      {error && <MensajeError error={error} onReintentar={() => void refetch()} />}
      {bitacora && (
        <ol className="bitacora" aria-label="Historial de la reserva">
          {bitacora.eventos.map((e) => {
            const detalle = detalleBitacora(e.tipo, e.datos);
            return (
              <li key={e.seq}>
                <span className="bitacora-seq">{e.seq}</span>
                <span className="bitacora-tipo">{nombreEventoBitacora(e.tipo)}</span>
                {detalle && <span className="bitacora-detalle">{detalle}</span>}
                <time className="muted" dateTime={e.en}>
                  {formatFechaCorta(e.en)}
                </time>
              </li>
            );
          })}
        </ol>
      )}
    </div>
  );
}
