// "¿Olvidaste tu contraseña o no tienes una?": a one-time code sent to the account's
// email (POST /api/usuarios/codigo), then that code and a new password
// (components/FijarPassword.tsx), then a sign-in with it. A guest (a buyer registered
// without a password) gets a password the same way.
//
// Once the password is saved the buyer is signed in with it automatically (they have
// just typed it). If that sign-in fails (429, an outage), the sign-in form comes back
// with the API's "Contraseña guardada…" and the error.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, api, comoApiError, errorDeCampo } from '../api/client';
import { mensajeDemasiadosCodigos } from '../api/messages';
import type { Usuario } from '../api/types';
import { useEsperaReintento } from '../hooks';
import { useSesion } from '../sesion';
import { Campo } from './Campo';
import { Aviso, CorregirCampos, MensajeError } from './Estado';
import { FijarPassword } from './FijarPassword';

/** What the sign-in form shows when the flow hands back to it. */
export interface Vuelta {
  email: string;
  aviso?: string;
  error?: ApiError;
}

interface Props {
  emailInicial: string;
  /** Back to the sign-in form. */
  onVolver: (v: Vuelta) => void;
  /** Signed in with the new password. */
  onHecho?: (u: Usuario) => void;
}

export function RecuperarPassword({ emailInicial, onVolver, onHecho }: Props) {
  const { iniciar } = useSesion();
  const [email, setEmail] = useState(emailInicial);
  // The API's answer to the code request: step 2 while set.
  const [mensaje, setMensaje] = useState<string>();
  const [dentro, setDentro] = useState(false);

  if (dentro) return <Aviso tipo="ok">Contraseña guardada. Ya iniciaste sesión.</Aviso>;

  if (mensaje === undefined) {
    return (
      <PedirCodigo
        emailInicial={email}
        onEnviado={(e, m) => {
          setEmail(e);
          setMensaje(m);
        }}
        onVolver={(e) => onVolver({ email: e })}
      />
    );
  }

  const guardada = async (aviso: string, password: string) => {
    let u: Usuario;
    try {
      u = await iniciar(email, password);
    } catch (err) {
      onVolver({ email, aviso, error: comoApiError(err) });
      return;
    }
    setDentro(true);
    onHecho?.(u);
  };

  return (
    <FijarPassword
      email={email}
      mensaje={mensaje}
      onGuardada={guardada}
      onOtroEmail={() => setMensaje(undefined)}
      onVolver={() => onVolver({ email })}
    />
  );
}

interface PedirProps {
  emailInicial: string;
  /** The code was asked for: the email (as the API keeps it) and the API's message. */
  onEnviado: (email: string, mensaje: string) => void;
  onVolver: (email: string) => void;
}

/** Step 1: the account's email. The API answers the same whether or not it has an account. */
function PedirCodigo({ emailInicial, onEnviado, onVolver }: PedirProps) {
  const [email, setEmail] = useState(emailInicial);
  const [enviando, setEnviando] = useState(false);
  const [error, setError] = useState<ApiError>();
  const esperando = useEsperaReintento(error);
  const campo = useRef<HTMLInputElement>(null);

  // The form replaces the one the buyer was using: take the focus there, and back to
  // the field when it is wrong.
  useEffect(() => {
    campo.current?.focus();
  }, []);
  useEffect(() => {
    if (error?.campo('email')) campo.current?.focus();
  }, [error]);

  const enviar = async (e: FormEvent) => {
    e.preventDefault();
    if (enviando || esperando) return;
    const limpio = email.trim().toLowerCase();
    if (!limpio) return setError(errorDeCampo('email', 'no puede estar vacío'));
    setEnviando(true);
    setError(undefined);
    try {
      const r = await api.solicitarCodigo(limpio, 'password');
      onEnviado(limpio, r.mensaje);
    } catch (err) {
      setError(comoApiError(err));
      setEnviando(false);
    }
  };

  const mEmail = error?.campo('email');
  const general = error && !mEmail ? error : undefined;
  return (
    <form className="acceso" onSubmit={enviar} aria-label="Recuperar contraseña" noValidate>
      <p className="aviso aviso-info">
        Te enviaremos un código de 6 dígitos para crear una contraseña nueva. Si compraste como invitado, así creas la
        tuya.
      </p>
      <div className="rejilla">
        <Campo
          ref={campo}
          id="rec-email"
          etiqueta="Email"
          type="email"
          autoComplete="username"
          placeholder="ana@example.com"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={mEmail}
        />
      </div>
      {mEmail && <CorregirCampos />}
      {general && <MensajeError error={general.status === 429 ? mensajeDemasiadosCodigos(general.problem) : general} />}
      <div className="acciones">
        <button type="submit" className="btn btn-primario" disabled={enviando || esperando}>
          {enviando ? 'Enviando…' : 'Enviar código'}
        </button>
        <button type="button" className="btn btn-enlace" onClick={() => onVolver(email.trim())}>
          Volver a iniciar sesión
        </button>
      </div>
    </form>
  );
}
