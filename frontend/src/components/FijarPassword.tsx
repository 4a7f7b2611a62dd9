// Step 2 of "¿Olvidaste tu contraseña o no tienes una?": the 6-digit code the buyer got
// by email and a new password (POST /api/usuarios/password), with the tries the code has
// left when it is wrong; another code on request.
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, api, comoApiError, errorDeCampo } from '../api/client';
import { mensajeCodigo, mensajeDemasiadosCodigos } from '../api/messages';
import { useEsperaReintento } from '../hooks';
import { PASSWORD_MIN, problemaPassword } from '../password';
import { Campo } from './Campo';
import { Aviso, CorregirCampos, MensajeError } from './Estado';

interface Props {
  email: string;
  /** The API's answer to the code request ("Si el email tiene una cuenta, le enviamos…"). */
  mensaje: string;
  /** The password is saved (`mensaje`: the API's words): sign in with it. */
  onGuardada: (mensaje: string, password: string) => Promise<void>;
  onOtroEmail: () => void;
  onVolver: () => void;
}

/** Only digits, at most six: a pasted "123 456" or "Tu código: 123456" works too. */
const soloDigitos = (v: string) => v.replace(/\D/g, '').slice(0, 6);

export function FijarPassword({ email, mensaje: mensajeInicial, onGuardada, onOtroEmail, onVolver }: Props) {
  const [mensaje, setMensaje] = useState(mensajeInicial);
  const [codigo, setCodigo] = useState('');
  const [password, setPassword] = useState('');
  const [enviando, setEnviando] = useState(false);
  const [guardada, setGuardada] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [reenviando, setReenviando] = useState(false);
  const [errorReenvio, setErrorReenvio] = useState<ApiError>();
  const esperando = useEsperaReintento(error);
  const esperandoReenvio = useEsperaReintento(errorReenvio);
  const refCodigo = useRef<HTMLInputElement>(null);
  const refPassword = useRef<HTMLInputElement>(null);

  useEffect(() => {
    refCodigo.current?.focus();
  }, []);
  // To the field that is wrong: a screen reader reads its error with it.
  useEffect(() => {
    if (error?.campo('codigo') !== undefined) refCodigo.current?.focus();
    else if (error?.campo('password') !== undefined) refPassword.current?.focus();
  }, [error]);

  const enviar = async (e: FormEvent) => {
    e.preventDefault();
    if (enviando || esperando) return;
    if (!/^\d{6}$/.test(codigo)) return setError(errorDeCampo('codigo', 'debe tener 6 dígitos'));
    const problema = problemaPassword(password);
    if (problema) return setError(errorDeCampo('password', problema));
    setEnviando(true);
    setError(undefined);
    let guardado: string;
    try {
      guardado = (await api.fijarPassword({ email, codigo, password })).mensaje;
    } catch (err) {
      setError(comoApiError(err));
      setEnviando(false);
      return;
    }
    setGuardada(true);
    await onGuardada(guardado, password);
  };

  const reenviar = async () => {
    if (reenviando || esperandoReenvio) return;
    setReenviando(true);
    setErrorReenvio(undefined);
    try {
      const r = await api.solicitarCodigo(email, 'password');
      setMensaje(`Pediste un código nuevo: usa el último que recibas. ${r.mensaje}`);
      setCodigo('');
      setError(undefined);
      refCodigo.current?.focus();
    } catch (err) {
      setErrorReenvio(comoApiError(err));
    } finally {
      setReenviando(false);
    }
  };

  const textoCodigo = error?.campo('codigo');
  const mCodigo = textoCodigo === undefined ? undefined : mensajeCodigo(textoCodigo, error?.problem.intentos_restantes);
  const mPassword = error?.campo('password');
  const general = error && !mCodigo && !mPassword ? error : undefined;
  return (
    <form className="acceso" onSubmit={enviar} aria-label="Crear nueva contraseña" noValidate>
      <div className="aviso aviso-info" role="status">
        {mensaje}
      </div>
      <p className="muted">
        Código para <strong>{email}</strong> ·{' '}
        <button type="button" className="btn btn-enlace" onClick={onOtroEmail} disabled={enviando}>
          Usar otro email
        </button>
      </p>
      {/* For password managers: whose password this is. */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <div className="rejilla">
        <Campo
          ref={refCodigo}
          id="rec-codigo"
          etiqueta="Código"
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]*"
          value={codigo}
          onChange={(e) => setCodigo(soloDigitos(e.target.value))}
          ayuda="Los 6 dígitos que te enviamos"
          error={mCodigo}
        />
        <Campo
          ref={refPassword}
          id="rec-password"
          etiqueta="Nueva contraseña"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          ayuda={`Mínimo ${PASSWORD_MIN} caracteres`}
          error={mPassword}
        />
      </div>
      {(mCodigo || mPassword) && <CorregirCampos />}
      {general && <MensajeError error={general} />}
      {errorReenvio && (
        <MensajeError error={errorReenvio.status === 429 ? mensajeDemasiadosCodigos(errorReenvio.problem) : errorReenvio} />
      )}
      {guardada && <Aviso tipo="ok">Contraseña guardada. Iniciando sesión…</Aviso>}
      <div className="acciones">
        <button type="submit" className="btn btn-primario" disabled={enviando || esperando}>
          {enviando ? 'Guardando…' : 'Guardar contraseña'}
        </button>
        <button
          type="button"
          className="btn btn-secundario"
          onClick={reenviar}
          disabled={enviando || reenviando || esperandoReenvio}
        >
          {reenviando ? 'Enviando…' : 'Enviar otro código'}
        </button>
        <button type="button" className="btn btn-enlace" onClick={onVolver} disabled={enviando}>
          Volver a iniciar sesión
        </button>
      </div>
    </form>
  );
}
