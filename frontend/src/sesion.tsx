// The signed-in buyer: sign in, sign out, found again after a reload, and the session's
// end when the API says so.
//
// Where the token lives (a decision): in an HttpOnly, SameSite=Strict cookie that the
// launcher's UI proxy sets on sign-in and sends as the bearer credential (src/ui/sesion.rs
// in the launcher). No script of this page ever holds it, so an XSS cannot carry it away,
// and a reload keeps you signed in (src/sesionBase.ts asks `GET /api/sesiones/actual`).
// The API stays a plain Bearer API for curl and the other services. Only the email is
// remembered (localStorage), to prefill the forms.
import { createContext, useCallback, useContext, useEffect, useMemo } from 'react';
import type { ReactNode } from 'react';
import { alSesionInvalida, api, usarSesion } from './api/client';
import type { SesionActual, Usuario } from './api/types';
import { useSesionDelNavegador } from './sesionBase';

const CLAVE_EMAIL = 'eventflow.email';

/** The last email used here (signed in or as a guest), or ''. */
export function emailRecordado(): string {
  try {
    return window.localStorage.getItem(CLAVE_EMAIL) ?? '';
  } catch {
    return '';
  }
}

export function recordarEmail(email: string) {
  try {
    window.localStorage.setItem(CLAVE_EMAIL, email);
  } catch {
    // private mode or storage disabled: nothing to remember
  }
}

export interface Sesion {
  usuario: Usuario;
  /** RFC 3339. */
  expira_en: string;
}

interface SesionValue {
  sesion: Sesion | null;
  /** Finding out, after a reload, whether the browser still holds a session. */
  comprobando: boolean;
  /** Why there is no session any more ("Tu sesión caducó…"), until the next sign-in. */
  aviso?: string;
  /** Signs a buyer in; rejects with the ApiError (wrong credentials, 429, …). */
  /** `codigo`: after a 403 `codigo-requerido`, the one-time code mailed to the account. */
  iniciar: (email: string, password: string, codigo?: string) => Promise<Usuario>;
  /** Revokes the session on the server (best effort), then forgets it. */
  cerrar: () => Promise<void>;
}

const SesionContext = createContext<SesionValue>({
  sesion: null,
  comprobando: false,
  iniciar: () => Promise.reject(new Error('sin SesionProvider')),
  cerrar: () => Promise.resolve(),
});

const desdeServidor = (s: SesionActual): Sesion | null =>
  s.rol === 'comprador' ? { usuario: s.usuario, expira_en: s.expira_en } : null;

export function SesionProvider({ children }: { children: ReactNode }) {
  const { sesion, aviso, comprobando, abrir, caducar, cerrar } = useSesionDelNavegador<Sesion>(
    'comprador',
    desdeServidor,
    usarSesion,
  );

  // The client tells us when the API refused our session (expired or revoked).
  useEffect(() => {
    alSesionInvalida(caducar);
    return () => {
      alSesionInvalida(null);
      usarSesion(false);
    };
  }, [caducar]);

  const iniciar = useCallback(
    async (email: string, password: string, codigo?: string) => {
      const s = await api.iniciarSesion({ email, password, rol: 'comprador', ...(codigo ? { codigo } : {}) });
      abrir({ usuario: s.usuario, expira_en: s.expira_en });
      recordarEmail(s.usuario.email);
      return s.usuario;
    },
    [abrir],
  );

  const value = useMemo(
    () => ({ sesion, comprobando, aviso, iniciar, cerrar }),
    [sesion, comprobando, aviso, iniciar, cerrar],
  );
  return <SesionContext.Provider value={value}>{children}</SesionContext.Provider>;
}

export function useSesion(): SesionValue {
  return useContext(SesionContext);
}
