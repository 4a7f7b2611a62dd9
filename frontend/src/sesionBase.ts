// What a buyer's session (src/sesion.tsx) and an organizer's (src/organizador.tsx) share:
// the session as this page knows it, found again after a reload, why it ended, and
// signing out on the server.
//
// The token itself is never here: the launcher's proxy keeps it in an HttpOnly cookie
// (one per role) and sends it with this page's requests. The page keeps who is signed in
// and until when, and on load asks the proxy (`GET /api/sesiones/actual`) whether the
// browser's cookie still holds a session, so a reload keeps you signed in.
import { useCallback, useEffect, useState } from 'react';
import { api, hayCookieDeSesion } from './api/client';
import { SESION_CADUCADA } from './api/messages';
import type { RolSesion, SesionActual } from './api/types';

/**
 * The session state of `rol`. `desdeServidor` turns the answer of `GET /api/sesiones/actual`
 * into the session (or null when it is another role's); `alCambiar` (stable) hears every
 * opening and ending, so the API client knows too.
 */
export function useSesionDelNavegador<S>(
  rol: RolSesion,
  desdeServidor: (s: SesionActual) => S | null,
  alCambiar?: (abierta: boolean) => void,
) {
  const [sesion, setSesion] = useState<S | null>(null);
  const [aviso, setAviso] = useState<string>();
  // Only while a cookie says there may be a session to find again.
  const [comprobando, setComprobando] = useState(() => hayCookieDeSesion(rol));

  /** Signed in: a new session, and the old notice is no longer news. */
  const abrir = useCallback(
    (s: S) => {
      alCambiar?.(true);
      setSesion(s);
      setAviso(undefined);
      setComprobando(false);
    },
    [alCambiar],
  );

  /** The API refused the session (expired or revoked): forget it and say so. */
  const caducar = useCallback(() => {
    alCambiar?.(false);
    setSesion(null);
    setAviso(SESION_CADUCADA);
  }, [alCambiar]);

  // A reload (or a new tab): the browser's cookie may still hold a session.
  useEffect(() => {
    if (!hayCookieDeSesion(rol)) return;
    const ctrl = new AbortController();
    const comprobar = () =>
      api
        .sesionActual(rol, ctrl.signal)
        .then((actual) => {
          const s = desdeServidor(actual);
          if (s) {
            alCambiar?.(true);
            // A sign-in made meanwhile is newer: keep it.
            setSesion((ya) => ya ?? s);
          }
        })
        .catch(() => {
          // Expired or revoked (the proxy has cleared the cookie), or the API is down:
          // signed out, without a notice nobody asked for.
        })
        .finally(() => {
          if (!ctrl.signal.aborted) setComprobando(false);
        });
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      // Opened with no network (the door's page, kept by the service worker): nothing
      // to ask now; ask when the network is back.
      setComprobando(false);
      const alVolver = () => {
        setComprobando(true);
        void comprobar();
      };
      window.addEventListener('online', alVolver, { once: true });
      return () => {
        window.removeEventListener('online', alVolver);
        ctrl.abort();
      };
    }
    void comprobar();
    return () => ctrl.abort();
    // Once per page load: `rol` and the helpers are fixed for the provider's life.
  }, []);

  /** Revokes the session on the server (best effort); the proxy clears the cookie. */
  const cerrar = useCallback(async () => {
    if (!sesion) return;
    try {
      await api.cerrarSesion(rol);
    } catch {
      // Already expired, or the server is unreachable: the proxy cleared the cookie
      // anyway, and the session dies at its expira_en.
    }
    alCambiar?.(false);
    setSesion(null);
    setAviso(undefined);
  }, [sesion, rol, alCambiar]);

  return { sesion, aviso, comprobando, abrir, caducar, cerrar };
}
