// The SAGA's steps and compensations, in plain words.
import type { Compensacion, Paso } from '../api/types';
import { nombrePaso, nombreResultado } from '../api/messages';
import { formatDuracion } from '../format';
import { PASOS_SAGA } from '../saga';

interface PasosProps {
  pasos: Paso[];
  /** The failing handler, when the SAGA failed (the problem's `paso`). */
  fallido?: string;
}

/**
 * The steps that ran, in the order the answer gives them (the server's), then the rest of
 * the chain (src/saga.ts) as "no se ejecutó", so a failure reads as a whole story.
 */
export function PasosSaga({ pasos, fallido }: PasosProps) {
  const porHandler = new Map(pasos.map((p) => [p.handler, p]));
  const nombres = [...porHandler.keys(), ...PASOS_SAGA.filter((h) => !porHandler.has(h))];
  return (
    <ol className="pasos" aria-label="Pasos de la reserva">
      {nombres.map((h) => {
        const p = porHandler.get(h);
        const resultado = p?.resultado ?? (h === fallido ? 'fallido' : 'pendiente');
        // An unknown outcome (a timeout) is not a failure: nothing was undone, and the
        // reservation is finished by itself.
        const clase =
          resultado === 'ok' || resultado === 'pendiente' || resultado === 'incierto' ? resultado : 'fallido';
        return (
          <li key={h} className={`paso paso-${clase}`} data-handler={h}>
            <span className="paso-icono" aria-hidden="true">
              {clase === 'ok' ? '✓' : clase === 'fallido' ? '✕' : clase === 'incierto' ? '…' : '·'}
            </span>
            <span className="paso-nombre">{nombrePaso(h)}</span>
            <span className="paso-resultado">
              {resultado === 'pendiente' ? 'no se ejecutó' : nombreResultado(resultado)}
              {p && <span className="paso-ms"> · {formatDuracion(p.duracion_ms)}</span>}
            </span>
          </li>
        );
      })}
    </ol>
  );
}

export function Compensaciones({ items }: { items: Compensacion[] }) {
  if (items.length === 0) return null;
  return (
    <div className="compensaciones">
      <h4>Lo que se deshizo</h4>
      <ul>
        {items.map((c, i) => (
          <li key={i}>
            <span className="compensacion-paso">{nombrePaso(c.handler)}:</span> {c.accion}
          </li>
        ))}
      </ul>
    </div>
  );
}
