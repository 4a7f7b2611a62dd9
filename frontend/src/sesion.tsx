// The signed-in buyer: sign in, sign out, and the session's end when the API says so.
//
// Where the token lives (a decision): the Bearer token is kept in memory only (this
// provider's state and the API client's module variable), never in localStorage,
// sessionStorage or a cookie. An XSS cannot read a token from storage that outlives the
// page, and the API stays a plain Bearer API, usable from curl and from the other
// services. The cost: a reload (or a new tab) signs you out. Only the email is
// remembered (localStorage), to prefill the forms.
import { createContext, useCallback, useContext, useEffect, useMemo } from 'react';
import type { ReactNode } from 'react';
import { alSesionInvalida, api, usarTokenSesion } from './api/client';
import type { Usuario } from './api/types';
import { useSesionEnMemoria } from './sesionBase';

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
  token: string;
  usuario: Usuario;
  /** RFC 3339. */
  expira_en: string;
}

interface SesionValue {
  sesion: Sesion | null;
  /** Why there is no session any more ("Tu sesión caducó…"), until the next sign-in. */
  aviso?: string;
  /** Signs a buyer in; rejects with the ApiError (wrong credentials, 429, …). */
  iniciar: (email: string, password: string) => Promise<Usuario>;
  /** Revokes the session on the server (best effort), then forgets it. */
  cerrar: () => Promise<void>;
}

const SesionContext = createContext<SesionValue>({
  sesion: null,
  iniciar: () => Promise.reject(new Error('sin SesionProvider')),
  cerrar: () => Promise.resolve(),
});

/** The client stops sending the token when the session is closed. */
const olvidarToken = () => usarTokenSesion(null);

export function SesionProvider({ children }: { children: ReactNode }) {
  const { sesion, aviso, abrir, caducar, cerrar } = useSesionEnMemoria<Sesion>(olvidarToken);

  // The client tells us when the API refused our token (expired or revoked); it has
  // already stopped sending it.
  useEffect(() => {
    alSesionInvalida(caducar);
    return () => {
      alSesionInvalida(null);
      usarTokenSesion(null);
    };
  }, [caducar]);

  const iniciar = useCallback(
    async (email: string, password: string) => {
      const s = await api.iniciarSesion({ email, password, rol: 'comprador' });
      // The client first, so a request made right after the state change carries it.
      usarTokenSesion(s.token);
      abrir({ token: s.token, usuario: s.usuario, expira_en: s.expira_en });
      recordarEmail(s.usuario.email);
      return s.usuario;
    },
    [abrir],
  );

  const value = useMemo(() => ({ sesion, aviso, iniciar, cerrar }), [sesion, aviso, iniciar, cerrar]);
  return <SesionContext.Provider value={value}>{children}</SesionContext.Provider>;
}

export function useSesion(): SesionValue {
  return useContext(SesionContext);
}
