#!/usr/bin/env node
// The API types of the UI, generated from each service's committed OpenAPI document (its
// `openapi.snap`, the insta snapshot the Rust tests check: a short header, then the JSON) with
// openapi-typescript (pinned in package.json), one file per service under src/api/generated/.
//
//   npm run gen:api     writes src/api/generated/*.ts
//
// The files are build outputs, not sources (git ignores them): `npm ci` writes them
// (postinstall), and `build`, `typecheck` and `test` regenerate them first, so they can
// never be stale and a changed API that the UI's code no longer fits is a type error in
// `npm run build` / `npm run typecheck`. It reads local files only (no network), so it
// works offline and inside `npm ci`.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(FRONTEND, '..');
const GENERATED = join(FRONTEND, 'src', 'api', 'generated');

/** Generated file → the service whose openapi.snap it comes from. */
const SERVICIOS = {
  'usuarios.ts': 'usuarios-service',
  'eventos.ts': 'eventos-service',
  'reservas.ts': 'reservas-pagos-service',
  'notificaciones.ts': 'notificaciones-service',
};

/** openapi-typescript's options; the same for every service. */
const OPCIONES = {
  // A bare `type: object` (a bitácora entry's `datos`, a session's `usuario`) is an
  // object whose members the document does not list: unknown values, not `never`.
  emptyObjectsUnknown: true,
  silent: true,
};

/** The OpenAPI document in `servicio/openapi.snap`: the JSON after insta's `---` header. */
function documento(servicio) {
  const texto = readFileSync(join(ROOT, servicio, 'openapi.snap'), 'utf8');
  const cuerpo = texto.startsWith('---') ? texto.slice(texto.indexOf('\n---\n', 3) + 5) : texto;
  return JSON.parse(cuerpo);
}

mkdirSync(GENERATED, { recursive: true });
for (const [archivo, servicio] of Object.entries(SERVICIOS)) {
  const ast = await openapiTS(documento(servicio), OPCIONES);
  const cabecera = `// Generated from ${servicio}/openapi.snap by \`npm run gen:api\` (frontend/scripts/api.mjs); git ignores it.\n`;
  writeFileSync(join(GENERATED, archivo), cabecera + COMMENT_HEADER + astToString(ast));
}
console.log(`gen:api: wrote ${Object.keys(SERVICIOS).map((f) => `src/api/generated/${f}`).join(', ')}`);
