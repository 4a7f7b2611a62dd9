// Organizer: sign in as an organizer (or use the platform's admin token), publish an event
// with zones, and see sales per zone. An organizer sees and reconciles only its own
// events; the admin token, every event.
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError, comoApiError } from '../api/client';
import { slug } from '../api/messages';
import type { Evento } from '../api/types';
import { Aviso, Cargando, MensajeError } from '../components/Estado';
import { formatFecha, formatPrecio, parsePrecio } from '../format';
import { useCarga } from '../hooks';
import { useOrganizador } from '../organizador';
import { Link } from '../router';
import { IconoFecha, IconoLugar } from '../components/Iconos';

// The admin token (not an organizer's session, which stays in memory: src/organizador.tsx).
const CLAVE_TOKEN = 'eventflow.token-organizador';

function tokenGuardado(): string {
  try {
    return window.sessionStorage.getItem(CLAVE_TOKEN) ?? '';
  } catch {
    return '';
  }
}

function guardarToken(t: string) {
  try {
    window.sessionStorage.setItem(CLAVE_TOKEN, t);
  } catch {
    // storage disabled: the token is asked again next time
  }
}

interface FilaZona {
  nombre: string;
  precio: string;
  capacidad: string;
}

const zonaVacia = (): FilaZona => ({ nombre: '', precio: '', capacidad: '' });

/** `<input type="datetime-local">` gives local time without offset; the API wants RFC 3339. */
export function fechaLocalARfc3339(valor: string): string | null {
  if (!valor) return null;
  const d = new Date(valor);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function OrganizadorPage() {
  const { sesion, caducada } = useOrganizador();
  const mioId = sesion?.organizador.id;
  // A signed-in organizer's own events, filtered by the API (every page of them, not
  // the first page of everyone's); with the admin token, everyone's.
  const ventas = useCarga(
    (signal) => api.eventos(mioId ? { limit: 100, organizador_id: mioId } : { limit: 100 }, signal),
    `ventas:${mioId ?? 'admin'}`,
    15_000,
  );
  // Published here: shown even when the first page of the list does not reach them.
  const [publicados, setPublicados] = useState<Evento[]>([]);
  // Events created with the admin token (in this tab), for its reconciliation.
  const [tokenAdmin, setTokenAdmin] = useState(tokenGuardado);
  useEffect(() => setPublicados([]), [mioId]);

  const todos = ventas.data ? [...ventas.data.items] : [];
  for (const ev of publicados) if (!todos.some((e) => e.id === ev.id)) todos.unshift(ev);
  // Only its own, also among those just published here.
  const lista = mioId ? todos.filter((ev) => ev.organizador_id === mioId) : todos;
  const credencial = sesion?.token ?? tokenAdmin;

  return (
    <div>
      <h1>Organizador</h1>
      <AccesoOrganizador />
      <div className="dos-columnas organizador">
        <CrearEvento
          onToken={setTokenAdmin}
          onCreado={(ev) => {
            setPublicados((ps) => [ev, ...ps]);
            ventas.recargar(true);
          }}
        />
        <section aria-labelledby="titulo-ventas">
          <div className="cabecera-pagina">
            <h2 id="titulo-ventas">{sesion ? 'Tus eventos' : 'Ventas por zona'}</h2>
            <button type="button" className="btn btn-secundario" onClick={() => ventas.recargar()} disabled={ventas.cargando}>
              Actualizar
            </button>
          </div>
          {ventas.cargando && !ventas.data && <Cargando texto="Cargando ventas…" />}
          {ventas.error && !ventas.data && <MensajeError error={ventas.error} onReintentar={() => ventas.recargar()} />}
          {ventas.data && lista.length === 0 && (
            <p className="vacio">{sesion ? 'Todavía no publicaste eventos.' : 'Aún no hay eventos.'}</p>
          )}
          {ventas.data &&
            lista.map((ev) => (
              <Ventas
                key={ev.id}
                evento={ev}
                token={credencial}
                onRechazado={(t) => sesion && t === sesion.token && caducada(t)}
              />
            ))}
        </section>
      </div>
    </div>
  );
}

/** Signed in as an organizer (and sign out), or the sign-in form. */
function AccesoOrganizador() {
  const { sesion, aviso, iniciar, cerrar } = useOrganizador();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [enviando, setEnviando] = useState(false);
  const [cerrando, setCerrando] = useState(false);
  const [error, setError] = useState<ApiError>();
  // After a 429, the button waits out the Retry-After.
  const [esperando, setEsperando] = useState(false);

  useEffect(() => {
    const s = error?.status === 429 ? error.problem.reintentar_en : undefined;
    setEsperando(!!s);
    if (!s) return;
    const t = window.setTimeout(() => setEsperando(false), s * 1000);
    return () => window.clearTimeout(t);
  }, [error]);

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

  const enviar = async (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password || enviando) return;
    setEnviando(true);
    setError(undefined);
    try {
      await iniciar(email, password);
      setPassword('');
    } catch (err) {
      setError(comoApiError(err));
    } finally {
      setEnviando(false);
    }
  };

  return (
    <section className="tarjeta organizador-acceso" aria-labelledby="titulo-acceso-org">
      <h2 id="titulo-acceso-org">Iniciar sesión como organizador</h2>
      <form className="acceso" onSubmit={enviar} aria-label="Iniciar sesión como organizador">
        {aviso && <p className="aviso aviso-info">{aviso}</p>}
        <div className="rejilla">
          <div className="campo">
            <label htmlFor="org-email">Email de organizador</label>
            <input
              id="org-email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              placeholder="boleteria@productora.pe"
            />
          </div>
          <div className="campo">
            <label htmlFor="org-password">Contraseña de organizador</label>
            <input
              id="org-password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </div>
        </div>
        {error && <MensajeError error={error} />}
        <div className="acciones">
          <button type="submit" className="btn btn-primario" disabled={enviando || esperando}>
            {enviando ? 'Entrando…' : 'Entrar como organizador'}
          </button>
        </div>
        <p className="muted">
          Las cuentas de organizador las crea la administración de la plataforma. También puedes publicar con el token de
          administrador.
        </p>
      </form>
    </section>
  );
}

