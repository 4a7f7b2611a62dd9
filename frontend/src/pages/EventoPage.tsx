// One event: choose zone and quantity, identify the buyer, pay with a card, book.
//
// A booking attempt owns one Idempotency-Key, made when the attempt starts (the page
// opens, "Comprar más entradas", or the first send after a refusal), not per click: a
// double click, a second submit while one is in flight, or a retry after a network error
// sends the same key, and the API replays that purchase instead of making another.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, comoApiError, nuevaClave, puedeLeerReserva } from '../api/client';
import { frase, repartirErrores } from '../api/campos';
import { slug } from '../api/messages';
import type { Evento, Reserva, SolicitudReserva, Zona } from '../api/types';
import { useComprador } from '../comprador';
import { Campo } from '../components/Campo';
import { Cargando, MensajeError } from '../components/Estado';
import { IdentificarComprador } from '../components/IdentificarComprador';
import { ResultadoReserva } from '../components/ResultadoReserva';
import type { Resultado } from '../components/ResultadoReserva';
import { formatPrecio } from '../format';
import { claves, invalidarTrasCompra } from '../consultas';
import { disponibilidad, POCAS_ENTRADAS } from '../plural';
import { Link } from 'react-router';
import { MetaEvento } from '../components/MetaEvento';

/** The API's default RESERVAS_MAX_CANTIDAD. */
export const MAX_CANTIDAD = 10;
const REFRESCO_MS = 10_000;

export const TARJETAS_PRUEBA = [
  { numero: '4242424242424242', texto: 'aprobada' },
  { numero: '4000000000000002', texto: 'rechazada' },
  { numero: '4000000000009995', texto: 'fondos insuficientes' },
  { numero: '4000000000000119', texto: 'error de procesamiento' },
];

/** How often, and for how many reads, an EN_CURSO reservation (a 202) is followed. */
export const SEGUIMIENTO_MS = 1_000;
const SEGUIMIENTO_MAX = 90;

/**
 * The 404 of a guest's booking whose email no buyer has (the API checks the buyer before
 * anything else and says "El usuario no existe"). The event's own 404 names the event.
 */
function compradorDesconocido(e: ApiError): boolean {
  return e.status === 404 && slug(e.problem) === 'no-encontrado' && !/evento/i.test(e.problem.detail ?? '');
}

/** The inputs of this form an API field error can point at. */
type CampoCompra = 'zona' | 'cantidad' | 'tarjeta' | 'titular';

/** API field path of `POST /api/reservar` → the input that holds it (the rest is shown in words). */
export const CAMPOS_RESERVA: Record<string, CampoCompra> = {
  zona: 'zona',
  cantidad: 'cantidad',
  pago: 'tarjeta',
  'pago.numero_tarjeta': 'tarjeta',
  'pago.titular': 'titular',
};

/** One booking attempt: its Idempotency-Key and the request first sent with it. */
interface Intento {
  clave: string;
  cuerpo?: string;
  /** Refused for good (4xx): nothing was bought, the next send is a new attempt. */
  cerrado: boolean;
}

const nuevoIntento = (): Intento => ({ clave: nuevaClave(), cerrado: false });

/**
 * Whether a failure ends the attempt. A refusal (4xx) bought nothing, and the same key
 * would only replay it (a sold-out zone that has tickets again, a new card). An outage
 * (5xx) or a lost answer (network) may or may not have bought: the retry keeps the key,
 * so the API answers with what really happened. 409 solicitud-en-curso is that very
 * attempt still running.
 */
function cierraIntento(e: ApiError): boolean {
  return e.status >= 400 && e.status < 500 && slug(e.problem) !== 'solicitud-en-curso';
}

/** A reservation that ended FALLIDA after a 202, shown as the failure it became. */
function fallida(r: Reserva): Resultado {
  const f = r.fallo;
  const error = new ApiError({
    type: `urn:eventflow:problem:${f?.tipo ?? 'reserva-fallida'}`,
    title: 'Reserva fallida',
    status: f?.status ?? 503,
    detail: f?.detalle ?? 'La reserva no se pudo completar; se reembolsó el pago.',
    reserva_id: r.id,
    paso: f?.paso,
    compensaciones: r.compensaciones,
  });
  return { ok: false, error, reserva: r };
}

export function EventoPage({ id }: { id: string }) {
  const {
    data: evento,
    error,
    isFetching: cargando,
    refetch,
  } = useQuery({
    queryKey: claves.evento(id),
    queryFn: ({ signal }) => api.evento(id, signal),
    refetchInterval: REFRESCO_MS,
  });

  return (
    <div className="pagina-evento">
      <p className="migas">
        <Link to="/">← Todos los eventos</Link>
      </p>
      {cargando && !evento && <Cargando texto="Cargando evento…" />}
      {error && !evento && (
        <MensajeError
          error={error}
          titulo={error.status === 404 ? 'Este evento no existe' : undefined}
          onReintentar={error.status === 404 ? undefined : () => void refetch()}
        />
      )}
      {evento && <Compra evento={evento} />}
    </div>
  );
}

