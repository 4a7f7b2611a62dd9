// The signed-in organizer (an account the platform admin created), apart from the buyer's
// session: the same person may be both. The launcher's proxy keeps the organizer's token
// in a cookie of its own, and the organizer's calls ask for it with `X-Sesion:
// organizador` (see src/api/client.ts). Like the buyer's (src/sesion.tsx), the session
// survives a reload, and the page never holds its token. The platform admin's token is
// never typed, kept or sent by this UI.
import { createContext, useCallback, useContext, useMemo, useRef } from 'react';
import type { ReactNode } from 'react';
import { api } from './api/client';
import type { Organizador, SesionActual } from './api/types';
import { useSesionDelNavegador } from './sesionBase';

export interface SesionOrganizador {
  /** The organizer; for door staff, the staff account (with its `organizador_id`). */
  organizador: Organizador & { organizador_id?: string };
  /** RFC 3339. */
  expira_en: string;
  /** A door staff account (`rol: staff`): it only scans tickets, at "Ingreso". */
  staff?: boolean;
}

interface OrganizadorValue {
  sesion: SesionOrganizador | null;
  /** Finding out, after a reload, whether the browser still holds an organizer's session. */
  comprobando: boolean;
  /** Why there is no session any more, until the next sign-in. */
  aviso?: string;
  /** Signs an organizer in; rejects with the ApiError (wrong credentials, 429, …). */
  /** `codigo`: after a 403 `codigo-requerido`, the one-time code mailed to the account. */
  iniciar: (email: string, password: string, codigo?: string) => Promise<Organizador>;
  /** Signs door staff in (their session lives where the organizer's does). */
  iniciarStaff: (email: string, password: string, codigo?: string) => Promise<Organizador>;
  /** Revokes the session on the server (best effort), then forgets it. */
  cerrar: () => Promise<void>;
  /** The API refused session `s` (401 `sesion-invalida`): forget it and say so. */
  caducada: (s: SesionOrganizador) => void;
}

const OrganizadorContext = createContext<OrganizadorValue>({
  sesion: null,
  comprobando: false,
  iniciar: () => Promise.reject(new Error('sin OrganizadorProvider')),
  iniciarStaff: () => Promise.reject(new Error('sin OrganizadorProvider')),
  cerrar: () => Promise.resolve(),
  caducada: () => {},
});

const desdeServidor = (s: SesionActual): SesionOrganizador | null => {
  if (s.rol === 'organizador') return { organizador: s.usuario, expira_en: s.expira_en };
  // Door staff: a role the documents do not list yet, hence the widening (UI).
  if ((s.rol as string) === 'staff') return { organizador: s.usuario as Organizador, expira_en: s.expira_en, staff: true };
  return null;
};

export function OrganizadorProvider({ children }: { children: ReactNode }) {
  const { sesion, aviso, comprobando, abrir, caducar, cerrar } = useSesionDelNavegador<SesionOrganizador>(
    'organizador',
    desdeServidor,
  );
  const actual = useRef(sesion);
  actual.current = sesion;

  const iniciar = useCallback(
    async (email: string, password: string, codigo?: string) => {
      const s = await api.iniciarSesionOrganizador(email, password, codigo);
      abrir({ organizador: s.usuario, expira_en: s.expira_en });
      return s.usuario;
    },
    [abrir],
  );

  const iniciarStaff = useCallback(
    async (email: string, password: string, codigo?: string) => {
      const s = await api.iniciarSesionStaff(email, password, codigo);
      abrir({ organizador: s.usuario, expira_en: s.expira_en, staff: true });
      return s.usuario;
    },
    [abrir],
  );

  const caducada = useCallback(
    (s: SesionOrganizador) => {
      // Only the session that was refused: a late answer cannot end a newer one.
      if (actual.current === s) caducar();
    },
    [caducar],
  );

  const value = useMemo(
    () => ({ sesion, comprobando, aviso, iniciar, iniciarStaff, cerrar, caducada }),
    [sesion, comprobando, aviso, iniciar, iniciarStaff, cerrar, caducada],
  );
  return <OrganizadorContext.Provider value={value}>{children}</OrganizadorContext.Provider>;
}

export function useOrganizador(): OrganizadorValue {
  return useContext(OrganizadorContext);
}
