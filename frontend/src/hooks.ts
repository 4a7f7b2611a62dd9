import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError, comoApiError } from './api/client';

export interface Carga<T> {
  data: T | undefined;
  error: ApiError | undefined;
  cargando: boolean;
  /** Loads again. `silencioso` keeps the current data on screen (no spinner). */
  recargar: (silencioso?: boolean) => void;
}

/**
 * Loads `fn` on mount and whenever `clave` changes; aborts what is in flight on change or
 * unmount. With `cadaMs`, refreshes silently on that interval while the tab is visible.
 */
export function useCarga<T>(fn: (signal: AbortSignal) => Promise<T>, clave: string, cadaMs?: number): Carga<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [cargando, setCargando] = useState(true);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const ctrl = useRef<AbortController | null>(null);

  const cargar = useCallback((silencioso = false) => {
    ctrl.current?.abort();
    const c = new AbortController();
    ctrl.current = c;
    if (!silencioso) setCargando(true);
    fnRef
      .current(c.signal)
      .then((d) => {
        if (c.signal.aborted) return;
        setData(d);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (c.signal.aborted) return;
        // A failed silent refresh keeps the data shown; a failed load shows the error.
        if (!silencioso) setData(undefined);
        setError(comoApiError(e));
      })
      .finally(() => {
        if (!c.signal.aborted) setCargando(false);
      });
  }, []);

  useEffect(() => {
    setData(undefined);
    cargar();
    return () => ctrl.current?.abort();
  }, [clave, cargar]);

  useEffect(() => {
    if (!cadaMs) return;
    const t = window.setInterval(() => {
      if (document.visibilityState !== 'hidden') cargar(true);
    }, cadaMs);
    return () => window.clearInterval(t);
  }, [cadaMs, cargar, clave]);

  return { data, error, cargando, recargar: cargar };
}

/**
 * After a 429, true until its Retry-After has passed: the form's send button waits it
 * out. False for any other error, or none. True from the very render that shows the
 * error (not an effect later), so there is no moment to click in between.
 */
export function useEsperaReintento(error: ApiError | undefined): boolean {
  // The 429 whose wait is over.
  const [cumplido, setCumplido] = useState<ApiError>();
  const segundos = error?.status === 429 ? error.problem.reintentar_en : undefined;
  useEffect(() => {
    if (!segundos || !error) return;
    const t = window.setTimeout(() => setCumplido(error), segundos * 1000);
    return () => window.clearTimeout(t);
  }, [error, segundos]);
  return !!segundos && cumplido !== error;
}