function Compra({ evento }: { evento: Evento }) {
  const { comprador, setInvitado } = useComprador();
  const consultas = useQueryClient();
  // The purchase itself: never retried on its own (it charges); a send again is the
  // user's, with the same attempt's key. Whatever its answer, availability and the
  // buyer's reservations load again.
  const compra = useMutation({
    mutationFn: ({ solicitud, clave }: { solicitud: SolicitudReserva; clave: string }) => api.reservar(solicitud, clave),
    retry: false,
    onSettled: () => invalidarTrasCompra(consultas),
  });
  const primeraConEntradas = evento.zonas.find((z) => z.disponibles > 0)?.nombre ?? evento.zonas[0]?.nombre ?? '';
  const [zonaNombre, setZonaNombre] = useState(primeraConEntradas);
  const [cantidad, setCantidad] = useState(1);
  const [tarjeta, setTarjeta] = useState('');
  const [titular, setTitular] = useState('');
  const [enviando, setEnviando] = useState(false);
  const [resultado, setResultado] = useState<Resultado>();
  // The API's field errors, on the inputs they belong to.
  const [errores, setErrores] = useState<Partial<Record<CampoCompra, string>>>({});
  // The attempt ended in a reservation: the button offers a new purchase instead.
  const [comprada, setComprada] = useState(false);
  const intento = useRef<Intento>(null);
  intento.current ??= nuevoIntento();
  // Set synchronously: a second submit in the same tick, before React re-renders the
  // disabled button, still finds the first one in flight.
  const enCurso = useRef(false);

  // The reservation of a 202, followed until it is no longer EN_CURSO (with the session,
  // or the secret the 202 carried: reads are private). A failed read is a blip: the
  // next one follows.
  const [seguida, setSeguida] = useState<string>();
  const lecturas = useRef(0);
  const seguimiento = useQuery({
    queryKey: claves.seguimiento(seguida ?? ''),
    queryFn: ({ signal }) => {
      lecturas.current += 1;
      return api.reserva(seguida ?? '', signal);
    },
    enabled: seguida !== undefined,
    refetchInterval: (q) => (q.state.data === undefined || q.state.data.estado === 'EN_CURSO' ? SEGUIMIENTO_MS : false),
    refetchIntervalInBackground: true,
  });
  useEffect(() => {
    const fin = seguimiento.data;
    if (seguida === undefined) return;
    const termino = fin !== undefined && fin.estado !== 'EN_CURSO';
    if (!termino && lecturas.current < SEGUIMIENTO_MAX) return;
    // Ended (confirmed, or failed and refunded), or given up still EN_CURSO: what it is now.
    if (fin) setResultado(fin.estado === 'CONFIRMADA' || fin.estado === 'EN_CURSO' ? { ok: true, reserva: fin } : fallida(fin));
    setSeguida(undefined);
    enCurso.current = false;
    setEnviando(false);
    void invalidarTrasCompra(consultas);
  }, [seguida, seguimiento.data, seguimiento.dataUpdatedAt, seguimiento.errorUpdatedAt, consultas]);

  const campoTarjeta = useRef<HTMLInputElement>(null);
  const campoCantidad = useRef<HTMLSelectElement>(null);
  const grupoZonas = useRef<HTMLFieldSetElement>(null);

  const zona: Zona | undefined = evento.zonas.find((z) => z.nombre === zonaNombre);
  const maximo = Math.max(1, Math.min(MAX_CANTIDAD, zona?.disponibles ?? 1));

  // Availability moves under us (other buyers, our own booking): keep the choice valid.
  useEffect(() => {
    if (cantidad > maximo) setCantidad(maximo);
  }, [cantidad, maximo]);

  const agotada = !zona || zona.disponibles === 0;
  const tarjetaLimpia = tarjeta.replace(/[\s-]/g, '');
  const faltan: string[] = [];
  if (agotada) faltan.push('elige una zona con entradas');
  if (!comprador) faltan.push('identifícate como comprador');
  else if (comprador.tipo === 'invitado' && comprador.porRegistrar) faltan.push('completa tus datos de comprador');
  if (!/^\d{13,19}$/.test(tarjetaLimpia)) faltan.push('ingresa un número de tarjeta');

  /** A changed input drops its error: the API's message was about the old value. */
  const corregido = (c: CampoCompra) => setErrores((e) => (e[c] === undefined ? e : { ...e, [c]: undefined }));

  /** "Comprar más entradas": a new attempt, deliberately, with its own key. */
  const otraCompra = () => {
    intento.current = nuevoIntento();
    setComprada(false);
    campoTarjeta.current?.focus();
  };

  const reservar = async (e: FormEvent) => {
    e.preventDefault();
    if (enCurso.current || comprada || !comprador || !zona || faltan.length > 0) return;
    const solicitud: SolicitudReserva = {
      // An account books by id (with its session); a guest by email.
      ...(comprador.tipo === 'cuenta' ? { usuario_id: comprador.usuario.id } : { email: comprador.email }),
      evento_id: evento.id,
      zona: zona.nombre,
      cantidad,
      pago: { metodo: 'tarjeta', numero_tarjeta: tarjetaLimpia, titular: titular.trim() || undefined },
    };
    // Another request is another attempt (the API refuses a key with a different body),
    // and so is a send after a refusal; the same request, not yet answered for good, is
    // the same attempt.
    const cuerpo = JSON.stringify(solicitud);
    let actual = intento.current ?? nuevoIntento();
    if (actual.cerrado || (actual.cuerpo !== undefined && actual.cuerpo !== cuerpo)) actual = nuevoIntento();
    actual.cuerpo = cuerpo;
    intento.current = actual;

    enCurso.current = true;
    let siguiendo = false;
    setEnviando(true);
    setResultado(undefined);
    setErrores({});
    try {
      const reserva = await compra.mutateAsync({ solicitud, clave: actual.clave });
      // Bought (or paid and finishing, a 202): this attempt is spent, and the form is
      // ready for another purchase that must be asked for.
      setComprada(true);
      setZonaNombre(primeraConEntradas);
      setCantidad(1);
      setTarjeta('');
      setTitular('');
      if (reserva.estado === 'EN_CURSO' && puedeLeerReserva(reserva.id)) {
        // 202: paid, but a later step did not answer in time. Nothing is undone blind;
        // the reservation ends by itself, so follow it (with the session, or the
        // reservation's secret the 202 carried: reads are private).
        // Still sending until it ends (the effect above finishes the attempt).
        setResultado({ ok: true, reserva });
        siguiendo = true;
        lecturas.current = 0;
        setSeguida(reserva.id);
      } else {
        setResultado({ ok: true, reserva });
      }
    } catch (err) {
      const error = comoApiError(err);
      if (cierraIntento(error)) actual.cerrado = true;
      if (comprador.tipo === 'invitado' && compradorDesconocido(error)) {
        // Nothing was booked: the guest registers (section 2), then books again.
        setInvitado(comprador.email, true);
        return;
      }
      // A 422 on fields of this form: marked on them, in words, without the API's paths.
      if (error.status === 422 && error.problem.errors?.length) {
        const { porCampo, resto } = repartirErrores(error.problem.errors, CAMPOS_RESERVA);
        setErrores(porCampo);
        if (resto.length > 0) setResultado({ ok: false, error: new ApiError({ ...error.problem, errors: resto }) });
        const primero = (['zona', 'cantidad', 'tarjeta', 'titular'] as const).find((c) => porCampo[c] !== undefined);
        if (primero === 'tarjeta') campoTarjeta.current?.focus();
        else if (primero === 'cantidad') campoCantidad.current?.focus();
        else if (primero === 'zona') grupoZonas.current?.querySelector<HTMLInputElement>('input:checked, input:not(:disabled)')?.focus();
        else if (primero === 'titular') document.getElementById('titular')?.focus();
        return;
      }
      // The failed reservation holds the SAGA's steps: show them when it can be read.
      let reserva;
      // Only a payment failure or an outage leaves a stored reservation: a refusal
      // before any side effect (404, 409, 422) is not kept, so there is nothing to read.
      // Reads are private: a guest reads it with the secret the failure carried; without
      // one (nothing was kept) it is not asked for, rather than earn a 401.
      const rid = error.problem.reserva_id;
      if (rid && (error.status === 402 || error.status >= 500) && puedeLeerReserva(rid)) {
        try {
          reserva = await api.reserva(rid);
        } catch {
          reserva = undefined;
        }
      }
      setResultado({ ok: false, error, reserva });
    } finally {
      if (!siguiendo) {
        enCurso.current = false;
        setEnviando(false);
      }
    }
  };

  const total = zona ? zona.precio * cantidad : 0;
  const hayErrores = Object.values(errores).some((m) => m !== undefined);
  return (
    <>
      <header className="evento-cabecera">
        <h1>{evento.nombre}</h1>
        <MetaEvento evento={evento} />
      </header>
      <div className="compra">
        <section className="tarjeta">
          <h2>1. Zona y cantidad</h2>
          <fieldset className="zonas" ref={grupoZonas} aria-describedby={errores.zona ? 'zona-error' : undefined}>
            <legend className="sr-only">Zona</legend>
            {evento.zonas.map((z) => (
              <label
                key={z.nombre}
                className={`zona-opcion${z.disponibles === 0 ? ' zona-agotada' : ''}${z.nombre === zonaNombre ? ' zona-elegida' : ''}`}
                data-zona={z.nombre}
              >
                <input
                  type="radio"
                  name="zona"
                  value={z.nombre}
                  checked={z.nombre === zonaNombre}
                  disabled={z.disponibles === 0}
                  aria-invalid={errores.zona ? true : undefined}
                  onChange={() => {
                    setZonaNombre(z.nombre);
                    corregido('zona');
                  }}
                />
                <span className="zona-nombre">{z.nombre}</span>
                <span className="zona-precio">{formatPrecio(z.precio)}</span>
                <span className={`zona-disponibles${z.disponibles > 0 && z.disponibles <= POCAS_ENTRADAS ? ' zona-pocas' : ''}`}>
                  {z.disponibles === 0 ? (
                    <span className="etiqueta etiqueta-agotado">Agotado</span>
                  ) : (
                    disponibilidad(z.disponibles)
                  )}
                </span>
              </label>
            ))}
            {errores.zona && (
              <span className="campo-error" id="zona-error">
                {frase(errores.zona)}
              </span>
            )}
          </fieldset>
          <div className="campo campo-corto">
            <label htmlFor="cantidad">Cantidad</label>
            <select
              id="cantidad"
              ref={campoCantidad}
              value={cantidad}
              onChange={(e) => {
                setCantidad(Number(e.target.value));
                corregido('cantidad');
              }}
              disabled={agotada}
              aria-invalid={errores.cantidad ? true : undefined}
              aria-describedby={errores.cantidad ? 'cantidad-error' : undefined}
            >
              {Array.from({ length: maximo }, (_, i) => i + 1).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
            {errores.cantidad && (
              <span className="campo-error" id="cantidad-error">
                {frase(errores.cantidad)}
              </span>
            )}
          </div>
        </section>

        <section className="tarjeta">
          <h2>2. Comprador</h2>
          <IdentificarComprador />
        </section>

        {/* Its own form: sign-in, registration and the guest's email above are forms too. */}
        <form onSubmit={reservar} aria-label="Pago y reserva">
        <section className="tarjeta">
          <h2>3. Pago</h2>
          <div className="pago">
            <div className="pago-campos">
              <Campo
                id="tarjeta"
                etiqueta="Número de tarjeta"
                ref={campoTarjeta}
                inputMode="numeric"
                autoComplete="cc-number"
                placeholder="4242 4242 4242 4242"
                value={tarjeta}
                error={errores.tarjeta && frase(errores.tarjeta)}
                onChange={(e) => {
                  setTarjeta(e.target.value);
                  corregido('tarjeta');
                }}
              />
              <Campo
                id="titular"
                etiqueta="Titular (opcional)"
                autoComplete="cc-name"
                value={titular}
                error={errores.titular && frase(errores.titular)}
                onChange={(e) => {
                  setTitular(e.target.value);
                  corregido('titular');
                }}
              />
            </div>
            <aside className="tarjetas-prueba" aria-label="Tarjetas de prueba">
              <h3>Tarjetas de prueba</h3>
              <ul>
                {TARJETAS_PRUEBA.map((t) => (
                  <li key={t.numero}>
                    <button
                      type="button"
                      className="btn-enlace"
                      onClick={() => {
                        setTarjeta(t.numero);
                        corregido('tarjeta');
                      }}
                    >
                      <code>{t.numero}</code>
                    </button>{' '}
                    {t.texto}
                  </li>
                ))}
              </ul>
            </aside>
          </div>
        </section>

        <div className="resumen">
          <div>
            <span className="muted">Total</span>
            <strong className="total" data-testid="total">
              {formatPrecio(total)}
            </strong>
            {zona && (
              <span className="muted">
                {' '}
                ({cantidad} × {formatPrecio(zona.precio)})
              </span>
            )}
          </div>
          {comprada ? (
            // The same place as "Reservar": a second click there never buys again.
            <button type="button" className="btn btn-primario btn-grande" onClick={otraCompra}>
              Comprar más entradas
            </button>
          ) : (
            <button type="submit" className="btn btn-primario btn-grande" disabled={enviando || faltan.length > 0}>
              {enviando ? 'Procesando…' : 'Reservar'}
            </button>
          )}
        </div>
        {hayErrores && (
          <p className="campo-error faltan" role="alert">
            Revisa los datos marcados.
          </p>
        )}
        {!enviando && !comprada && faltan.length > 0 && <p className="muted faltan">Para reservar: {faltan.join(', ')}.</p>}
        {enviando && <Cargando texto="Procesando tu reserva…" />}
        </form>
      </div>
      {resultado && <ResultadoReserva resultado={resultado} invitado={comprador?.tipo === 'invitado'} />}
    </>
  );
}
