// The email-and-password sign-in form, one for the buyer (components/Acceso.tsx) and one
// for the organizer (pages/OrganizadorPage.tsx): the same fields and rules, other words.
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { api, ApiError, comoApiError } from '../api/client';
import { slug } from '../api/messages';
import type { RolSesion } from '../api/types';
import { useEsperaReintento } from '../hooks';
import { Campo } from './Campo';
import { MensajeError } from './Estado';

interface Opciones {
  /** The email to start with (read once, on mount). */
  emailInicial?: string | (() => string);
  /** An error to show from the start (a sign-in tried for the user that failed). */
  errorInicial?: ApiError;
  /**
   * The form's component stays mounted after signing in (it shows the session instead),
   * so it clears the password and its busy state; otherwise the form goes away with the
   * sign-in and there is nothing to reset.
   */
  quedaMontado?: boolean;
  /** Whose sign-in this is: a one-time code is asked for that account. */
  rol?: RolSesion;
}

/**
 * The state of a sign-in form; `entrar` rejects with what to show on it. After a 403
 * `codigo-requerido` (too many failed sign-ins on the account today), the form asks for a
 * one-time code mailed to the account and signs in with password and code: never a
 * lock-out.
 */
export function useEntrada(
  entrar: (email: string, password: string, codigo?: string) => Promise<unknown>,
  opciones: Opciones = {},
) {
  const [email, setEmail] = useState(opciones.emailInicial ?? '');
  const [password, setPassword] = useState('');
  const [codigo, setCodigo] = useState('');
  const [necesitaCodigo, setNecesitaCodigo] = useState(false);
  const [codigoEnviado, setCodigoEnviado] = useState(false);
  const [enviando, setEnviando] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(opciones.errorInicial);
  // After a 429, the button waits out the Retry-After.
  const esperando = useEsperaReintento(error);

  const enviar = async (e: FormEvent) => {
    e.preventDefault();
    if (!email.trim() || !password || enviando) return;
    setEnviando(true);
    setError(undefined);
    try {
      await entrar(email, password, necesitaCodigo && codigo.trim() ? codigo.trim() : undefined);
      if (!opciones.quedaMontado) return;
      setPassword('');
      setCodigo('');
      setNecesitaCodigo(false);
      setCodigoEnviado(false);
    } catch (err) {
      const error = comoApiError(err);
      if (slug(error.problem) === 'codigo-requerido') setNecesitaCodigo(true);
      setError(error);
    }
    setEnviando(false);
  };

  /** Mails a one-time code to the account (the same answer whether or not it exists). */
  const pedirCodigo = async () => {
    if (!email.trim() || enviando) return;
    setEnviando(true);
    setError(undefined);
    try {
      await api.solicitarCodigo(email, 'sesion', opciones.rol);
      setCodigoEnviado(true);
    } catch (err) {
      setError(comoApiError(err));
    }
    setEnviando(false);
  };

  return {
    email,
    setEmail,
    password,
    setPassword,
    codigo,
    setCodigo,
    necesitaCodigo,
    codigoEnviado,
    pedirCodigo,
    enviando,
    esperando,
    error,
    setError,
    enviar,
  };
}

export type Entrada = ReturnType<typeof useEntrada>;

interface Props {
  entrada: Entrada;
  /** Prefix of the fields' ids. */
  id: string;
  /** The form's accessible name. */
  etiqueta: string;
  /** Notices above the fields, each shown when set. */
  avisos: (string | undefined)[];
  textos: { email: string; password: string; placeholder: string; entrar: string };
  /** More buttons beside the submit button. */
  acciones?: ReactNode;
  /** Below the buttons. */
  children?: ReactNode;
}

export function FormEntrar({ entrada, id, etiqueta, avisos, textos, acciones, children }: Props) {
  const { email, setEmail, password, setPassword, enviando, esperando, error, enviar } = entrada;
  const { codigo, setCodigo, necesitaCodigo, codigoEnviado, pedirCodigo } = entrada;
  return (
    <form className="acceso" onSubmit={enviar} aria-label={etiqueta}>
      {avisos.map(
        (aviso, i) =>
          aviso && (
            <p key={i} className="aviso aviso-info">
              {aviso}
            </p>
          ),
      )}
      <div className="rejilla">
        <Campo
          id={`${id}-email`}
          etiqueta={textos.email}
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder={textos.placeholder}
        />
        <Campo
          id={`${id}-password`}
          etiqueta={textos.password}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </div>
      {necesitaCodigo && (
        <div className="rejilla" data-testid="codigo-de-entrada">
          <Campo
            id={`${id}-codigo`}
            etiqueta="Código de 6 dígitos"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={codigo}
            onChange={(e) => setCodigo(e.target.value)}
            ayuda={
              codigoEnviado
                ? `Te enviamos un código a ${email.trim()}. Escríbelo aquí con tu contraseña.`
                : 'Pide un código: te lo enviamos al email de la cuenta.'
            }
          />
          <div className="acciones">
            <button type="button" className="btn" onClick={pedirCodigo} disabled={enviando || esperando}>
              {codigoEnviado ? 'Enviar otro código' : 'Enviarme un código'}
            </button>
          </div>
        </div>
      )}
      {error && <MensajeError error={error} />}
      <div className="acciones">
        <button type="submit" className="btn btn-primario" disabled={enviando || esperando}>
          {enviando ? 'Entrando…' : textos.entrar}
        </button>
        {acciones}
      </div>
      {children}
    </form>
  );
}
