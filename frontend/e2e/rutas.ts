// Whether a route is there yet, by the running service's own OpenAPI document
// (`/api-docs/openapi.json` on the service's port): a scenario of a feature whose backend
// has not landed is skipped with that reason, never for any other.
import { PUERTOS_ENV } from './comun';

const PUERTO: Record<string, string> = {
  usuarios: 'USUARIOS_PORT',
  eventos: 'EVENTOS_PORT',
  reservas: 'RESERVAS_PORT',
  notificaciones: 'NOTIFICACIONES_PORT',
};

export async function rutaExiste(servicio: keyof typeof PUERTO | string, metodo: string, ruta: string): Promise<boolean> {
  const puertos = JSON.parse(process.env[PUERTOS_ENV] ?? '{}') as Record<string, number>;
  const puerto = puertos[PUERTO[servicio]];
  if (!puerto) throw new Error(`${PUERTOS_ENV} has no port for ${servicio}: run the scenarios with \`npm run e2e\``);
  const r = await fetch(`http://127.0.0.1:${puerto}/api-docs/openapi.json`);
  if (!r.ok) throw new Error(`${servicio}: /api-docs/openapi.json answered ${r.status}`);
  const doc = (await r.json()) as { paths?: Record<string, Record<string, unknown>> };
  return doc.paths?.[ruta]?.[metodo.toLowerCase()] !== undefined;
}

/** The reason printed when a scenario is skipped because `ruta` is not in the build yet. */
export function faltaRuta(metodo: string, ruta: string): string {
  const m = `${metodo} ${ruta} todavía no existe en el backend (issue 28): escenario omitido`;
  console.log(`[e2e] ${m}`);
  return m;
}
