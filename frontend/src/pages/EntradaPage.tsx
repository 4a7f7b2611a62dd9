// One ticket by its own link, `/entradas/{codigo}?s=<secreto>`: what the new holder of a
// transferred ticket gets by email. Shows the event, the ticket (zone, code, holder, state)
// and, while it is valid, its QR. Its secret goes as `X-Entrada-Secreto` and stays in
// memory only; without it (and without a session) nothing is asked.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, comoApiError, recordarSecretoEntrada } from '../api/client';
import type { EntradaRespuesta, Evento } from '../api/types';
import { Cargando, MensajeError } from '../components/Estado';
import { TarjetaEntrada } from '../components/Entradas';
import { MetaEvento } from '../components/MetaEvento';
import { useSesion } from '../sesion';

const ENTRADA_NO_ENCONTRADA =
  'No encontramos esa entrada. Revisa que el enlace esté completo (con el código que va después de «?s=»).';

interface Vista {
  entrada: EntradaRespuesta;
  evento?: Evento;
}

export function EntradaPage({ codigo }: { codigo: string }) {
  const { sesion } = useSesion();
  const [consulta] = useSearchParams();
  const [secreto] = useState(() => {
    const s = consulta.get('s')?.trim() || undefined;
    // Before the first request: every call of this ticket (its QR too) carries it.
    if (s) recordarSecretoEntrada(codigo, s);
    return s;
  });
  const sinCredencial = !secreto && !sesion;
  return (
    <div className="pagina-entrada">
      <p className="migas">
        <Link to="/">← Todos los eventos</Link>
      </p>
      <h1>Tu entrada</h1>
      {sinCredencial ? <MensajeError error={ENTRADA_NO_ENCONTRADA} /> : <Detalle codigo={codigo} secreto={secreto} />}
    </div>
  );
}

function Detalle({ codigo, secreto }: { codigo: string; secreto?: string }) {
  const { data, error, isFetching, refetch } = useQuery<Vista>({
    queryKey: ['entrada', codigo, secreto ?? ''],
    queryFn: async ({ signal }) => {
      const entrada = await api.entrada(codigo, signal);
      const evento = await api.evento(entrada.evento_id, signal).catch(() => undefined);
      return { entrada, evento };
    },
  });
  if (!data) {
    if (isFetching || !error) return <Cargando texto="Cargando tu entrada…" />;
    const e = comoApiError(error);
    if (e.status === 404 || e.status === 422 || e.status === 401 || e.status === 403) return <MensajeError error={ENTRADA_NO_ENCONTRADA} />;
    return <MensajeError error={e} onReintentar={() => void refetch()} />;
  }
  const { entrada: e, evento } = data;
  return (
    <section className="tarjeta" aria-labelledby="titulo-evento-entrada" data-testid="entrada-propia">
      <h2 id="titulo-evento-entrada">{evento?.nombre ?? 'Evento'}</h2>
      {evento && <MetaEvento evento={evento} />}
      {e.estado === 'VALIDA' && <p className="muted entradas-ayuda">En la puerta, muestra este código QR o dicta el código de la entrada.</p>}
      <ul className="entradas-lista">
        <TarjetaEntrada entrada={e} numero={1} total={1} zona={e.zona ?? undefined} reservaConQr={e.estado === 'VALIDA' ? '' : undefined} />
      </ul>
    </section>
  );
}