interface VentasProps {
  evento: Evento;
  /** The organizer's session token or the admin token, for the reconciliation. */
  token: string;
  /** A 401 `sesion-invalida` for this token. */
  onRechazado: (token: string) => void;
}

function Ventas({ evento, token, onRechazado }: VentasProps) {
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
      <p className="evento-meta">
        <span><IconoFecha /> {formatFecha(evento.fecha)}</span>
        <span><IconoLugar /> {evento.lugar}</span>
      </p>
      <div className="tabla-scroll">
        <table className="tabla-ventas">
          <thead>
            <tr>
              <th scope="col">Zona</th>
              <th scope="col">Precio</th>
              <th scope="col">Vendidas</th>
              <th scope="col">Disponibles</th>
              <th scope="col">Capacidad</th>
              <th scope="col">Recaudado</th>
            </tr>
          </thead>
          <tbody>
            {evento.zonas.map((z) => {
              const retenidas = Math.max(0, z.capacidad - z.vendidas - z.disponibles);
              return (
                <tr key={z.nombre} data-zona={z.nombre}>
                  <th scope="row">{z.nombre}</th>
                  <td>{formatPrecio(z.precio)}</td>
                  <td className="vendidas">{z.vendidas}</td>
                  <td className="disponibles">
                    {z.disponibles}
                    {retenidas > 0 && <span className="muted"> (+{retenidas} retenidas)</span>}
                  </td>
                  <td className="capacidad">{z.capacidad}</td>
                  <td>{formatPrecio(z.vendidas * z.precio)}</td>
                </tr>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td />
              <td>{tot.vendidas}</td>
              <td>{tot.disponibles}</td>
              <td>{tot.capacidad}</td>
              <td>{formatPrecio(tot.recaudado)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <Conciliacion eventoId={evento.id} token={token} onRechazado={onRechazado} />
    </article>
  );
}

/** Sales ⇔ confirmations ⇔ payments for one event, checked by the platform. */
function Conciliacion({ eventoId, token, onRechazado }: { eventoId: string; token: string; onRechazado: (t: string) => void }) {
  const carga = useCarga(
    (signal) =>
      token
        ? api.conciliacion(eventoId, token, signal).catch((e: unknown) => {
            const err = comoApiError(e);
            if (err.status === 401 && slug(err.problem) === 'sesion-invalida') onRechazado(token);
            throw err;
          })
        : Promise.resolve(undefined),
    // A new check when the credential changes (signing in or out, another admin token).
    `conciliacion-${eventoId}-${token ? `${token.length}-${token.slice(-4)}` : 'sin'}`,
    60_000,
  );
  if (!token) {
    return (
      <p className="muted conciliacion">
        Conciliación: inicia sesión como organizador (o guarda el token de administrador al publicar un evento) para verla.
      </p>
    );
  }
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
        Conciliación: <strong>{pendientes === 1 ? '1 discrepancia' : `${pendientes} discrepancias`}</strong>
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

interface CrearEventoProps {
  onCreado: (e: Evento) => void;
  /** The admin token was saved (it opens every event's reconciliation). */
  onToken: (token: string) => void;
}

function CrearEvento({ onCreado, onToken }: CrearEventoProps) {
  const { sesion, caducada } = useOrganizador();
  const [token, setToken] = useState(tokenGuardado);
  const [nombre, setNombre] = useState('');
  const [lugar, setLugar] = useState('');
  const [fecha, setFecha] = useState('');
  const [zonas, setZonas] = useState<FilaZona[]>([zonaVacia()]);
  const [enviando, setEnviando] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [local, setLocal] = useState<Record<string, string>>({});
  const [creado, setCreado] = useState<Evento>();

  const setZona = (i: number, k: keyof FilaZona, v: string) =>
    setZonas((zs) => zs.map((z, j) => (j === i ? { ...z, [k]: v } : z)));

  const enviar = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setCreado(undefined);
    // What the API cannot see: amounts typed in soles and the local date.
    const errores: Record<string, string> = {};
    // An organizer's session, or else the admin token.
    const credencial = sesion?.token ?? token.trim();
    if (!credencial) errores.token = 'inicia sesión como organizador o ingresa el token de administrador';
    const rfc = fechaLocalARfc3339(fecha);
    if (!rfc) errores.fecha = 'elige fecha y hora';
    const precios = zonas.map((z, i) => {
      const p = parsePrecio(z.precio);
      if (p === null) errores[`zonas[${i}].precio`] = 'un importe en soles, p. ej. 150 o 150.50';
      return p;
    });
    const capacidades = zonas.map((z, i) => {
      const c = Number(z.capacidad);
      if (!/^\d+$/.test(z.capacidad.trim())) errores[`zonas[${i}].capacidad`] = 'un número entero';
      return c;
    });
    setLocal(errores);
    if (Object.keys(errores).length) return;
    setEnviando(true);
    try {
      const ev = await api.crearEvento(
        {
          nombre,
          lugar,
          fecha: rfc!,
          zonas: zonas.map((z, i) => ({ nombre: z.nombre, precio: precios[i]!, capacidad: capacidades[i] })),
        },
        credencial,
      );
      // The admin token is kept (for the reconciliation) once the API accepted it.
      if (!sesion) {
        guardarToken(credencial);
        onToken(credencial);
      }
      setCreado(ev);
      setNombre('');
      setLugar('');
      setFecha('');
      setZonas([zonaVacia()]);
      onCreado(ev);
    } catch (err) {
      const e = comoApiError(err);
      // The organizer's session expired or was closed: back to the sign-in form.
      if (sesion && e.status === 401 && slug(e.problem) === 'sesion-invalida') caducada(sesion.token);
      setError(e);
    } finally {
      setEnviando(false);
    }
  };

  const msg = (campo: string) => local[campo] ?? error?.campo(campo);
  const errorGeneral = error && !(error.problem.errors?.length ?? 0) ? error : undefined;
  const campoError = (campo: string) => {
    const m = msg(campo);
    return m ? <span className="campo-error">{m}</span> : null;
  };

  return (
    <section aria-labelledby="titulo-crear" className="tarjeta">
      <h2 id="titulo-crear">Publicar un evento</h2>
      <form onSubmit={enviar} aria-label="Publicar un evento" noValidate>
        {sesion ? (
          <p className="muted" data-testid="publica-como">
            Se publica como <strong>{sesion.organizador.nombre}</strong>.
          </p>
        ) : (
          <div className="campo">
            <label htmlFor="org-token">Token de administrador</label>
            <input
              id="org-token"
              type="password"
              autoComplete="off"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              aria-invalid={msg('token') || error?.status === 401 ? true : undefined}
            />
            {campoError('token')}
            <span className="ayuda">
              Sin sesión de organizador. Se envía como «Authorization: Bearer …». En desarrollo lo imprime el lanzador.
            </span>
          </div>
        )}
        <div className="campo">
          <label htmlFor="org-nombre">Nombre del evento</label>
          <input id="org-nombre" value={nombre} onChange={(e) => setNombre(e.target.value)} aria-invalid={msg('nombre') ? true : undefined} />
          {campoError('nombre')}
        </div>
        <div className="rejilla">
          <div className="campo">
            <label htmlFor="org-fecha">Fecha y hora</label>
            <input id="org-fecha" type="datetime-local" value={fecha} onChange={(e) => setFecha(e.target.value)} aria-invalid={msg('fecha') ? true : undefined} />
            {campoError('fecha')}
          </div>
          <div className="campo">
            <label htmlFor="org-lugar">Lugar</label>
            <input id="org-lugar" value={lugar} onChange={(e) => setLugar(e.target.value)} aria-invalid={msg('lugar') ? true : undefined} />
            {campoError('lugar')}
          </div>
        </div>
        <fieldset className="zonas-editor">
          <legend>Zonas</legend>
          {campoError('zonas')}
          {zonas.map((z, i) => (
            <div className="zona-fila" key={i} data-fila={i}>
              <div className="campo">
                <label htmlFor={`zona-${i}-nombre`}>Zona {i + 1}</label>
                <input id={`zona-${i}-nombre`} value={z.nombre} placeholder="Platea" onChange={(e) => setZona(i, 'nombre', e.target.value)} />
                {campoError(`zonas[${i}].nombre`)}
              </div>
              <div className="campo">
                <label htmlFor={`zona-${i}-precio`}>Precio (S/)</label>
                <input id={`zona-${i}-precio`} inputMode="decimal" value={z.precio} placeholder="150.00" onChange={(e) => setZona(i, 'precio', e.target.value)} />
                {campoError(`zonas[${i}].precio`)}
              </div>
              <div className="campo">
                <label htmlFor={`zona-${i}-capacidad`}>Capacidad</label>
                <input id={`zona-${i}-capacidad`} inputMode="numeric" value={z.capacidad} placeholder="500" onChange={(e) => setZona(i, 'capacidad', e.target.value)} />
                {campoError(`zonas[${i}].capacidad`)}
              </div>
              <button
                type="button"
                className="btn btn-enlace quitar"
                onClick={() => setZonas((zs) => zs.filter((_, j) => j !== i))}
                disabled={zonas.length === 1}
                aria-label={`Quitar zona ${i + 1}`}
              >
                Quitar
              </button>
            </div>
          ))}
          <button type="button" className="btn btn-secundario" onClick={() => setZonas((zs) => [...zs, zonaVacia()])}>
            Añadir zona
          </button>
        </fieldset>
        {errorGeneral && <MensajeError error={errorGeneral} />}
        {error && !errorGeneral && (
          <p className="campo-error" role="alert">
            Corrige los campos marcados.
          </p>
        )}
        {creado && (
          <Aviso tipo="ok">
            Evento publicado: <Link to={`/eventos/${encodeURIComponent(creado.id)}`}>{creado.nombre}</Link>
          </Aviso>
        )}
        <button type="submit" className="btn btn-primario" disabled={enviando}>
          {enviando ? 'Publicando…' : 'Publicar evento'}
        </button>
      </form>
    </section>
  );
}
