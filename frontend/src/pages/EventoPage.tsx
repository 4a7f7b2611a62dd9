// One event: choose zone and quantity, identify the buyer, pay with a card, book.
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError, comoApiError, nuevaClave, puedeLeerReserva } from '../api/client';
import { slug } from '../api/messages';
import type { Evento, Reserva, Zona } from '../api/types';
import { useComprador } from '../comprador';
import { Cargando, MensajeError } from '../components/Estado';
import { IdentificarComprador } from '../components/IdentificarComprador';
import { ResultadoReserva } from '../components/ResultadoReserva';
import type { Resultado } from '../components/ResultadoReserva';
import { formatFecha, formatPrecio } from '../format';
import { useCarga } from '../hooks';
import { Link } from '../router';
import { IconoFecha, IconoLugar } from '../components/Iconos';

/** The API's default RESERVAS_MAX_CANTIDAD. */
export const MAX_CANTIDAD = 10;
const REFRESCO_MS = 10_000;

export const TARJETAS_PRUEBA = [
  { numero: '4242424242424242', texto: 'aprobada' },
  { numero: '4000000000000002', texto: 'rechazada' },
  { numero: '4000000000009995', texto: 'fondos insuficientes' },
  { numero: '4000000000000119', texto: 'error de procesamiento' },
];

/** How often, and how long, an EN_CURSO reservation (a 202) is followed. */
export const SEGUIMIENTO_MS = 1_000;
const SEGUIMIENTO_MAX = 90;

/**
 * Polls a reservation until it is no longer EN_CURSO (or gives up, still EN_CURSO). A
 * guest's reads carry the reservation's secret (the client remembers it from the 202).
 */
export async function seguirReserva(id: string, cadaMs = SEGUIMIENTO_MS): Promise<Reserva> {
  let ultima: Reserva | undefined;
  for (let i = 0; i < SEGUIMIENTO_MAX; i++) {
    await new Promise((r) => setTimeout(r, cadaMs));
    try {
      ultima = await api.reserva(id);
      if (ultima.estado !== 'EN_CURSO') return ultima;
    } catch {
      // A blip while following: keep following.
    }
  }
  return ultima ?? (await api.reserva(id));
}

/**
 * The 404 of a guest's booking whose email no buyer has (the API checks the buyer before
 * anything else and says "El usuario no existe"). The event's own 404 names the event.
 */
function compradorDesconocido(e: ApiError): boolean {
  return e.status === 404 && slug(e.problem) === 'no-encontrado' && !/evento/i.test(e.problem.detail ?? '');
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
  const carga = useCarga((signal) => api.evento(id, signal), id, REFRESCO_MS);
  const { data: evento, error, cargando, recargar } = carga;

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
          onReintentar={error.status === 404 ? undefined : () => recargar()}
        />
      )}
      {evento && <Compra evento={evento} onCambio={() => recargar(true)} />}
    </div>
  );
}

