// A confirmed reservation's files: its tickets as a PDF (one page per ticket, with its QR)
// and its event as a calendar entry. Fetched, not linked: a guest's secret goes as a
// header, which a bare link could not send (src/descargar.ts saves the answer).
import { useState } from 'react';
import { api, comoApiError } from '../api/client';
import type { ApiError } from '../api/client';
import { guardarArchivo } from '../descargar';
import { MensajeError } from './Estado';

type Archivo = 'pdf' | 'ics';

const ARCHIVOS: Record<Archivo, { texto: string; ocupado: string; nombre: (id: string) => string; pedir: (id: string) => Promise<Blob> }> = {
  pdf: { texto: 'Descargar PDF', ocupado: 'Preparando el PDF…', nombre: (id) => `entradas-${id}.pdf`, pedir: api.pdfReserva },
  ics: { texto: 'Añadir al calendario', ocupado: 'Preparando…', nombre: (id) => `evento-${id}.ics`, pedir: api.icsReserva },
};

export function Descargas({ reservaId }: { reservaId: string }) {
  const [bajando, setBajando] = useState<Archivo>();
  const [error, setError] = useState<ApiError>();
  const bajar = async (a: Archivo) => {
    setBajando(a);
    setError(undefined);
    try {
      guardarArchivo(await ARCHIVOS[a].pedir(reservaId), ARCHIVOS[a].nombre(reservaId));
    } catch (e) {
      setError(comoApiError(e));
    } finally {
      setBajando(undefined);
    }
  };
  return (
    <div className="descargas">
      <div className="acciones">
        {(Object.keys(ARCHIVOS) as Archivo[]).map((a) => (
          <button key={a} type="button" className="btn btn-secundario" onClick={() => void bajar(a)} disabled={bajando !== undefined}>
            {bajando === a ? ARCHIVOS[a].ocupado : ARCHIVOS[a].texto}
          </button>
        ))}
      </div>
      {error && <MensajeError error={error} />}
    </div>
  );
}
