// Upcoming events with their zones, prices and live availability.
import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { Evento } from '../api/types';
import { Cargando, MensajeError } from '../components/Estado';
import { formatPrecio } from '../format';
import { claves } from '../consultas';
import { disponibles } from '../plural';
import { Link } from 'react-router';
import { MetaEvento } from '../components/MetaEvento';
import { CabeceraTabla } from '../components/CabeceraTabla';

/** How often availability refreshes while the list is open. */
const REFRESCO_MS = 10_000;

export function EventosPage() {
  // "Upcoming" is from the moment the page opened; the server sorts by date.
  const desde = useMemo(() => new Date().toISOString(), []);
  const filtro = { desde, limit: 100 };
  const { data, error, isFetching: cargando, refetch } = useQuery({
    queryKey: claves.eventos(filtro),
    queryFn: ({ signal }) => api.eventos(filtro, signal),
    // Only while the tab is visible (TanStack's default).
    refetchInterval: REFRESCO_MS,
  });
  const recargar = () => void refetch();

  return (
    <div>
      <div className="cabecera-pagina">
        <h1>Próximos eventos</h1>
        <button type="button" className="btn btn-secundario" onClick={() => recargar()} disabled={cargando}>
          Actualizar
        </button>
      </div>
      {cargando && !data && <Cargando texto="Cargando eventos…" />}
      {error && !data && <MensajeError error={error} onReintentar={() => recargar()} />}
      {data && data.items.length === 0 && (
        <p className="vacio">
          No hay eventos próximos todavía. Los organizadores pueden publicar uno en{' '}
          <Link to="/organizador">Organizador</Link>.
        </p>
      )}
      {data && data.items.length > 0 && (
        <ul className="lista-eventos">
          {data.items.map((ev) => (
            <TarjetaEvento key={ev.id} evento={ev} />
          ))}
        </ul>
      )}
    </div>
  );
}

function TarjetaEvento({ evento }: { evento: Evento }) {
  const agotado = evento.entradas_disponibles === 0;
  const desde = evento.zonas.length ? Math.min(...evento.zonas.map((z) => z.precio)) : undefined;
  return (
    <li className="tarjeta tarjeta-evento" data-evento-id={evento.id}>
      <div className="tarjeta-evento-cabecera">
        <h2>
          <Link to={`/eventos/${encodeURIComponent(evento.id)}`}>{evento.nombre}</Link>
        </h2>
        {agotado ? (
          <span className="etiqueta etiqueta-agotado">Agotado</span>
        ) : (
          <span className="etiqueta etiqueta-ok">{disponibles(evento.entradas_disponibles)}</span>
        )}
      </div>
      <MetaEvento evento={evento} />
      <table className="tabla-zonas">
        <CabeceraTabla titulo={`Zonas de ${evento.nombre}`} columnas={['Zona', 'Precio', 'Disponibles']} />
        <tbody>
          {evento.zonas.map((z) => (
            <tr key={z.nombre} className={z.disponibles === 0 ? 'zona-agotada' : undefined} data-zona={z.nombre}>
              <th scope="row">{z.nombre}</th>
              <td>{formatPrecio(z.precio)}</td>
              <td className="zona-disponibles">
                {z.disponibles === 0 ? <span className="etiqueta etiqueta-agotado">Agotado</span> : z.disponibles}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="tarjeta-pie">
        {desde !== undefined && <span className="muted">Desde {formatPrecio(desde)}</span>}
        <Link className="btn btn-primario" to={`/eventos/${encodeURIComponent(evento.id)}`}>
          {agotado ? 'Ver evento' : 'Comprar entradas'}
        </Link>
      </div>
    </li>
  );
}
