import { CompradorProvider } from './comprador';
import { EventoPage } from './pages/EventoPage';
import { EventosPage } from './pages/EventosPage';
import { MisReservasPage } from './pages/MisReservasPage';
import { OrganizadorPage } from './pages/OrganizadorPage';
import { Link, resolver, RouterProvider, useRouter } from './router';

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
    case 'organizador':
      return <OrganizadorPage />;
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
      <CompradorProvider>
        <Navegacion />
        <main className="contenido">
          <Pagina />
        </main>
        <footer className="pie">EventFlow · entradas sin sobreventa</footer>
      </CompradorProvider>
    </RouterProvider>
  );
}
