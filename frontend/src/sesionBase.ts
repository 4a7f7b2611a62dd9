// What a buyer's session (src/sesion.tsx) and an organizer's (src/organizador.tsx) share:
// the session held in memory, why it ended, and signing out on the server.
import { useCallback, useState } from 'react';
import { api } from './api/client';
import { SESION_CADUCADA } from './api/messages';

/** The session state; `alCerrar` (stable) forgets the token elsewhere too. */
export function useSesionEnMemoria<S extends { token: string }>(alCerrar?: () => void) {
  const [sesion, setSesion] = useState<S | null>(null);
  const [aviso, setAviso] = useState<string>();

  /** Signed in: a new session, and the old notice is no longer news. */
  const abrir = useCallback((s: S) => {
    setSesion(s);
    setAviso(undefined);
  }, []);

  /** The API refused the token (expired or revoked): forget it and say so. */
  const caducar = useCallback(() => {
    setSesion(null);
    setAviso(SESION_CADUCADA);
  }, []);

  /** Revokes the session on the server (best effort), then forgets it. */
  const cerrar = useCallback(async () => {
    if (!sesion) return;
    try {
      await api.cerrarSesion(sesion.token);
    } catch {
      // Already expired, or the server is unreachable: the token is forgotten anyway,
      // and nothing else holds it.
    }
    alCerrar?.();
    setSesion(null);
    setAviso(undefined);
  }, [sesion, alCerrar]);

  return { sesion, aviso, abrir, caducar, cerrar };
}
