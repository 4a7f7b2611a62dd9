// "¿Perdiste tu enlace? Te lo reenviamos": a guest (no account, no "Mis reservas") gets the
// links of their reservations mailed again (POST /api/reservas/reenviar). The answer is
// the same whether or not the email bought anything (202), so the form says "if there are
// reservations" and never reveals who is a buyer. A 429 says how long to wait.
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation } from '@tanstack/react-query';
import { api, errorDeCampo } from '../api/client';
import type { ApiError } from '../api/client';
import { useEsperaReintento } from '../hooks';
import { emailRecordado } from '../sesion';
import { Campo } from './Campo';
import { Aviso, MensajeError } from './Estado';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function ReenviarEnlace() {
  const id = useId();
  const [email, setEmail] = useState(emailRecordado);
  const envio = useMutation<string, ApiError, string>({
    mutationFn: async (e) => {
      if (!EMAIL.test(e.trim())) throw errorDeCampo('email', 'Escribe un email válido, como nombre@ejemplo.com.');
      return (await api.reenviarEnlaces(e)).mensaje;
    },
  });
  const esperando = useEsperaReintento(envio.error ?? undefined);
  const enviar = (ev: FormEvent) => {
    ev.preventDefault();
    envio.mutate(email);
  };
  const errorCampo = envio.error?.campo('email');
  return (
    <section className="tarjeta reenviar" aria-labelledby={`${id}-titulo`} data-testid="reenviar">
      <h2 id={`${id}-titulo`}>¿Perdiste tu enlace? Te lo reenviamos</h2>
      {envio.isSuccess ? (
        <Aviso tipo="ok">
          {envio.data ||
            'Si hay reservas con ese email, te enviamos sus enlaces. Revisa tu correo (y la carpeta de spam) en unos minutos.'}
        </Aviso>
      ) : (
        <form onSubmit={enviar} noValidate>
          <p className="muted">Si compraste como invitado, escribe el email con el que compraste y te enviamos el enlace de cada reserva.</p>
          <Campo
            id={`${id}-email`}
            etiqueta="Email de la compra"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errorCampo}
          />
          {envio.error && !errorCampo && <MensajeError error={envio.error} />}
          <button type="submit" className="btn btn-secundario" disabled={envio.isPending || esperando}>
            {envio.isPending ? 'Enviando…' : 'Reenviarme el enlace'}
          </button>
        </form>
      )}
    </section>
  );
}
