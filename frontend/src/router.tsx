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

export type Ruta =
  | { pagina: 'eventos' }
  | { pagina: 'evento'; id: string }
  | { pagina: 'mis-reservas' }
  | { pagina: 'organizador' }
  | { pagina: 'iniciar-sesion' }
  | { pagina: 'crear-cuenta' }
  | { pagina: 'no-encontrada' };

export function resolver(path: string): Ruta {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/' || p === '/eventos') return { pagina: 'eventos' };
  const m = /^\/eventos\/([^/]+)$/.exec(p);
  if (m) return { pagina: 'evento', id: decodeURIComponent(m[1]) };
  if (p === '/mis-reservas') return { pagina: 'mis-reservas' };
  if (p === '/organizador') return { pagina: 'organizador' };
  if (p === '/iniciar-sesion') return { pagina: 'iniciar-sesion' };
  if (p === '/crear-cuenta') return { pagina: 'crear-cuenta' };
  return { pagina: 'no-encontrada' };
}
