// Organizer: sign in as an organizer account (never with the platform admin's token,
// which this UI neither asks for nor keeps), publish an event with zones
// (components/PublicarEvento.tsx), and see sales per zone of its own events. The session
// survives a reload (src/organizador.tsx). On a narrow screen each zone's sales row stacks
// its figures, labelled, instead of scrolling sideways.
import { useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, comoApiError } from '../api/client';
import type { ApiError } from '../api/client';
import { slug } from '../api/messages';
import type { Evento } from '../api/types';
import { Cargando, MensajeError } from '../components/Estado';
import { FormEntrar, useEntrada } from '../components/FormEntrar';
import { PublicarEvento } from '../components/PublicarEvento';
import { formatPrecio } from '../format';
import { claves } from '../consultas';
import { useOrganizador } from '../organizador';
import type { SesionOrganizador } from '../organizador';
import { discrepancias, plural } from '../plural';
import { Link } from 'react-router';
import { MetaEvento } from '../components/MetaEvento';
import { CabeceraTabla } from '../components/CabeceraTabla';
import { PersonalPuerta } from '../components/PersonalPuerta';

export function OrganizadorPage() {
  const { sesion, comprobando } = useOrganizador();
  if (!sesion) {
    return (
      <div>
        <h1>Organizador</h1>
        {comprobando ? <Cargando texto="Comprobando tu sesión…" /> : <AccesoOrganizador />}
      </div>
    );
  }
  // Door staff only scan tickets: their page is "Ingreso".
  if (sesion.staff) {
    return (
      <div>
        <h1>Organizador</h1>
        <p>
          Entraste como personal de puerta ({sesion.organizador.nombre}): <Link to="/organizador/ingreso">abre «Ingreso»</Link> para
          escanear entradas.
        </p>
      </div>
    );
  }
  // A new panel per organizer: nothing of the previous one's stays on screen.
  return <Panel key={sesion.organizador.id} sesion={sesion} />;
}

/** The signed-in organizer's page: publish, and its own events' sales. */
function Panel({ sesion }: { sesion: SesionOrganizador }) {
  const { caducada } = useOrganizador();
  const mioId = sesion.organizador.id;
  // Its own events, filtered by the API (every page of them, not the first page of everyone's).
  const filtro = { limit: 100, organizador_id: mioId };
  const ventas = useQuery({
    queryKey: claves.eventos(filtro),
    queryFn: ({ signal }) => api.eventos(filtro, signal),
    refetchInterval: 15_000,
  });
  // Published here: shown even when the first page of the list does not reach them.
  const [publicados, setPublicados] = useState<Evento[]>([]);

  const todos = ventas.data ? [...ventas.data.items] : [];
  for (const ev of publicados) if (!todos.some((e) => e.id === ev.id)) todos.unshift(ev);
  // Only its own, also among those just published here.
  const lista = todos.filter((ev) => ev.organizador_id === mioId);

  return (
    <div>
      <h1>Organizador</h1>
      <AccesoOrganizador />
      <div className="dos-columnas organizador">
        <PublicarEvento
          onCreado={(ev) => {
            setPublicados((ps) => [ev, ...ps]);
            void ventas.refetch();
          }}
        />
        <section aria-labelledby="titulo-ventas">
          <div className="cabecera-pagina">
            <h2 id="titulo-ventas">Tus eventos</h2>
            <button type="button" className="btn btn-secundario" onClick={() => void ventas.refetch()} disabled={ventas.isFetching}>
              Actualizar
            </button>
          </div>
          {ventas.isFetching && !ventas.data && <Cargando texto="Cargando ventas…" />}
          {ventas.error && !ventas.data && <MensajeError error={ventas.error} onReintentar={() => void ventas.refetch()} />}
          {ventas.data && lista.length === 0 && <p className="vacio">Todavía no publicaste eventos.</p>}
          {ventas.data && lista.map((ev) => <Ventas key={ev.id} evento={ev} onRechazado={() => caducada(sesion)} />)}
        </section>
      </div>
      <PersonalPuerta />
    </div>
  );
}

/** Signed in as an organizer (and sign out), or the sign-in form. */
export function AccesoOrganizador() {
  const { sesion, aviso, iniciar, cerrar } = useOrganizador();
  // This component stays: after signing out, the form is back with the email typed.
  const entrada = useEntrada(iniciar, { quedaMontado: true, rol: 'organizador' });
  const [cerrando, setCerrando] = useState(false);

  if (sesion) {
    const o = sesion.organizador;
    return (
      <section className="tarjeta organizador-acceso" aria-labelledby="titulo-acceso-org" data-testid="sesion-organizador">
        <h2 id="titulo-acceso-org">Sesión de organizador</h2>
        <p>
          Publicas como <strong>{o.nombre}</strong> ({o.email}). Solo ves y administras tus eventos.
        </p>
        <div className="acciones">
          <button
            type="button"
            className="btn btn-secundario"
            disabled={cerrando}
            onClick={() => {
              setCerrando(true);
              void cerrar().finally(() => setCerrando(false));
            }}
          >
            {cerrando ? 'Cerrando…' : 'Cerrar sesión de organizador'}
          </button>
        </div>
      </section>
    );
  }

  return (
    <section className="tarjeta organizador-acceso" aria-labelledby="titulo-acceso-org">
      <h2 id="titulo-acceso-org">Iniciar sesión como organizador</h2>
      <FormEntrar
        entrada={entrada}
        id="org"
        etiqueta="Iniciar sesión como organizador"
        avisos={[aviso]}
        textos={{
          email: 'Email de organizador',
          password: 'Contraseña de organizador',
          placeholder: 'boleteria@productora.pe',
          entrar: 'Entrar como organizador',
        }}
      >
        <p className="muted">
          Para publicar eventos y ver sus ventas. Las cuentas de organizador las crea la administración de la plataforma.
        </p>
      </FormEntrar>
    </section>
  );
}

