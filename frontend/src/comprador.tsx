// The buyer of this browser session, shared by the event page and "Mis reservas".
// Only the email is remembered (localStorage), to prefill the forms next time.
import { createContext, useCallback, useContext, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Usuario } from './api/types';

const CLAVE = 'eventflow.email';

export function emailRecordado(): string {
  try {
    return window.localStorage.getItem(CLAVE) ?? '';
  } catch {
    return '';
  }
}

function recordar(email: string) {
  try {
    window.localStorage.setItem(CLAVE, email);
  } catch {
    // private mode or storage disabled: nothing to remember
  }
}

interface CompradorValue {
  comprador: Usuario | null;
  setComprador: (u: Usuario | null) => void;
}

const CompradorContext = createContext<CompradorValue>({ comprador: null, setComprador: () => {} });

export function CompradorProvider({ children }: { children: ReactNode }) {
  const [comprador, set] = useState<Usuario | null>(null);
  const setComprador = useCallback((u: Usuario | null) => {
    set(u);
    if (u) recordar(u.email);
  }, []);
  const value = useMemo(() => ({ comprador, setComprador }), [comprador, setComprador]);
  return <CompradorContext.Provider value={value}>{children}</CompradorContext.Provider>;
}

export function useComprador(): CompradorValue {
  return useContext(CompradorContext);
}
