import { useEffect, useState } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { BrowserRouter, Link, matchPath, Route, Routes, useLocation, useNavigationType, useParams } from 'react-router';
import { CompradorProvider } from './comprador';
import { crearClienteConsultas } from './consultas';
import { AccesoPage } from './pages/AccesoPage';
import { EventoPage } from './pages/EventoPage';
import { EventosPage } from './pages/EventosPage';
import { EntradaPage } from './pages/EntradaPage';
import { IngresoPage } from './pages/IngresoPage';
import { MisReservasPage } from './pages/MisReservasPage';
import { OrganizadorPage } from './pages/OrganizadorPage';
import { ReservaPage } from './pages/ReservaPage';
import { OrganizadorProvider } from './organizador';
import { SesionProvider, useSesion } from './sesion';

/** The top bar's account corner: sign in / create an account, or hello and sign out. */
function Cuenta() {
  const { pathname: path, search } = useLocation();
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
  const pagina = paginaDe(path);
  // Back here once signed in; the account pages themselves keep their own ?volver=.
  const volver =
    pagina === 'iniciar-sesion' || pagina === 'crear-cuenta' ? search : path === '/' ? '' : `?volver=${encodeURIComponent(path)}`;
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
  const pagina = paginaDe(useLocation().pathname);
  const activo = (p: Pagina) => (p === pagina || (p === 'eventos' && pagina === 'evento') ? 'page' : undefined);
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

/** The page an address shows, for the top bar's `aria-current` (the routes are below). */
type Pagina = 'eventos' | 'evento' | 'mis-reservas' | 'reserva' | 'organizador' | 'iniciar-sesion' | 'crear-cuenta';

const PAGINAS: [string, Pagina][] = [
  ['/', 'eventos'],
  ['/eventos', 'eventos'],
  ['/eventos/:id', 'evento'],
  ['/mis-reservas', 'mis-reservas'],
  ['/reservas/:id', 'reserva'],
  ['/organizador', 'organizador'],
  ['/organizador/ingreso', 'organizador'],
  ['/iniciar-sesion', 'iniciar-sesion'],
  ['/crear-cuenta', 'crear-cuenta'],
];

function paginaDe(pathname: string): Pagina | undefined {
  return PAGINAS.find(([patron]) => matchPath(patron, pathname))?.[1];
}

// A new page component per id: nothing of the previous event or reservation stays on screen.
function EventoRuta() {
  const { id = '' } = useParams();
  return <EventoPage key={id} id={id} />;
}

function ReservaRuta() {
  const { id = '' } = useParams();
  return <ReservaPage key={id} id={id} />;
}

function EntradaRuta() {
  const { codigo = '' } = useParams();
  return <EntradaPage key={codigo} codigo={codigo} />;
}

function NoEncontrada() {
  return (
    <div>
      <h1>Página no encontrada</h1>
      <p>
        <Link to="/">Volver a los eventos</Link>
      </p>
    </div>
  );
}

/** A link followed opens the new page at its top; back and forward leave the browser's scroll. */
function AlTope() {
  const { key } = useLocation();
  const tipo = useNavigationType();
  useEffect(() => {
    if (tipo !== 'POP') document.documentElement.scrollTop = 0;
  }, [key, tipo]);
  return null;
}

function Paginas() {
  return (
    <Routes>
      <Route path="/" element={<EventosPage />} />
      <Route path="/eventos" element={<EventosPage />} />
      <Route path="/eventos/:id" element={<EventoRuta />} />
      <Route path="/mis-reservas" element={<MisReservasPage />} />
      {/* A guest's link carries `?s=<secreto>`; ReservaPage reads it. */}
      <Route path="/reservas/:id" element={<ReservaRuta />} />
      {/* A transferred ticket's link carries `?s=<secreto>`; EntradaPage reads it. */}
      <Route path="/entradas/:codigo" element={<EntradaRuta />} />
      <Route path="/organizador" element={<OrganizadorPage />} />
      <Route path="/organizador/ingreso" element={<IngresoPage />} />
      <Route path="/iniciar-sesion" element={<AccesoPage key="entrar" modo="entrar" />} />
      <Route path="/crear-cuenta" element={<AccesoPage key="registro" modo="registro" />} />
      <Route path="*" element={<NoEncontrada />} />
    </Routes>
  );
}

export function App() {
  const [consultas] = useState(crearClienteConsultas);
  return (
    <QueryClientProvider client={consultas}>
      <BrowserRouter>
        <AlTope />
        <SesionProvider>
          <CompradorProvider>
            <OrganizadorProvider>
              <Navegacion />
              <main className="contenido">
                <Paginas />
              </main>
              <footer className="pie">EventFlow · entradas sin sobreventa</footer>
            </OrganizadorProvider>
          </CompradorProvider>
        </SesionProvider>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
