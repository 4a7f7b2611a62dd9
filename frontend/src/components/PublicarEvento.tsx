// The organizer's form to publish an event with its zones. Prices are typed in soles and
// read by src/precio.ts; what was read shows under each price as it is typed ("S/ 80.50"),
// and nothing is sent before the organizer confirms a summary of the event (name, date,
// place, each zone with its price and capacity): a price 100 times off is caught there,
// not by the buyers.
//
// The date and time are the venue's: what the datetime-local input holds is sent as typed
// ("2031-03-14T21:00", no offset) with the zone picked here, and the API reads it in that
// zone. The browser's own zone never enters into it (an organizer in Madrid publishing a
// concert in Lima types the hour on the Lima tickets).
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError, comoApiError } from '../api/client';
import { erroresEnPalabras } from '../api/campos';
import { slug } from '../api/messages';
import type { Evento, NuevoEvento } from '../api/types';
import { fechaLocal, formatFechaLocal, mismaZona, ZONA_DEFECTO, ZONAS, zonaNavegador } from '../fecha';
import { formatPrecio } from '../format';
import { useOrganizador } from '../organizador';
import { entradas } from '../plural';
import { leerPrecio } from '../precio';
import { Link } from 'react-router';
import { Aviso, CorregirCampos, MensajeError } from './Estado';
import { CabeceraTabla } from './CabeceraTabla';

/**
 * The zones offered: the usual ones, and the browser's when it is not among them. The
 * default is America/Lima, not the browser's zone: the zone is the venue's, and EventFlow's
 * venues are in Peru (soles, the API's own default), while the organizer's computer may
 * be anywhere or simply set to UTC; a default taken from it would silently move the event.
 */
export function zonasOfrecidas(navegador: string = zonaNavegador()): { id: string; nombre: string }[] {
  return ZONAS.some((z) => mismaZona(z.id, navegador))
    ? [...ZONAS]
    : [...ZONAS, { id: navegador, nombre: `${navegador} (la de este navegador)` }];
}

interface FilaZona {
  nombre: string;
  precio: string;
  capacidad: string;
}

const zonaVacia = (): FilaZona => ({ nombre: '', precio: '', capacidad: '' });

/** Fields the form itself knows about (the API's paths); the rest of a 422 is listed in words. */
const propios = (campo: string) =>
  ['nombre', 'fecha', 'zona_horaria', 'lugar', 'zonas'].includes(campo) || /^zonas\[\d+\]\.(nombre|precio|capacidad)$/.test(campo);

/** What is sent once confirmed. */
interface Pendiente {
  evento: NuevoEvento;
}

interface Props {
  onCreado: (e: Evento) => void;
}

