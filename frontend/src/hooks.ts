// UI helpers around API errors (server state itself is TanStack Query's: src/consultas.ts).
import { useEffect, useState } from 'react';
import type { ApiError } from './api/client';

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
