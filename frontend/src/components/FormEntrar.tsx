// The email-and-password sign-in form, one for the buyer (components/Acceso.tsx) and one
// for the organizer (pages/OrganizadorPage.tsx): the same fields and rules, other words.
import { useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { ApiError, comoApiError } from '../api/client';
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
}

/** The state of a sign-in form; `entrar` rejects with what to show on it. */
export function useEntrada(entrar: (email: string, password: string) => Promise<unknown>, opciones: Opciones = {}) {
  const [email, setEmail] = useState(opciones.emailInicial ?? '');
  const [password, setPassword] = useState('');
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
      await entrar(email, password);
      if (!opciones.quedaMontado) return;
      setPassword('');
    } catch (err) {
      setError(comoApiError(err));
    }
    setEnviando(false);
  };

  return { email, setEmail, password, setPassword, enviando, esperando, error, setError, enviar };
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
