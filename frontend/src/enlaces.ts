// The UI's own paths that code builds (the route table is in src/App.tsx).

/** The UI path of a reservation; with its secret, the link that opens a guest's. */
export function rutaReserva(id: string, secreto?: string): string {
  return `/reservas/${encodeURIComponent(id)}${secreto ? `?s=${encodeURIComponent(secreto)}` : ''}`;
}

