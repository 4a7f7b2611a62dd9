// Sign in, create an account (registration with a password, then sign in), and the
// registration form itself, also used without a password for a guest. From the sign-in
// form, "¿Olvidaste tu contraseña o no tienes una?" (components/RecuperarPassword.tsx).
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError, api, comoApiError, errorDeCampo } from '../api/client';
import { slug } from '../api/messages';
import type { NuevoUsuario, TipoDocumento, Usuario } from '../api/types';
import { PASSWORD_MIN, problemaPassword } from '../password';
import { emailRecordado, useSesion } from '../sesion';
import { CorregirCampos, MensajeError } from './Estado';
import { FormEntrar, useEntrada } from './FormEntrar';
import { RecuperarPassword } from './RecuperarPassword';
import type { Vuelta } from './RecuperarPassword';

const TIPOS: { valor: TipoDocumento; texto: string }[] = [
  { valor: 'DNI', texto: 'DNI' },
  { valor: 'CE', texto: 'Carné de extranjería (CE)' },
  { valor: 'PASAPORTE', texto: 'Pasaporte' },
  { valor: 'RUC', texto: 'RUC' },
];

interface IniciarProps {
  emailInicial?: string;
  /** Shown above the form (e.g. "Tu cuenta está creada…"). */
  aviso?: string;
  /** An error to show from the start (a sign-in tried for the user that failed). */
  errorInicial?: ApiError;
  onHecho?: (u: Usuario) => void;
}

export function IniciarSesion({ emailInicial, aviso, errorInicial, onHecho }: IniciarProps) {
  const { iniciar, aviso: avisoSesion } = useSesion();
  // On success this form goes away with the session: no state to reset.
  const entrar = async (email: string, password: string, codigo?: string) => {
    const u = await iniciar(email, password, codigo);
    onHecho?.(u);
  };
  const entrada = useEntrada(entrar, {
    emailInicial: () => emailInicial ?? emailRecordado(),
    errorInicial,
    rol: 'comprador',
  });
  // The forgotten-password flow, in this form's place; and what it says on coming back.
  const [recuperando, setRecuperando] = useState(false);
  const [avisoVuelta, setAvisoVuelta] = useState<string>();

  if (recuperando) {
    const volver = (v: Vuelta) => {
      setRecuperando(false);
      if (v.email) entrada.setEmail(v.email);
      entrada.setPassword('');
      setAvisoVuelta(v.aviso);
      entrada.setError(v.error);
    };
    return <RecuperarPassword emailInicial={entrada.email.trim()} onVolver={volver} onHecho={onHecho} />;
  }

  return (
    <FormEntrar
      entrada={entrada}
      id="ses"
      etiqueta="Iniciar sesión"
      avisos={[avisoSesion, avisoVuelta ?? aviso]}
      textos={{ email: 'Email', password: 'Contraseña', placeholder: 'ana@example.com', entrar: 'Entrar' }}
      acciones={
        <button
          type="button"
          className="btn btn-enlace"
          disabled={entrada.enviando}
          onClick={() => {
            entrada.setError(undefined);
            setRecuperando(true);
          }}
        >
          ¿Olvidaste tu contraseña o no tienes una?
        </button>
      }
    />
  );
}

interface CrearCuentaProps {
  onHecho?: (u: Usuario) => void;
}

/** Registration with a password; after the 201, signs in with the same credentials. */
export function CrearCuenta({ onHecho }: CrearCuentaProps) {
  const { iniciar } = useSesion();
  // Created, but the automatic sign-in failed (429, an outage): the sign-in form, prefilled.
  const [creada, setCreada] = useState<{ email: string; error: ApiError }>();

  if (creada) {
    return (
      <IniciarSesion
        emailInicial={creada.email}
        aviso="Tu cuenta está creada. Inicia sesión para continuar."
        errorInicial={creada.error}
        onHecho={onHecho}
      />
    );
  }

  const crear = async (datos: NuevoUsuario) => {
    const u = await api.registrar(datos);
    // Not `onHecho?.(await iniciar(…))`: without onHecho that would skip the sign-in.
    let entrada: Usuario;
    try {
      entrada = await iniciar(u.email, datos.password ?? '');
    } catch (err) {
      setCreada({ email: u.email, error: comoApiError(err) });
      return;
    }
    onHecho?.(entrada);
  };

  return (
    <RegistroComprador
      conPassword
      etiqueta="Crear cuenta"
      emailInicial={emailRecordado()}
      textoEnviar="Registrarme"
      textoEnviando="Registrando…"
      onEnviar={crear}
    />
  );
}

interface RegistroProps {
  emailInicial: string;
  /** The form's accessible name. */
  etiqueta: string;
  aviso?: string;
  /** An account (with a password) rather than a guest. */
  conPassword?: boolean;
  textoEnviar: string;
  textoEnviando: string;
  /** Sends the data; a rejection is the error to show on the form. */
  onEnviar: (datos: NuevoUsuario) => Promise<void>;
  volver?: { texto: string; onClick: () => void };
  /** Focus the first field on mount (the form appears below where the user looks). */
  enfocar?: boolean;
}

