// A minimal client-side router on the History API: a handful of pages need no routing library.
// The launcher answers index.html for any non-/api path, so deep links and reloads work.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { AnchorHTMLAttributes, MouseEvent, ReactNode } from 'react';

interface RouterValue {
  path: string;
  navigate: (to: string) => void;
}

const RouterContext = createContext<RouterValue>({ path: '/', navigate: () => {} });

export function RouterProvider({ children }: { children: ReactNode }) {
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((to: string) => {
    if (to !== window.location.pathname) window.history.pushState(null, '', to);
    setPath(new URL(to, window.location.origin).pathname);
    document.documentElement.scrollTop = 0;
  }, []);
  const value = useMemo(() => ({ path, navigate }), [path, navigate]);
  return <RouterContext.Provider value={value}>{children}</RouterContext.Provider>;
}

export function useRouter(): RouterValue {
  return useContext(RouterContext);
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const { navigate } = useRouter();
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}

/** The UI path of a reservation; with its secret, the link that opens a guest's. */
export function rutaReserva(id: string, secreto?: string): string {
  return `/reservas/${encodeURIComponent(id)}${secreto ? `?s=${encodeURIComponent(secreto)}` : ''}`;
}

/** A path segment decoded, or null when it is not valid percent-encoding. */
function segmento(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export type Ruta =
  | { pagina: 'eventos' }
  | { pagina: 'evento'; id: string }
  | { pagina: 'mis-reservas' }
  /** A reservation by its link (`?s=<secreto>` opens a guest's). */
  | { pagina: 'reserva'; id: string }
  | { pagina: 'organizador' }
  | { pagina: 'iniciar-sesion' }
  | { pagina: 'crear-cuenta' }
  | { pagina: 'no-encontrada' };

export function resolver(path: string): Ruta {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/' || p === '/eventos') return { pagina: 'eventos' };
  const m = /^\/eventos\/([^/]+)$/.exec(p);
  const idEvento = m && segmento(m[1]);
  if (idEvento) return { pagina: 'evento', id: idEvento };
  if (p === '/mis-reservas') return { pagina: 'mis-reservas' };
  const r = /^\/reservas\/([^/]+)$/.exec(p);
  const idReserva = r && segmento(r[1]);
  if (idReserva) return { pagina: 'reserva', id: idReserva };
  if (p === '/organizador') return { pagina: 'organizador' };
  if (p === '/iniciar-sesion') return { pagina: 'iniciar-sesion' };
  if (p === '/crear-cuenta') return { pagina: 'crear-cuenta' };
  return { pagina: 'no-encontrada' };
}
