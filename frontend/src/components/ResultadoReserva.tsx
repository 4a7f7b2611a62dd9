// What a booking attempt ended in: the confirmation with the SAGA's steps, or the failure
// with the failing step and what was undone.
import { useRef, useState } from 'react';
import { secretoDe } from '../api/client';
import type { ApiError } from '../api/client';
import type { Reserva } from '../api/types';
import { mensajeError, nombrePaso, slug, tituloFallo } from '../api/messages';
import { formatPrecio } from '../format';
import { entradas, verEntradas } from '../plural';
import { Link } from 'react-router';
import { rutaReserva } from '../enlaces';
import { Compensaciones, PasosSaga } from './Saga';

export type Resultado =
  | { ok: true; reserva: Reserva }
  | { ok: false; error: ApiError; /** The failed reservation, when it could be read back. */ reserva?: Reserva };

/**
 * A guest's way back to the reservation: the link with its secret, shown once (the API
 * gives the secret only in the booking's answer; this page keeps it in memory only).
 */
export function EnlaceReserva({ id, secreto }: { id: string; secreto: string }) {
  const ruta = rutaReserva(id, secreto);
  const url = `${window.location.origin}${ruta}`;
  const campo = useRef<HTMLInputElement>(null);
  const [copia, setCopia] = useState<'ok' | 'manual'>();
  const copiar = async () => {
    try {
      // Only in a secure context (https or localhost); elsewhere, select it for the user.
      if (!navigator.clipboard) throw new Error('sin portapapeles');
      await navigator.clipboard.writeText(url);
      setCopia('ok');
    } catch {
      campo.current?.select();
      setCopia('manual');
    }
  };
  return (
    <div className="enlace-reserva" data-testid="enlace-reserva">
      <p>
        <strong>Guarda este enlace para ver o cancelar tu reserva.</strong> Solo se muestra ahora, y
        quien lo tenga puede ver y cancelar la reserva: no lo compartas.
      </p>
      <div className="enlace-copiar">
        <input ref={campo} readOnly value={url} aria-label="Enlace de tu reserva" onFocus={(e) => e.target.select()} />
        <button type="button" className="btn btn-secundario" onClick={() => void copiar()}>
          Copiar enlace
        </button>
      </div>
      {copia && (
        <p className="muted" role="status">
          {copia === 'ok' ? 'Enlace copiado.' : 'Selecciona el enlace y cópialo (Ctrl+C).'}
        </p>
      )}
      <p>
        <Link to={ruta}>Abrir mi reserva</Link>
      </p>
    </div>
  );
}

/**
 * What the compensations mean to the buyer, who may never have held a ticket: no charge,
 * or (when the payment itself was undone) the money back.
 */
export function resumenDeshecho(compensaciones: Reserva['compensaciones']): string {
  const reembolso = compensaciones.some((c) => c.handler === 'ProcesadorPago');
  return reembolso ? 'Se anuló el cobro: se te devolvió el importe completo.' : 'No se te cobró nada.';
}

/** `invitado`: bought as a guest, who has no "Mis reservas" (it needs an account). */
export function ResultadoReserva({ resultado, invitado = false }: { resultado: Resultado; invitado?: boolean }) {
  const secreto = resultado.reserva && (resultado.reserva.secreto ?? secretoDe(resultado.reserva.id));
  const enlace = invitado && resultado.ok && secreto ? <EnlaceReserva id={resultado.reserva.id} secreto={secreto} /> : null;
  const misReservas = invitado ? (
    // With the link below, that is what to keep; without one, the code.
    <>{enlace ? 'Compraste como invitado: no tienes «Mis reservas».' : 'Compraste como invitado: guarda este código.'}</>
  ) : (
    <Link to="/mis-reservas">Ver mis reservas</Link>
  );
  if (resultado.ok && resultado.reserva.estado === 'EN_CURSO') {
    const r = resultado.reserva;
    return (
      <section className="resultado" aria-labelledby="resultado-titulo" data-testid="resultado" aria-live="polite">
        <h3 id="resultado-titulo">Estamos confirmando tu reserva…</h3>
        <p>
          Tu pago quedó registrado, pero un paso tardó más de lo esperado. No hace falta que vuelvas a
          comprar: la reserva se completa sola, o se te reembolsa si no se puede.
        </p>
        <p className="muted">
          Código de reserva: <code>{r.id}</code> · {misReservas}
        </p>
        {enlace}
      </section>
    );
  }
  if (resultado.ok) {
    const r = resultado.reserva;
    return (
      <section className="resultado resultado-ok" aria-labelledby="resultado-titulo" data-testid="resultado">
        <h3 id="resultado-titulo">¡Reserva confirmada!</h3>
        <p>
          {entradas(r.cantidad)}
          {r.zona ? ` en ${r.zona}` : ''}
          {r.total != null ? ` · Total ${formatPrecio(r.total)}` : ''}
        </p>
        <p className="muted">
          Código de reserva: <code>{r.id}</code>
        </p>
        {/* Straight to the tickets' codes (and their QR), on the reservation's page. */}
        {r.entradas.length > 0 && (
          <p>
            <Link className="btn btn-primario" to={rutaReserva(r.id, invitado ? secreto : undefined)}>
              {verEntradas(r.entradas.length)}
            </Link>
          </p>
        )}
        <PasosSaga pasos={r.pasos} />
        <p>{misReservas}</p>
        {enlace}
      </section>
    );
  }
  const { error, reserva } = resultado;
  const p = error.problem;
  const paso = p.paso ?? reserva?.fallo?.paso;
  const compensaciones = p.compensaciones ?? reserva?.compensaciones ?? [];
  const tipo = slug(p);
  return (
    <section className="resultado resultado-error" aria-labelledby="resultado-titulo" data-testid="resultado" role="alert">
      <h3 id="resultado-titulo">{tituloFallo(p)}</h3>
      <p className="resultado-mensaje">{mensajeError(p)}</p>
      {paso && (
        <p>
          Falló el paso: <strong>{nombrePaso(paso)}</strong>
        </p>
      )}
      {reserva && reserva.pasos.length > 0 && <PasosSaga pasos={reserva.pasos} fallido={paso} />}
      <Compensaciones items={compensaciones} />
      {compensaciones.length > 0 && tipo !== 'validacion' && <p className="muted">{resumenDeshecho(compensaciones)}</p>}
      {p.reserva_id && (
        <p className="muted">
          Referencia: <code>{p.reserva_id}</code>
        </p>
      )}
    </section>
  );
}
