// What the window's width decides beyond CSS: a layout that changes its structure, not
// only its look (e.g. "Mis reservas" puts notifications in a tab of their own on a phone,
// instead of far below the reservations).
import { useCallback, useSyncExternalStore } from 'react';

/** Below 960 px the pages are one column (styles.css, `.dos-columnas`). */
export const UNA_COLUMNA = '(max-width: 959px)';

/** Whether the media query matches now; re-renders when it changes. False without matchMedia. */
export function useMedia(consulta: string): boolean {
  const suscribir = useCallback(
    (avisar: () => void) => {
      const m = typeof window.matchMedia === 'function' ? window.matchMedia(consulta) : undefined;
      if (!m) return () => {};
      m.addEventListener('change', avisar);
      return () => m.removeEventListener('change', avisar);
    },
    [consulta],
  );
  return useSyncExternalStore(suscribir, () => typeof window.matchMedia === 'function' && window.matchMedia(consulta).matches);
}
