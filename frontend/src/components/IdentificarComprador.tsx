// Who is buying: find a registered buyer by email, or register one inline.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, ApiError, comoApiError } from '../api/client';
import { slug } from '../api/messages';
import type { NuevoUsuario, TipoDocumento, Usuario } from '../api/types';
import { emailRecordado } from '../comprador';
import { MensajeError } from './Estado';

const TIPOS: { valor: TipoDocumento; texto: string }[] = [
  { valor: 'DNI', texto: 'DNI' },
  { valor: 'CE', texto: 'Carné de extranjería (CE)' },
  { valor: 'PASAPORTE', texto: 'Pasaporte' },
  { valor: 'RUC', texto: 'RUC' },
];

interface Props {
  comprador: Usuario | null;
  onComprador: (u: Usuario | null) => void;
}

export function IdentificarComprador({ comprador, onComprador }: Props) {
  const [modo, setModo] = useState<'buscar' | 'registrar'>('buscar');
  const [email, setEmail] = useState(emailRecordado);
  const [buscando, setBuscando] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [aviso, setAviso] = useState<string>();

  if (comprador) {
    return (
      <div className="comprador" data-testid="comprador">
        <p>
          Comprando como{' '}
          <strong>
            {comprador.nombre} {comprador.apellido}
          </strong>{' '}
          <span className="muted">
            · {comprador.email} · {comprador.tipo_documento} {comprador.nro_documento}
          </span>
        </p>
        <button type="button" className="btn btn-enlace" onClick={() => onComprador(null)}>
          Cambiar de comprador
        </button>
      </div>
    );
  }

  const buscar = async (e: FormEvent) => {
    e.preventDefault();
    const limpio = email.trim();
    if (!limpio) return;
    setBuscando(true);
    setError(undefined);
    setAviso(undefined);
    try {
      onComprador(await api.usuario(limpio));
    } catch (err) {
      const ae = comoApiError(err);
      if (ae.status === 404) {
        setAviso('No encontramos ese email. Regístrate para comprar:');
        setModo('registrar');
      } else {
        setError(ae);
      }
    } finally {
      setBuscando(false);
    }
  };

  if (modo === 'registrar') {
    return (
      <RegistroComprador
        emailInicial={email.trim()}
        aviso={aviso}
        onRegistrado={onComprador}
        onVolver={() => {
          setAviso(undefined);
          setModo('buscar');
        }}
      />
    );
  }

  return (
    <form className="form-fila" onSubmit={buscar} aria-label="Buscar comprador">
      <div className="campo campo-ancho">
        <label htmlFor="buscar-email">Tu email</label>
        <input
          id="buscar-email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="ana@example.com"
        />
      </div>
      <button type="submit" className="btn btn-secundario" disabled={buscando}>
        {buscando ? 'Buscando…' : 'Continuar'}
      </button>
      <button
        type="button"
        className="btn btn-enlace"
        onClick={() => {
          setError(undefined);
          setModo('registrar');
        }}
      >
        Soy nuevo: registrarme
      </button>
      {error && <MensajeError error={error} />}
    </form>
  );
}

interface RegistroProps {
  emailInicial: string;
  aviso?: string;
  onRegistrado: (u: Usuario) => void;
  onVolver: () => void;
}

type Campos = keyof NuevoUsuario;

export function RegistroComprador({ emailInicial, aviso, onRegistrado, onVolver }: RegistroProps) {
  const [datos, setDatos] = useState<NuevoUsuario>({
    tipo_documento: 'DNI',
    nro_documento: '',
    nombre: '',
    apellido: '',
    email: emailInicial,
  });
  const [enviando, setEnviando] = useState(false);
  const [error, setError] = useState<ApiError>();

  const set = (k: Campos) => (e: { target: { value: string } }) => setDatos((d) => ({ ...d, [k]: e.target.value }));

  const enviar = async (e: FormEvent) => {
    e.preventDefault();
    setEnviando(true);
    setError(undefined);
    try {
      onRegistrado(await api.registrar({ ...datos, email: datos.email.trim() }));
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

  const campo = (k: Campos, etiqueta: string, props: { type?: string; autoComplete?: string } = {}) => {
    const m = errorCampo(k);
    return (
      <div className="campo">
        <label htmlFor={`reg-${k}`}>{etiqueta}</label>
        <input
          id={`reg-${k}`}
          type={props.type ?? 'text'}
          autoComplete={props.autoComplete}
          value={datos[k]}
          onChange={set(k)}
          aria-invalid={m ? true : undefined}
          aria-describedby={m ? `reg-${k}-error` : undefined}
        />
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
    <form className="registro" onSubmit={enviar} aria-label="Registro de comprador" noValidate>
      {aviso && <p className="aviso aviso-info">{aviso}</p>}
      <div className="rejilla">
        <div className="campo">
          <label htmlFor="reg-tipo_documento">Tipo de documento</label>
          <select
            id="reg-tipo_documento"
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
        {campo('email', 'Email', { type: 'email', autoComplete: 'email' })}
      </div>
      {errorGeneral && <MensajeError error={errorGeneral} />}
      {error && !errorGeneral && (
        <p className="campo-error" role="alert">
          Corrige los campos marcados.
        </p>
      )}
      <div className="acciones">
        <button type="submit" className="btn btn-secundario" disabled={enviando}>
          {enviando ? 'Registrando…' : 'Registrarme'}
        </button>
        <button type="button" className="btn btn-enlace" onClick={onVolver}>
          Ya estoy registrado
        </button>
      </div>
    </form>
  );
}
