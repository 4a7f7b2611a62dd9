// What a buyer does with one valid ticket: give it to someone else ("Transferir": a new code
// in their name, mailed to them; this one stops working) or give it back ("Cancelar esta
// entrada": its share refunded, the seat back on sale). Both ask first. Giving back is a
// quiet link-styled button, never the page's most prominent one (issue 33): the tickets
// are what the buyer came for.
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api } from '../api/client';
import type { ApiError } from '../api/client';
import type { EntradaCancelada, EntradaTransferida } from '../api/types';
import { slug } from '../api/messages';
import { formatPrecio } from '../format';
import { MensajeError } from './Estado';

type Abierto = 'transferir' | 'cancelar' | undefined;

interface Props {
  codigo: string;
  reservaId: string;
  /**
   * After a cancellation or a transfer: the reservation changed, and what to tell the
   * buyer (shown by the list: this ticket's card loses its actions once annulled).
   */
  onCambio: (mensaje: string) => void;
  /** False when the event does not allow transfers: no "Transferir" then. */
  transferible?: boolean;
}

/** A refusal of these two routes in words (409: used or annulled; transfers off). */
export function mensajeAccionEntrada(e: ApiError): string {
  switch (slug(e.problem)) {
    case 'transferencias-no-permitidas':
      return 'Este evento no permite transferir entradas.';
    case 'entrada-usada':
    case 'ya-usada':
      return 'Esa entrada ya se usó en la puerta: no se puede cambiar.';
    case 'entrada-anulada':
    case 'anulada':
      return 'Esa entrada ya no es válida (se canceló o se transfirió).';
    default:
      return e.status === 409 ? e.problem.detail || e.message : e.message;
  }
}

export function AccionesEntrada({ codigo, reservaId, onCambio, transferible = true }: Props) {
  const [abierto, setAbierto] = useState<Abierto>();
  const id = useId();

  const cancelacion = useMutation<EntradaCancelada, ApiError>({
    mutationFn: () => api.cancelarEntrada(codigo, reservaId),
    onSuccess: (r) => {
      setAbierto(undefined);
      onCambio(`Entrada cancelada. Se te reembolsan ${formatPrecio(r.reembolsado)}.`);
    },
  });
  const transferencia = useMutation<EntradaTransferida, ApiError, { email: string; nombre: string }>({
    mutationFn: (a) => api.transferirEntrada(codigo, reservaId, a),
    onSuccess: (_r, a) => {
      setAbierto(undefined);
      onCambio(`Entrada transferida a ${a.nombre.trim()}. Le enviamos su enlace a ${a.email.trim().toLowerCase()}; esta entrada ya no sirve.`);
    },
  });

  const enviarTransferencia = (ev: FormEvent<HTMLFormElement>) => {
    ev.preventDefault();
    const datos = new FormData(ev.currentTarget);
    transferencia.mutate({ email: String(datos.get('email') ?? ''), nombre: String(datos.get('nombre') ?? '') });
  };
  const error = cancelacion.error ?? transferencia.error;
  const ocupado = cancelacion.isPending || transferencia.isPending;

  return (
    <div className="entrada-acciones">
      {error && <MensajeError error={mensajeAccionEntrada(error)} />}
      {!abierto && (
        <div className="acciones">
          {transferible && (
            <button type="button" className="btn btn-secundario btn-chico" onClick={() => setAbierto('transferir')}>
              Transferir
            </button>
          )}
          <button type="button" className="btn btn-enlace" onClick={() => setAbierto('cancelar')}>
            Cancelar esta entrada
          </button>
        </div>
      )}
      {abierto === 'cancelar' && (
        <div className="confirmar" role="alertdialog" aria-labelledby={`${id}-cancelar`}>
          <p id={`${id}-cancelar`}>
            ¿Cancelar esta entrada? Se te reembolsa su precio y deja de servir en la puerta. Las demás entradas de la reserva siguen
            valiendo.
          </p>
          <div className="acciones">
            <button type="button" className="btn btn-peligro" onClick={() => cancelacion.mutate()} disabled={ocupado}>
              {cancelacion.isPending ? 'Cancelando…' : 'Sí, cancelar la entrada'}
            </button>
            <button type="button" className="btn btn-secundario" onClick={() => setAbierto(undefined)} disabled={ocupado}>
              No, mantenerla
            </button>
          </div>
        </div>
      )}
      {abierto === 'transferir' && (
        <form className="form-transferir" onSubmit={enviarTransferencia} aria-labelledby={`${id}-transferir`}>
          <p id={`${id}-transferir`}>
            <strong>Transferir esta entrada.</strong> La persona recibe por email una entrada nueva a su nombre; esta deja de servir.
          </p>
          <div className="campo">
            <label htmlFor={`${id}-nombre`}>Nombre de quien la recibe</label>
            <input id={`${id}-nombre`} name="nombre" required autoComplete="off" maxLength={120} />
          </div>
          <div className="campo">
            <label htmlFor={`${id}-email`}>Su email</label>
            <input id={`${id}-email`} name="email" type="email" required autoComplete="off" />
          </div>
          <div className="acciones">
            <button type="submit" className="btn btn-primario" disabled={ocupado}>
              {transferencia.isPending ? 'Transfiriendo…' : 'Transferir entrada'}
            </button>
            <button type="button" className="btn btn-secundario" onClick={() => setAbierto(undefined)} disabled={ocupado}>
              Volver
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
