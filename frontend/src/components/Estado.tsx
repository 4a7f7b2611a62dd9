// Loading and error states, the same everywhere.
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';

export function Cargando({ texto = 'Cargando…' }: { texto?: string }) {
  return (
    <p className="cargando" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {texto}
    </p>
  );
}

interface ErrorProps {
  error: ApiError | string;
  titulo?: string;
  onReintentar?: () => void;
  children?: ReactNode;
}

export function MensajeError({ error, titulo, onReintentar, children }: ErrorProps) {
  const texto = typeof error === 'string' ? error : error.message;
  return (
    <div className="aviso aviso-error" role="alert">
      {titulo && <strong className="aviso-titulo">{titulo}</strong>}
      <p>{texto}</p>
      {children}
      {onReintentar && (
        <button type="button" className="btn btn-secundario" onClick={onReintentar}>
          Reintentar
        </button>
      )}
    </div>
  );
}

/** Under a form whose fields have errors beside them: one alert that says so. */
export function CorregirCampos({ children = 'Corrige los campos marcados.' }: { children?: ReactNode }) {
  return (
    <p className="campo-error" role="alert">
      {children}
    </p>
  );
}

export function Aviso({ tipo = 'info', children }: { tipo?: 'info' | 'ok'; children: ReactNode }) {
  return (
    <div className={`aviso aviso-${tipo}`} role="status">
      {children}
    </div>
  );
}
