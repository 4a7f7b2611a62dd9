// A valid ticket's QR, what the door scans: `GET /api/entradas/{codigo}/qr.svg`. Fetched,
// not an <img src> to the API: a guest's page opens the reservation with its secret,
// `X-Reserva-Secreto`, which an <img> cannot send (a session's cookie would go either way).
// Shown as a data: URL, the only image source besides the UI itself that its
// Content-Security-Policy allows (img-src 'self' data:); an SVG in an <img> runs no script.
// A failure is said in words, with a retry, never a broken image: the code above it still
// gets the buyer in.
import { useQuery } from '@tanstack/react-query';
import { api, comoApiError } from '../api/client';
import { claves } from '../consultas';

/** An answer that is an SVG document (not an error page that came back 200). */
function esSvg(texto: string): boolean {
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s>]/i.test(texto);
}

interface Props {
  codigo: string;
  /** The reservation whose secret opens it; none for a ticket opened by its own secret. */
  reservaId?: string;
  /** What the image is, for a screen reader: "Código QR de la entrada 1 de 2". */
  descripcion: string;
}

export function QrEntrada({ codigo, reservaId, descripcion }: Props) {
  const { data, isError, isPending, refetch, isFetching } = useQuery({
    queryKey: claves.qrEntrada(codigo),
    queryFn: async ({ signal }) => {
      const svg = await api.qrEntrada(codigo, reservaId, signal);
      if (!esSvg(svg)) throw comoApiError(new Error('La respuesta no es un SVG'));
      return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    },
    // A valid ticket's QR does not change: no reload on focus, nor while the page is open.
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });

  if (data) {
    return (
      <div className="entrada-qr">
        <img src={data} alt={descripcion} width={256} height={256} />
      </div>
    );
  }
  if (isPending && !isError) {
    return (
      <div className="entrada-qr entrada-qr-espera">
        <p className="muted">Cargando el código QR…</p>
      </div>
    );
  }
  return (
    <div className="entrada-qr entrada-qr-espera" data-testid="qr-error">
      <p>No pudimos cargar el código QR. En la puerta también sirve el código de la entrada.</p>
      <button type="button" className="btn btn-secundario" onClick={() => void refetch()} disabled={isFetching}>
        {isFetching ? 'Reintentando…' : 'Reintentar'}
      </button>
    </div>
  );
}