interface VentasProps {
  evento: Evento;
  /** A 401 `sesion-invalida`: the organizer's session ended. */
  onRechazado: () => void;
}

function Ventas({ evento, onRechazado }: VentasProps) {
  const tot = evento.zonas.reduce(
    (a, z) => ({
      vendidas: a.vendidas + z.vendidas,
      disponibles: a.disponibles + z.disponibles,
      capacidad: a.capacidad + z.capacidad,
      recaudado: a.recaudado + z.vendidas * z.precio,
    }),
    { vendidas: 0, disponibles: 0, capacidad: 0, recaudado: 0 },
  );
  return (
    <article className="tarjeta ventas" data-evento-id={evento.id}>
      <h3>
        <Link to={`/eventos/${encodeURIComponent(evento.id)}`}>{evento.nombre}</Link>
      </h3>
      <MetaEvento evento={evento} />
      {/* Stacked rows when the card is narrow (styles.css): every figure stays in sight,
          labelled, rather than columns behind a sideways scroll. */}
      <table className="tabla-ventas">
        <CabeceraTabla
          titulo={`Ventas por zona de ${evento.nombre}`}
          columnas={['Zona', 'Precio', 'Vendidas', 'Disponibles', 'Capacidad', 'Recaudado']}
        />
        <tbody>
          {evento.zonas.map((z) => {
            const retenidas = Math.max(0, z.capacidad - z.vendidas - z.disponibles);
            return (
              <tr key={z.nombre} data-zona={z.nombre}>
                <th scope="row">{z.nombre}</th>
                <td data-etiqueta="Precio">{formatPrecio(z.precio)}</td>
                <td data-etiqueta="Vendidas" className="vendidas">{z.vendidas}</td>
                <td data-etiqueta="Disponibles" className="disponibles">
                  {/* One value beside its label when the row is stacked. */}
                  <span>
                    {z.disponibles}
                    {retenidas > 0 && <span className="muted"> (+{plural(retenidas, { one: 'retenida', other: 'retenidas' })})</span>}
                  </span>
                </td>
                <td data-etiqueta="Capacidad" className="capacidad">{z.capacidad}</td>
                <td data-etiqueta="Recaudado">{formatPrecio(z.vendidas * z.precio)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td data-etiqueta="Precio" className="sin-dato" />
            <td data-etiqueta="Vendidas">{tot.vendidas}</td>
            <td data-etiqueta="Disponibles">{tot.disponibles}</td>
            <td data-etiqueta="Capacidad">{tot.capacidad}</td>
            <td data-etiqueta="Recaudado">{formatPrecio(tot.recaudado)}</td>
          </tr>
        </tfoot>
      </table>
      <Conciliacion eventoId={evento.id} onRechazado={onRechazado} />
      <Transferencias evento={evento} />
    </article>
  );
}

/**
 * Whether the event's buyers may hand their tickets to someone else (on by default). Read
 * by name: eventos' document is gaining `transferencias_permitidas` (issue 28).
 */
function Transferencias({ evento }: { evento: Evento }) {
  const inicial = (evento as { transferencias_permitidas?: boolean }).transferencias_permitidas;
  const [permitidas, setPermitidas] = useState(inicial !== false);
  const cambio = useMutation<Evento, ApiError, boolean>({
    mutationFn: (p) => api.permitirTransferencias(evento.id, p),
    onSuccess: (ev) => setPermitidas((ev as { transferencias_permitidas?: boolean }).transferencias_permitidas !== false),
  });
  if (inicial === undefined) return null;
  const id = `transferencias-${evento.id}`;
  return (
    <div className="transferencias">
      <label htmlFor={id} className="casilla">
        <input
          id={id}
          type="checkbox"
          checked={permitidas}
          disabled={cambio.isPending}
          onChange={(e) => cambio.mutate(e.target.checked)}
        />{' '}
        Los compradores pueden transferir sus entradas
      </label>
      {cambio.error && <MensajeError error={cambio.error} />}
    </div>
  );
}

/** Sales ⇔ confirmations ⇔ payments for one event, checked by the platform. */
function Conciliacion({ eventoId, onRechazado }: { eventoId: string; onRechazado: () => void }) {
  const carga = useQuery({
    queryKey: claves.conciliacion(eventoId),
    queryFn: ({ signal }) =>
      api.conciliacion(eventoId, signal).catch((e: unknown) => {
        const err = comoApiError(e);
        if (err.status === 401 && slug(err.problem) === 'sesion-invalida') onRechazado();
        throw err;
      }),
    refetchInterval: 60_000,
  });
  const inf = carga.data;
  if (!inf) {
    return carga.error ? (
      <p className="muted conciliacion">Conciliación no disponible: {carga.error.message}</p>
    ) : (
      <p className="muted conciliacion">Conciliación: revisando…</p>
    );
  }
  const pendientes = inf.pendientes;
  return (
    <div className="conciliacion" data-testid={`conciliacion-${eventoId}`}>
      <p className={pendientes === 0 ? 'conciliacion-ok' : 'conciliacion-mal'}>
        Conciliación: <strong>{discrepancias(pendientes)}</strong>
        {pendientes === 0 && ' · ventas, reservas y pagos coinciden'}
      </p>
      {inf.discrepancias.length > 0 && (
        <ul>
          {inf.discrepancias.map((d) => (
            <li key={`${d.tipo}-${d.reserva_id}`}>
              {d.detalle} (<code>{d.reserva_id}</code>){d.reparada ? ' · reparada' : ' · revisar'}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
