import { useState } from 'react';
import { CompradorProvider } from './comprador';
import { AccesoPage } from './pages/AccesoPage';
import { EventoPage } from './pages/EventoPage';
import { EventosPage } from './pages/EventosPage';
import { MisReservasPage } from './pages/MisReservasPage';
import { OrganizadorPage } from './pages/OrganizadorPage';
import { ReservaPage } from './pages/ReservaPage';
import { Link, resolver, RouterProvider, useRouter } from './router';
import { OrganizadorProvider } from './organizador';
import { SesionProvider, useSesion } from './sesion';

/** The top bar's account corner: sign in / create an account, or hello and sign out. */
function Cuenta() {
  const { path } = useRouter();
  const { sesion, comprobando, cerrar } = useSesion();
  const [cerrando, setCerrando] = useState(false);
  // A reload: neither "Iniciar sesión" nor a name until the cookie has answered.
  if (!sesion && comprobando) return <div className="cuenta" aria-busy="true" />;
  if (sesion) {
    return (
      <div className="cuenta">
        <span className="cuenta-hola">Hola, {sesion.usuario.nombre}</span>
        <button
          type="button"
          className="btn btn-secundario btn-chico"
          disabled={cerrando}
          onClick={() => {
            setCerrando(true);
            void cerrar().finally(() => setCerrando(false));
          }}
        >
          {cerrando ? 'Cerrando…' : 'Cerrar sesión'}
        </button>
      </div>
    );
  }
  const pagina = resolver(path).pagina;
  // Back here once signed in; the account pages themselves keep their own ?volver=.
  const volver =
    pagina === 'iniciar-sesion' || pagina === 'crear-cuenta' ? window.location.search : path === '/' ? '' : `?volver=${encodeURIComponent(path)}`;
  return (
    <nav className="cuenta" aria-label="Cuenta">
      <Link to={`/iniciar-sesion${volver}`} aria-current={pagina === 'iniciar-sesion' ? 'page' : undefined}>
        Iniciar sesión
      </Link>
      <Link to={`/crear-cuenta${volver}`} aria-current={pagina === 'crear-cuenta' ? 'page' : undefined}>
        Crear cuenta
      </Link>
    </nav>
  );
}

function Navegacion() {
  const { path } = useRouter();
  const ruta = resolver(path);
  const activo = (p: string) => (p === ruta.pagina || (p === 'eventos' && ruta.pagina === 'evento') ? 'page' : undefined);
  return (
    <header className="barra">
      <div className="barra-contenido">
        <Link to="/" className="marca">
          <span className="marca-logo" aria-hidden="true">
            E
          </span>
          EventFlow
        </Link>
        <nav aria-label="Principal">
          <Link to="/" aria-current={activo('eventos')}>
            Eventos
          </Link>
          <Link to="/mis-reservas" aria-current={activo('mis-reservas')}>
            Mis reservas
          </Link>
          <Link to="/organizador" aria-current={activo('organizador')}>
            Organizador
          </Link>
        </nav>
        <Cuenta />
      </div>
    </header>
  );
}

function Pagina() {
  const { path } = useRouter();
  const ruta = resolver(path);
  switch (ruta.pagina) {
    case 'eventos':
      return <EventosPage />;
    case 'evento':
      return <EventoPage key={ruta.id} id={ruta.id} />;
    case 'mis-reservas':
      return <MisReservasPage />;
    case 'reserva':
      return <ReservaPage key={ruta.id} id={ruta.id} />;
    case 'organizador':
      return <OrganizadorPage />;
    case 'iniciar-sesion':
      return <AccesoPage key="entrar" modo="entrar" />;
    case 'crear-cuenta':
      return <AccesoPage key="registro" modo="registro" />;
    default:
      return (
        <div>
          <h1>Página no encontrada</h1>
          <p>
            <Link to="/">Volver a los eventos</Link>
          </p>
        </div>
      );
  }
}

export function App() {
  return (
    <RouterProvider>
      <SesionProvider>
        <CompradorProvider>
          <OrganizadorProvider>
            <Navegacion />
            <main className="contenido">
              <Pagina />
            </main>
            <footer className="pie">EventFlow · entradas sin sobreventa</footer>
          </OrganizadorProvider>
        </CompradorProvider>
      </SesionProvider>
    </RouterProvider>
  );
}