/** Publishes as the signed-in organizer (its session cookie: src/organizador.tsx). */
export function PublicarEvento({ onCreado }: Props) {
  const { sesion, caducada } = useOrganizador();
  const [nombre, setNombre] = useState('');
  const [lugar, setLugar] = useState('');
  const [fecha, setFecha] = useState('');
  const [zonaHoraria, setZonaHoraria] = useState(ZONA_DEFECTO);
  const [opcionesZona] = useState(() => zonasOfrecidas());
  const [zonas, setZonas] = useState<FilaZona[]>([zonaVacia()]);
  const [enviando, setEnviando] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [local, setLocal] = useState<Record<string, string>>({});
  const [creado, setCreado] = useState<Evento>();
  // Checked and waiting for the organizer's "Confirmar y publicar".
  const [pendiente, setPendiente] = useState<Pendiente>();

  // Any edit makes the summary stale: it is built again on the next "Publicar evento".
  const editar =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPendiente(undefined);
    };
  const setZona = (i: number, k: keyof FilaZona, v: string) => {
    setZonas((zs) => zs.map((z, j) => (j === i ? { ...z, [k]: v } : z)));
    setPendiente(undefined);
  };

  /** Checks what the API cannot see (amounts in soles, the local date), then asks to confirm. */
  const revisar = (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setCreado(undefined);
    const errores: Record<string, string> = {};
    const local = fechaLocal(fecha);
    if (!local) errores.fecha = 'elige fecha y hora';
    const precios = zonas.map((z, i) => {
      const l = leerPrecio(z.precio);
      if (!l.ok) errores[`zonas[${i}].precio`] = l.error;
      return l.ok ? l.centimos : 0;
    });
    const capacidades = zonas.map((z, i) => {
      if (!/^\d+$/.test(z.capacidad.trim())) errores[`zonas[${i}].capacidad`] = 'un número entero';
      return Number(z.capacidad);
    });
    setLocal(errores);
    if (Object.keys(errores).length) return;
    setPendiente({
      evento: {
        nombre,
        lugar,
        // As typed, in the venue's zone: the API reads it there (a 422 on fecha if that
        // hour does not exist there, as on the night clocks go forward).
        fecha: local!,
        zona_horaria: zonaHoraria,
        zonas: zonas.map((z, i) => ({ nombre: z.nombre, precio: precios[i], capacidad: capacidades[i] })),
      },
    });
  };

  const publicar = async () => {
    if (!pendiente || enviando) return;
    const { evento } = pendiente;
    setEnviando(true);
    try {
      const ev = await api.crearEvento(evento);
      setCreado(ev);
      setNombre('');
      setLugar('');
      setFecha('');
      setZonas([zonaVacia()]);
      onCreado(ev);
    } catch (err) {
      const e = comoApiError(err);
      // The organizer's session expired or was closed: back to the sign-in form.
      if (sesion && e.status === 401 && slug(e.problem) === 'sesion-invalida') caducada(sesion);
      setError(e);
    } finally {
      setEnviando(false);
      setPendiente(undefined);
    }
  };

  const msg = (campo: string) => local[campo] ?? error?.campo(campo);
  const errorGeneral = error && !(error.problem.errors?.length ?? 0) ? error : undefined;
  // A 422 on something this form has no field for: said in words, without the API's paths.
  const ajenos = error?.problem.errors?.filter((x) => !propios(x.campo)) ?? [];
  const campoError = (campo: string, id?: string) => {
    const m = msg(campo);
    return m ? (
      <span className="campo-error" id={id}>
        {m}
      </span>
    ) : null;
  };
  const invalido = (campo: string) => (msg(campo) ? true : undefined);

  return (
    <section aria-labelledby="titulo-crear" className="tarjeta publicar-evento">
      <h2 id="titulo-crear">Publicar un evento</h2>
      <form onSubmit={revisar} aria-label="Publicar un evento" noValidate>
        {sesion && (
          <p className="muted" data-testid="publica-como">
            Se publica como <strong>{sesion.organizador.nombre}</strong>.
          </p>
        )}
        <div className="campo">
          <label htmlFor="org-nombre">Nombre del evento</label>
          <input id="org-nombre" value={nombre} onChange={(e) => editar(setNombre)(e.target.value)} aria-invalid={invalido('nombre')} />
          {campoError('nombre')}
        </div>
        <div className="rejilla">
          <div className="campo">
            <label htmlFor="org-fecha">Fecha y hora</label>
            <input
              id="org-fecha"
              type="datetime-local"
              value={fecha}
              onChange={(e) => editar(setFecha)(e.target.value)}
              aria-invalid={invalido('fecha')}
              aria-describedby={msg('fecha') ? 'org-fecha-error' : undefined}
            />
            {campoError('fecha', 'org-fecha-error')}
          </div>
          <div className="campo">
            <label htmlFor="org-zona-horaria">Zona horaria</label>
            <select
              id="org-zona-horaria"
              value={zonaHoraria}
              onChange={(e) => editar(setZonaHoraria)(e.target.value)}
              aria-invalid={invalido('zona_horaria')}
              aria-describedby={msg('zona_horaria') ? 'org-zona-horaria-error org-zona-horaria-ayuda' : 'org-zona-horaria-ayuda'}
            >
              {opcionesZona.map((z) => (
                <option key={z.id} value={z.id}>
                  {z.nombre}
                </option>
              ))}
            </select>
            {campoError('zona_horaria', 'org-zona-horaria-error')}
            <span className="ayuda" id="org-zona-horaria-ayuda">
              La del lugar del evento: la fecha y hora se leen en ella.
            </span>
          </div>
          <div className="campo">
            <label htmlFor="org-lugar">Lugar</label>
            <input id="org-lugar" value={lugar} onChange={(e) => editar(setLugar)(e.target.value)} aria-invalid={invalido('lugar')} />
            {campoError('lugar')}
          </div>
        </div>
        <fieldset className="zonas-editor">
          <legend>Zonas</legend>
          {campoError('zonas')}
          {zonas.map((z, i) => {
            const campo = `zonas[${i}].precio`;
            const id = `zona-${i}-precio`;
            // What was read, as it is typed; a typed amount that cannot be read says why
            // right away, and an empty one only once the form is sent.
            const vivo = z.precio.trim() ? leerPrecio(z.precio) : undefined;
            const mensajePrecio = vivo?.ok ? error?.campo(campo) : vivo ? vivo.error : msg(campo);
            const describe = [vivo?.ok ? `${id}-leido` : '', mensajePrecio ? `${id}-error` : ''].filter(Boolean).join(' ');
            return (
              <div className="zona-fila" key={i} data-fila={i}>
                <div className="campo">
                  <label htmlFor={`zona-${i}-nombre`}>Zona {i + 1}</label>
                  <input
                    id={`zona-${i}-nombre`}
                    value={z.nombre}
                    placeholder="Platea"
                    onChange={(e) => setZona(i, 'nombre', e.target.value)}
                    aria-invalid={invalido(`zonas[${i}].nombre`)}
                  />
                  {campoError(`zonas[${i}].nombre`)}
                </div>
                <div className="campo">
                  <label htmlFor={id}>Precio (S/)</label>
                  <input
                    id={id}
                    inputMode="decimal"
                    value={z.precio}
                    placeholder="80,50"
                    onChange={(e) => setZona(i, 'precio', e.target.value)}
                    aria-invalid={mensajePrecio ? true : undefined}
                    aria-describedby={describe || undefined}
                  />
                  {vivo?.ok && (
                    <span className="precio-leido" id={`${id}-leido`} data-testid={`precio-leido-${i}`}>
                      {formatPrecio(vivo.centimos)}
                    </span>
                  )}
                  {mensajePrecio && (
                    <span className="campo-error" id={`${id}-error`}>
                      {mensajePrecio}
                    </span>
                  )}
                </div>
                <div className="campo">
                  <label htmlFor={`zona-${i}-capacidad`}>Capacidad</label>
                  <input
                    id={`zona-${i}-capacidad`}
                    inputMode="numeric"
                    value={z.capacidad}
                    placeholder="500"
                    onChange={(e) => setZona(i, 'capacidad', e.target.value)}
                    aria-invalid={invalido(`zonas[${i}].capacidad`)}
                  />
                  {campoError(`zonas[${i}].capacidad`)}
                </div>
                <button
                  type="button"
                  className="btn btn-enlace quitar"
                  onClick={() => {
                    setZonas((zs) => zs.filter((_, j) => j !== i));
                    setPendiente(undefined);
                  }}
                  disabled={zonas.length === 1}
                  aria-label={`Quitar zona ${i + 1}`}
                >
                  Quitar
                </button>
              </div>
            );
          })}
          <button
            type="button"
            className="btn btn-secundario"
            onClick={() => {
              setZonas((zs) => [...zs, zonaVacia()]);
              setPendiente(undefined);
            }}
          >
            Añadir zona
          </button>
        </fieldset>
        {errorGeneral && <MensajeError error={errorGeneral} />}
        {error && !errorGeneral && (
          <CorregirCampos>{ajenos.length > 0 ? `Revisa los datos. ${erroresEnPalabras(ajenos)}.` : undefined}</CorregirCampos>
        )}
        {creado && (
          <Aviso tipo="ok">
            Evento publicado: <Link to={`/eventos/${encodeURIComponent(creado.id)}`}>{creado.nombre}</Link>
          </Aviso>
        )}
        {pendiente ? (
          <Resumen
            pendiente={pendiente}
            enviando={enviando}
            onConfirmar={() => void publicar()}
            onVolver={() => setPendiente(undefined)}
          />
        ) : (
          <button type="submit" className="btn btn-primario">
            Publicar evento
          </button>
        )}
      </form>
    </section>
  );
}

