// Who is buying: the signed-in buyer (src/sesion.tsx), or else a guest who buys by email.
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Usuario } from './api/types';
import { recordarEmail, useSesion } from './sesion';

/**
 * The buyer of a purchase. An account books with its `usuario_id`; a guest (a buyer
 * registered without a password) books with its `email` and has no session.
 */
export type Comprador =
  | { tipo: 'cuenta'; usuario: Usuario }
  /** `porRegistrar`: the API does not know this email yet; the guest must register first. */
  | { tipo: 'invitado'; email: string; porRegistrar: boolean };

interface Invitado {
  email: string;
  porRegistrar: boolean;
}

interface CompradorValue {
  comprador: Comprador | null;
  /** Buy as a guest with this email (null: stop being one). Ignored while signed in. */
  setInvitado: (email: string | null, porRegistrar?: boolean) => void;
}

const CompradorContext = createContext<CompradorValue>({ comprador: null, setInvitado: () => {} });

export function CompradorProvider({ children }: { children: ReactNode }) {
  const { sesion } = useSesion();
  const [invitado, set] = useState<Invitado | null>(null);
  const setInvitado = useCallback((email: string | null, porRegistrar = false) => {
    const limpio = email?.trim().toLowerCase();
    set(limpio ? { email: limpio, porRegistrar } : null);
    if (limpio) recordarEmail(limpio);
  }, []);
  // Signing in ends being a guest: after signing out nobody is buying.
  useEffect(() => {
    if (sesion) set(null);
  }, [sesion]);
  const value = useMemo(() => {
    const comprador: Comprador | null = sesion
      ? { tipo: 'cuenta', usuario: sesion.usuario }
      : invitado
        ? { tipo: 'invitado', ...invitado }
        : null;
    return { comprador, setInvitado };
  }, [sesion, invitado, setInvitado]);
  return <CompradorContext.Provider value={value}>{children}</CompradorContext.Provider>;
}

export function useComprador(): CompradorValue {
  return useContext(CompradorContext);
}
