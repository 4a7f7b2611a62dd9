// Who is buying: the signed-in buyer, or else sign in, create an account, or buy as a
// guest with an email (a guest unknown to the API registers without a password first).
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, comoApiError } from '../api/client';
import { slug } from '../api/messages';
import type { NuevoUsuario } from '../api/types';
import { useComprador } from '../comprador';
import { emailRecordado } from '../sesion';
import { CrearCuenta, IniciarSesion, RegistroComprador } from './Acceso';

type Modo = 'entrar' | 'cuenta' | 'invitado';

const MODOS: { modo: Modo; texto: string }[] = [
  { modo: 'entrar', texto: 'Iniciar sesión' },
  { modo: 'cuenta', texto: 'Crear cuenta' },
  { modo: 'invitado', texto: 'Comprar como invitado' },
];

/** A guest's registration: no password. An email already registered is fine: buy with it. */
async function registrarInvitado(datos: NuevoUsuario): Promise<void> {
  try {
    await api.registrar(datos);
  } catch (err) {
    const e = comoApiError(err);
    // 409 on the email: that buyer exists already, so the purchase by email can go on.
    // (A 409 on the document is someone else's document: the form shows it.)
    const duplicadoEmail = slug(e.problem) === 'usuario-duplicado' && (e.problem.campo ?? 'email') === 'email';
    if (!duplicadoEmail) throw e;
  }
}

export function IdentificarComprador() {
  const { comprador, setInvitado } = useComprador();
  const [modo, setModo] = useState<Modo>('entrar');

  if (comprador?.tipo === 'cuenta') {
    const u = comprador.usuario;
    return (
      <div className="comprador" data-testid="comprador">
        <p>
          Comprando como{' '}
          <strong>
            {u.nombre} {u.apellido}
          </strong>{' '}
          <span className="muted">
            · {u.email} · {u.tipo_documento} {u.nro_documento}
          </span>
        </p>
      </div>
    );
  }

  if (comprador?.tipo === 'invitado' && comprador.porRegistrar) {
    return (
      <RegistroComprador
        key={comprador.email}
        etiqueta="Registro de invitado"
        emailInicial={comprador.email}
        aviso={`No encontramos ${comprador.email}. Completa tus datos para comprar como invitado:`}
        textoEnviar="Guardar y continuar"
        textoEnviando="Guardando…"
        enfocar
        onEnviar={async (datos) => {
          await registrarInvitado(datos);
          setInvitado(datos.email);
        }}
        volver={{ texto: 'Usar otro email', onClick: () => setInvitado(null) }}
      />
    );
  }

  if (comprador?.tipo === 'invitado') {
    return (
      <div className="comprador" data-testid="comprador">
        <p>
          Comprando como <strong>invitado</strong> <span className="muted">· {comprador.email}</span>
        </p>
        <button type="button" className="btn btn-enlace" onClick={() => setInvitado(null)}>
          Cambiar
        </button>
      </div>
    );
  }

  return (
    <div className="identificar">
      <div className="opciones-comprador" role="group" aria-label="Cómo quieres comprar">
        {MODOS.map((m) => (
          <button
            key={m.modo}
            type="button"
            className={`btn ${m.modo === modo ? 'btn-primario' : 'btn-secundario'}`}
            aria-pressed={m.modo === modo}
            onClick={() => setModo(m.modo)}
          >
            {m.texto}
          </button>
        ))}
      </div>
      {modo === 'entrar' && <IniciarSesion />}
      {modo === 'cuenta' && <CrearCuenta />}
      {modo === 'invitado' && <FormInvitado onEmail={(email) => setInvitado(email)} />}
    </div>
  );
}

function FormInvitado({ onEmail }: { onEmail: (email: string) => void }) {
  const [email, setEmail] = useState(emailRecordado);
  const enviar = (e: FormEvent) => {
    e.preventDefault();
    if (email.trim()) onEmail(email);
  };
  return (
    <form className="form-fila" onSubmit={enviar} aria-label="Comprar como invitado">
      <div className="campo campo-ancho">
        <label htmlFor="invitado-email">Tu email</label>
        <input
          id="invitado-email"
          type="email"
          autoComplete="email"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="ana@example.com"
        />
      </div>
      <button type="submit" className="btn btn-secundario">
        Continuar como invitado
      </button>
      <p className="ayuda">Sin contraseña: compras solo con tu email. «Mis reservas» necesita una cuenta.</p>
    </form>
  );
}
