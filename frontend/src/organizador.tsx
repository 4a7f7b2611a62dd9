// The signed-in organizer (an account the platform admin created), apart from the buyer's
// session: the same person may be both, and the organizer's calls bring their own
// `Authorization` header (see src/api/client.ts).
//
// Like the buyer's token (src/sesion.tsx says why), the organizer's token lives in memory
// only: a reload signs the organizer out.
import { createContext, useCallback, useContext, useMemo, useRef } from 'react';
import type { ReactNode } from 'react';
import { api } from './api/client';
import type { Organizador } from './api/types';
import { useSesionEnMemoria } from './sesionBase';

export interface SesionOrganizador {
  token: string;
  organizador: Organizador;
  /** RFC 3339. */
  expira_en: string;
}

interface OrganizadorValue {
  sesion: SesionOrganizador | null;
  /** Why there is no session any more, until the next sign-in. */
  aviso?: string;
  /** Signs an organizer in; rejects with the ApiError (wrong credentials, 429, …). */
  iniciar: (email: string, password: string) => Promise<Organizador>;
  /** Revokes the session on the server (best effort), then forgets it. */
  cerrar: () => Promise<void>;
  /** The API refused the token (401 `sesion-invalida`): forget it and say so. */
  caducada: (token: string) => void;
}

const OrganizadorContext = createContext<OrganizadorValue>({
  sesion: null,
  iniciar: () => Promise.reject(new Error('sin OrganizadorProvider')),
  cerrar: () => Promise.resolve(),
  caducada: () => {},
});

export function OrganizadorProvider({ children }: { children: ReactNode }) {
  const { sesion, aviso, abrir, caducar, cerrar } = useSesionEnMemoria<SesionOrganizador>();
  const actual = useRef(sesion);
  actual.current = sesion;

  const iniciar = useCallback(
    async (email: string, password: string) => {
      const s = await api.iniciarSesionOrganizador(email, password);
      abrir({ token: s.token, organizador: s.usuario, expira_en: s.expira_en });
      return s.usuario;
    },
    [abrir],
  );

  const caducada = useCallback(
    (token: string) => {
      // Only the session that was refused: a late answer cannot end a newer one.
      if (actual.current?.token === token) caducar();
    },
    [caducar],
  );

  const value = useMemo(() => ({ sesion, aviso, iniciar, cerrar, caducada }), [sesion, aviso, iniciar, cerrar, caducada]);
  return <OrganizadorContext.Provider value={value}>{children}</OrganizadorContext.Provider>;
}

export function useOrganizador(): OrganizadorValue {
  return useContext(OrganizadorContext);
}
