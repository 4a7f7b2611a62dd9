// When and where an event is, the line under its name on every page that lists events.
import type { Evento } from '../api/types';
import { formatFechaEvento } from '../fecha';
import { IconoFecha, IconoLugar } from './Iconos';

export function MetaEvento({ evento }: { evento: Evento }) {
  return (
    <p className="evento-meta">
      <span><IconoFecha /> {formatFechaEvento(evento)}</span>
      <span><IconoLugar /> {evento.lugar}</span>
    </p>
  );
}