interface ResumenProps {
  pendiente: Pendiente;
  enviando: boolean;
  onConfirmar: () => void;
  onVolver: () => void;
}

/** The event as it will be published; nothing is sent until "Confirmar y publicar". */
function Resumen({ pendiente: { evento }, enviando, onConfirmar, onVolver }: ResumenProps) {
  const titulo = useRef<HTMLHeadingElement>(null);
  // Said and shown at once: the focus moves to the summary.
  useEffect(() => titulo.current?.focus(), []);
  // Optional in the API's body (an event may be seeded without zones); this form always sends them.
  const zonas = evento.zonas ?? [];
  const aforo = zonas.reduce((a, z) => a + z.capacidad, 0);
  return (
    <section className="confirmar-evento" aria-labelledby="titulo-confirmar-evento" data-testid="confirmar-evento">
      <h3 id="titulo-confirmar-evento" tabIndex={-1} ref={titulo}>
        Revisa antes de publicar
      </h3>
      <dl className="datos-reserva">
        <div>
          <dt>Evento</dt>
          <dd>{evento.nombre || '(sin nombre)'}</dd>
        </div>
        <div>
          <dt>Fecha</dt>
          <dd data-testid="confirmar-fecha">{formatFechaLocal(evento.fecha, evento.zona_horaria ?? ZONA_DEFECTO)}</dd>
        </div>
        <div>
          <dt>Lugar</dt>
          <dd>{evento.lugar || '(sin lugar)'}</dd>
        </div>
      </dl>
      <table className="tabla-resumen">
        <CabeceraTabla titulo="Zonas del evento" columnas={['Zona', 'Precio', 'Capacidad']} />
        <tbody>
          {zonas.map((z, i) => (
            <tr key={i} data-zona={z.nombre}>
              <th scope="row">{z.nombre || `Zona ${i + 1}`}</th>
              <td className="precio">{formatPrecio(z.precio)}</td>
              <td className="capacidad">{entradas(z.capacidad)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">Aforo total: {entradas(aforo)}.</p>
      <div className="acciones">
        <button type="button" className="btn btn-primario" onClick={onConfirmar} disabled={enviando}>
          {enviando ? 'Publicando…' : 'Confirmar y publicar'}
        </button>
        <button type="button" className="btn btn-secundario" onClick={onVolver} disabled={enviando}>
          Volver a editar
        </button>
      </div>
    </section>
  );
}
