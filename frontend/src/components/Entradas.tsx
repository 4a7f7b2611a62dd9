// A reservation's tickets, "Tus entradas": what its buyer shows at the door. One card per
// ticket with its zone, its code in groups of four (big, monospace, spelled for a screen
// reader), its state in plain words and, while it is valid, its QR. Shown on the reservation's own page, above its
// steps and audit trail; nothing for a reservation that never confirmed (it has none).
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Entrada, Reserva } from '../api/types';
import { invalidarTrasCompra } from '../consultas';
import { AccionesEntrada } from './AccionesEntrada';
import { Descargas } from './Descargas';
import { Aviso } from './Estado';
import { nombreEstadoEntrada } from '../api/messages';
import { deletrearCodigo, gruposCodigo } from '../format';
import { QrEntrada } from './QrEntrada';

/** The reservations that have tickets to show: confirmed, or cancelled after confirming. */
const CON_ENTRADAS: ReadonlySet<Reserva['estado']> = new Set(['CONFIRMADA', 'CANCELANDO', 'CANCELADA']);

/** Whether `r` has tickets to show ("Tus entradas"). */
export function tieneEntradas(r: Reserva): boolean {
  return CON_ENTRADAS.has(r.estado) && r.entradas.length > 0;
}

/** The tickets that still get in (not USADA, not ANULADA). */
export function entradasValidas(r: Reserva): Entrada[] {
  return r.entradas.filter((e) => e.estado === 'VALIDA');
}

/** The tickets still the buyer's (valid or used; not cancelled, returned or transferred). */
export function entradasPropias(r: Reserva): Entrada[] {
  return r.entradas.filter((e) => e.estado !== 'ANULADA');
}

/** `transferibles`: false when the event's organizer does not allow transfers. */
export function Entradas({ reserva: r, transferibles = true }: { reserva: Reserva; transferibles?: boolean }) {
  const consultas = useQueryClient();
  const [aviso, setAviso] = useState<string>();
  if (!tieneEntradas(r)) return null;
  const titulo = `entradas-${r.id}`;
  const vigente = r.estado === 'CONFIRMADA' && entradasValidas(r).length > 0;
  // One ticket cancelled or transferred: the reservation (and the lists) load again.
  const cambio = (mensaje: string) => {
    setAviso(mensaje);
    void consultas.invalidateQueries({ queryKey: ['reserva', r.id] });
    void invalidarTrasCompra(consultas);
  };
  return (
    <section className="entradas" aria-labelledby={titulo}>
      <h4 id={titulo} className="entradas-titulo">
        Tus entradas
      </h4>
      {aviso && <Aviso tipo="ok">{aviso}</Aviso>}
      {vigente && (
        <>
          <p className="muted entradas-ayuda">En la puerta, muestra el código QR de cada entrada o dicta su código.</p>
          <Descargas reservaId={r.id} />
        </>
      )}
      <ul className="entradas-lista">
        {r.entradas.map((e, i) => (
          <TarjetaEntrada
            key={e.codigo}
            entrada={e}
            numero={i + 1}
            total={r.entradas.length}
            zona={e.zona ?? r.zona ?? undefined}
            // Only a ticket that gets in has a QR to show; none while the reservation is being cancelled.
            reservaConQr={r.estado === 'CONFIRMADA' && e.estado === 'VALIDA' ? r.id : undefined}
            onCambio={cambio}
            transferible={transferibles}
          />
        ))}
      </ul>
    </section>
  );
}

interface TarjetaEntradaProps {
  entrada: Entrada;
  numero: number;
  total: number;
  zona?: string;
  /** The reservation whose access the QR is fetched with, when this ticket shows one. */
  reservaConQr?: string;
  onCambio?: (mensaje: string) => void;
  transferible?: boolean;
}

export function TarjetaEntrada({ entrada: e, numero, total, zona, reservaConQr, onCambio, transferible = true }: TarjetaEntradaProps) {
  const estado = e.estado.toLowerCase();
  return (
    <li className={`entrada entrada-${estado}`} data-codigo={e.codigo} data-testid="entrada">
      <div className="entrada-cabecera">
        <span className="entrada-zona">
          {zona ?? 'Entrada'}
          <span className="muted entrada-numero">
            {' '}
            · {numero} de {total}
          </span>
        </span>
        <span className={`etiqueta entrada-estado entrada-estado-${estado}`}>{nombreEstadoEntrada(e.estado, e.motivo)}</span>
      </div>
      <p className="entrada-codigo">
        {/* Read a character at a time: whole, "7K2Q" would be read as a word. */}
        <span className="sr-only">Código: {deletrearCodigo(e.codigo)}</span>
        {/* Groups are spaced by CSS, not spaces: a copied code is the code itself. */}
        <code aria-hidden="true" className="codigo-entrada">
          {gruposCodigo(e.codigo).map((g, i) => (
            <span key={i}>{g}</span>
          ))}
        </code>
      </p>
      {e.titular && <p className="entrada-titular">A nombre de {e.titular}</p>}
      {reservaConQr !== undefined && (
        <QrEntrada codigo={e.codigo} reservaId={reservaConQr || undefined} descripcion={`Código QR de la entrada ${numero} de ${total}`} />
      )}
      {reservaConQr && onCambio && <AccionesEntrada codigo={e.codigo} reservaId={reservaConQr} onCambio={onCambio} transferible={transferible} />}
    </li>
  );
}
