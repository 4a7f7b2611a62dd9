// One reservation by its link, `/reservas/{id}?s=<secreto>`: the link a guest gets after
// booking (and in the `reserva-confirmada` notification). Shows its tickets first ("Tus
// entradas", once confirmed), then its state, steps and audit trail, and lets its buyer
// cancel it.
//
// Who may read it: whoever brings its secret (`?s=`, sent as `X-Reserva-Secreto`), or
// its buyer's session. Anything else, and a reservation that does not exist, is the same
// "No encontramos esa reserva": the API answers 404 for all of them, so ids reveal nothing.
import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, comoApiError, recordarSecreto, secretoDe } from '../api/client';
import { RESERVA_NO_ENCONTRADA } from '../api/messages';
import type { Evento, Reserva } from '../api/types';
import { Cargando, MensajeError } from '../components/Estado';
import { claves } from '../consultas';
import { Link, useSearchParams } from 'react-router';
import { useSesion } from '../sesion';
import { TarjetaReserva } from './MisReservasPage';
import { ReenviarEnlace } from '../components/ReenviarEnlace';

/** While the reservation is still moving (a 202 being finished, a cancellation), follow it. */
const SEGUIMIENTO_MS = 3_000;

interface Vista {
  reserva: Reserva;
  evento?: Evento;
}

/** The `s` of this page's address: the reservation's secret, if the link has it. */
function secretoDelEnlace(consulta: URLSearchParams): string | undefined {
  return consulta.get('s')?.trim() || undefined;
}

export function ReservaPage({ id }: { id: string }) {
  const { sesion } = useSesion();
  const [consulta] = useSearchParams();
  // The link's secret first; else one this page already knows (it booked it).
  const [secreto] = useState(() => secretoDelEnlace(consulta) ?? secretoDe(id));
  // Nothing to open it with: the API would answer 401 (a console error, and no news).
  const sinCredencial = !secreto && !sesion;

  return (
    <div>
      <p className="migas">
        <Link to="/">← Todos los eventos</Link>
      </p>
      <h1>Tu reserva</h1>
      {sinCredencial ? (
        <>
          <MensajeError error={RESERVA_NO_ENCONTRADA}>
            <p>
              <Link to={`/iniciar-sesion?volver=${encodeURIComponent(`/reservas/${encodeURIComponent(id)}`)}`}>Iniciar sesión</Link>
            </p>
          </MensajeError>
          <ReenviarEnlace />
        </>
      ) : (
        // A new load when the session changes (signing in may open it, signing out close it).
        <Detalle key={sesion?.usuario.id ?? 'invitado'} id={id} secreto={secreto} />
      )}
    </div>
  );
}

function Detalle({ id, secreto }: { id: string; secreto?: string }) {
  const consultas = useQueryClient();
  const clave = claves.reserva(id, secreto);
  const { data, error, isFetching: cargando, refetch } = useQuery<Vista>({
    queryKey: clave,
    queryFn: async ({ signal }) => {
      const reserva = await api.reserva(id, signal, secreto);
      // It opened: the cancellation and the audit trail carry the same secret.
      if (secreto) recordarSecreto(id, secreto);
      // The event's name and date; without them the reservation still shows.
      const evento = await api.evento(reserva.evento_id, signal).catch(() => undefined);
      return { reserva, evento };
    },
    // Followed while it is still moving: a 202 being finished, a cancellation.
    refetchInterval: (q) => {
      const estado = q.state.data?.reserva.estado;
      return estado === 'EN_CURSO' || estado === 'CANCELANDO' ? SEGUIMIENTO_MS : false;
    },
  });

  if (!data) {
    if (cargando || !error) return <Cargando texto="Cargando tu reserva…" />;
    const e = comoApiError(error);
    // 404: missing, somebody else's, or a wrong secret. 422: not even a reservation id.
    if (e.status === 404 || e.status === 422) {
      return (
        <>
          <MensajeError error={RESERVA_NO_ENCONTRADA}>
            <p>
              <Link to="/">Volver a los eventos</Link>
            </p>
          </MensajeError>
          {/* A guest's link that no longer opens it: the way to a fresh one. */}
          <ReenviarEnlace />
        </>
      );
    }
    return <MensajeError error={e} onReintentar={e.status === 401 ? undefined : () => void refetch()} />;
  }
  return (
    <ul className="lista-reservas" data-testid="reserva">
      <TarjetaReserva
        reserva={data.reserva}
        evento={data.evento}
        historialAbierto
        conEntradas
        // The cancellation's answer at once; its refresh follows.
        onCambio={(nueva) => consultas.setQueryData<Vista>(clave, (v) => v && { ...v, reserva: nueva })}
      />
    </ul>
  );
}