function Compra({ evento, onCambio }: { evento: Evento; onCambio: () => void }) {
  const { comprador, setInvitado } = useComprador();
  const primeraConEntradas = evento.zonas.find((z) => z.disponibles > 0)?.nombre ?? evento.zonas[0]?.nombre ?? '';
  const [zonaNombre, setZonaNombre] = useState(primeraConEntradas);
  const [cantidad, setCantidad] = useState(1);
  const [tarjeta, setTarjeta] = useState('');
  const [titular, setTitular] = useState('');
  const [enviando, setEnviando] = useState(false);
  const [resultado, setResultado] = useState<Resultado>();

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

  const reservar = async (e: FormEvent) => {
    e.preventDefault();
    if (!comprador || !zona || enviando || faltan.length > 0) return;
    setEnviando(true);
    setResultado(undefined);
    try {
      const reserva = await api.reservar(
        {
          // An account books by id (with its session); a guest by email.
          ...(comprador.tipo === 'cuenta' ? { usuario_id: comprador.usuario.id } : { email: comprador.email }),
          evento_id: evento.id,
          zona: zona.nombre,
          cantidad,
          pago: { metodo: 'tarjeta', numero_tarjeta: tarjetaLimpia, titular: titular.trim() || undefined },
        },
        // A fresh key per attempt: a double click or a retry of the same request replays
        // it instead of buying twice.
        nuevaClave(),
      );
      if (reserva.estado === 'EN_CURSO' && puedeLeerReserva(reserva.id)) {
        // 202: paid, but a later step did not answer in time. Nothing is undone blind;
        // the reservation ends by itself, so follow it (with the session, or the
        // reservation's secret the 202 carried: reads are private).
        setResultado({ ok: true, reserva });
        const fin = await seguirReserva(reserva.id);
        setResultado(fin.estado === 'CONFIRMADA' || fin.estado === 'EN_CURSO' ? { ok: true, reserva: fin } : fallida(fin));
      } else {
        setResultado({ ok: true, reserva });
      }
    } catch (err) {
      const error = comoApiError(err);
      if (comprador.tipo === 'invitado' && compradorDesconocido(error)) {
        // Nothing was booked: the guest registers (section 2), then books again.
        setInvitado(comprador.email, true);
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
      setEnviando(false);
      onCambio();
    }
  };

  const total = zona ? zona.precio * cantidad : 0;
  return (
    <>
      <header className="evento-cabecera">
        <h1>{evento.nombre}</h1>
        <p className="evento-meta">
          <span><IconoFecha /> {formatFecha(evento.fecha)}</span>
          <span><IconoLugar /> {evento.lugar}</span>
        </p>
      </header>
      <div className="compra">
        <section className="tarjeta">
          <h2>1. Zona y cantidad</h2>
          <fieldset className="zonas">
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
                  onChange={() => setZonaNombre(z.nombre)}
                />
                <span className="zona-nombre">{z.nombre}</span>
                <span className="zona-precio">{formatPrecio(z.precio)}</span>
                <span className="zona-disponibles">
                  {z.disponibles === 0 ? (
                    <span className="etiqueta etiqueta-agotado">Agotado</span>
                  ) : (
                    `${z.disponibles} disponibles`
                  )}
                </span>
              </label>
            ))}
          </fieldset>
          <div className="campo campo-corto">
            <label htmlFor="cantidad">Cantidad</label>
            <select
              id="cantidad"
              value={cantidad}
              onChange={(e) => setCantidad(Number(e.target.value))}
              disabled={agotada}
            >
              {Array.from({ length: maximo }, (_, i) => i + 1).map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
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
              <div className="campo">
                <label htmlFor="tarjeta">Número de tarjeta</label>
                <input
                  id="tarjeta"
                  inputMode="numeric"
                  autoComplete="cc-number"
                  placeholder="4242 4242 4242 4242"
                  value={tarjeta}
                  onChange={(e) => setTarjeta(e.target.value)}
                />
              </div>
              <div className="campo">
                <label htmlFor="titular">Titular (opcional)</label>
                <input
                  id="titular"
                  autoComplete="cc-name"
                  value={titular}
                  onChange={(e) => setTitular(e.target.value)}
                />
              </div>
            </div>
            <aside className="tarjetas-prueba" aria-label="Tarjetas de prueba">
              <h3>Tarjetas de prueba</h3>
              <ul>
                {TARJETAS_PRUEBA.map((t) => (
                  <li key={t.numero}>
                    <button type="button" className="btn-enlace" onClick={() => setTarjeta(t.numero)}>
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
          <button type="submit" className="btn btn-primario btn-grande" disabled={enviando || faltan.length > 0}>
            {enviando ? 'Procesando…' : 'Reservar'}
          </button>
        </div>
        {!enviando && faltan.length > 0 && <p className="muted faltan">Para reservar: {faltan.join(', ')}.</p>}
        {enviando && <Cargando texto="Procesando tu reserva…" />}
        </form>
      </div>
      {resultado && <ResultadoReserva resultado={resultado} invitado={comprador?.tipo === 'invitado'} />}
    </>
  );
}
