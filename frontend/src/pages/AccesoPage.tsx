// "Iniciar sesión" and "Crear cuenta" as pages, reached from the top bar; back to where
// the buyer was (?volver=/path) once signed in.
import { CrearCuenta, IniciarSesion } from '../components/Acceso';
import { Cargando } from '../components/Estado';
import { Link, useLocation, useNavigate } from 'react-router';
import { useSesion } from '../sesion';

/** `?volver=` when it is a path of this app (never another origin), else the home page. */
export function destinoVolver(search: string): string {
  const v = new URLSearchParams(search).get('volver') ?? '';
  return /^\/(?![/\\])/.test(v) ? v : '/';
}

export function AccesoPage({ modo }: { modo: 'entrar' | 'registro' }) {
  const { sesion, comprobando } = useSesion();
  const navigate = useNavigate();
  const volver = destinoVolver(useLocation().search);
  const consulta = volver === '/' ? '' : `?volver=${encodeURIComponent(volver)}`;

  if (sesion) {
    return (
      <div>
        <h1>{modo === 'entrar' ? 'Iniciar sesión' : 'Crear cuenta'}</h1>
        <p>
          Ya iniciaste sesión como {sesion.usuario.nombre} {sesion.usuario.apellido}.{' '}
          <Link to="/mis-reservas">Ver mis reservas</Link>
        </p>
      </div>
    );
  }

  if (comprobando) {
    return (
      <div>
        <h1>{modo === 'entrar' ? 'Iniciar sesión' : 'Crear cuenta'}</h1>
        <Cargando texto="Comprobando tu sesión…" />
      </div>
    );
  }

  return (
    <div>
      <h1>{modo === 'entrar' ? 'Iniciar sesión' : 'Crear cuenta'}</h1>
      <section className="tarjeta acceso-tarjeta">
        {modo === 'entrar' ? (
          <>
            <IniciarSesion onHecho={() => navigate(volver)} />
            <p className="muted">
              ¿No tienes cuenta? <Link to={`/crear-cuenta${consulta}`}>Crear cuenta</Link>
            </p>
          </>
        ) : (
          <>
            <CrearCuenta onHecho={() => navigate(volver)} />
            <p className="muted">
              ¿Ya tienes cuenta? <Link to={`/iniciar-sesion${consulta}`}>Iniciar sesión</Link>
            </p>
          </>
        )}
      </section>
    </div>
  );
}