type Campos = keyof NuevoUsuario;

export function RegistroComprador({
  emailInicial,
  etiqueta,
  aviso,
  conPassword = false,
  textoEnviar,
  textoEnviando,
  onEnviar,
  volver,
  enfocar = false,
}: RegistroProps) {
  const [datos, setDatos] = useState<NuevoUsuario>({
    tipo_documento: 'DNI',
    nro_documento: '',
    nombre: '',
    apellido: '',
    email: emailInicial,
    ...(conPassword ? { password: '' } : {}),
  });
  const [enviando, setEnviando] = useState(false);
  const [error, setError] = useState<ApiError>();
  const primero = useRef<HTMLSelectElement>(null);

  useEffect(() => {
    if (enfocar) primero.current?.focus();
  }, [enfocar]);

  const set = (k: Campos) => (e: { target: { value: string } }) => setDatos((d) => ({ ...d, [k]: e.target.value }));

  const enviar = async (e: FormEvent) => {
    e.preventDefault();
    if (enviando) return;
    if (conPassword) {
      // Never send an account without a password: that would register a guest.
      const problema = problemaPassword(datos.password ?? '');
      if (problema) return setError(errorDeCampo('password', problema));
    }
    setEnviando(true);
    setError(undefined);
    try {
      await onEnviar({ ...datos, email: datos.email.trim() });
    } catch (err) {
      setError(comoApiError(err));
    } finally {
      setEnviando(false);
    }
  };

  const errorCampo = (k: Campos) => {
    if (!error) return undefined;
    const m = error.campo(k);
    if (m) return m;
    if (slug(error.problem) === 'usuario-duplicado' && error.problem.campo === k) return 'ya está registrado';
    return undefined;
  };
  const errorGeneral = error && !(error.problem.errors?.length ?? 0) ? error : undefined;

  const campo = (k: Campos, etiquetaCampo: string, props: { type?: string; autoComplete?: string; ayuda?: string } = {}) => {
    const m = errorCampo(k);
    const describe = [props.ayuda ? `reg-${k}-ayuda` : '', m ? `reg-${k}-error` : ''].filter(Boolean).join(' ');
    return (
      <div className="campo">
        <label htmlFor={`reg-${k}`}>{etiquetaCampo}</label>
        <input
          id={`reg-${k}`}
          type={props.type ?? 'text'}
          autoComplete={props.autoComplete}
          value={datos[k] ?? ''}
          onChange={set(k)}
          aria-invalid={m ? true : undefined}
          aria-describedby={describe || undefined}
        />
        {props.ayuda && (
          <span className="ayuda" id={`reg-${k}-ayuda`}>
            {props.ayuda}
          </span>
        )}
        {m && (
          <span className="campo-error" id={`reg-${k}-error`}>
            {m}
          </span>
        )}
      </div>
    );
  };

  const mTipo = errorCampo('tipo_documento');
  return (
    <form className="registro" onSubmit={enviar} aria-label={etiqueta} noValidate>
      {aviso && <p className="aviso aviso-info">{aviso}</p>}
      <div className="rejilla">
        <div className="campo">
          <label htmlFor="reg-tipo_documento">Tipo de documento</label>
          <select
            id="reg-tipo_documento"
            ref={primero}
            value={datos.tipo_documento}
            onChange={set('tipo_documento')}
            aria-invalid={mTipo ? true : undefined}
          >
            {TIPOS.map((t) => (
              <option key={t.valor} value={t.valor}>
                {t.texto}
              </option>
            ))}
          </select>
          {mTipo && <span className="campo-error">{mTipo}</span>}
        </div>
        {campo('nro_documento', 'Número de documento')}
        {campo('nombre', 'Nombre', { autoComplete: 'given-name' })}
        {campo('apellido', 'Apellido', { autoComplete: 'family-name' })}
        {campo('email', 'Email', { type: 'email', autoComplete: conPassword ? 'username' : 'email' })}
        {conPassword &&
          campo('password', 'Contraseña', { type: 'password', autoComplete: 'new-password', ayuda: `Mínimo ${PASSWORD_MIN} caracteres` })}
      </div>
      {errorGeneral && <MensajeError error={errorGeneral} />}
      {error && !errorGeneral && <CorregirCampos />}
      <div className="acciones">
        <button type="submit" className="btn btn-secundario" disabled={enviando}>
          {enviando ? textoEnviando : textoEnviar}
        </button>
        {volver && (
          <button type="button" className="btn btn-enlace" onClick={volver.onClick}>
            {volver.texto}
          </button>
        )}
      </div>
    </form>
  );
}
