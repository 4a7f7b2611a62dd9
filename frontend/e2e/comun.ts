// Paths and constants shared by the e2e global setup (launcher.ts) and the scenarios.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(FRONTEND, '..');
export const SHOTS = join(FRONTEND, 'e2e-screenshots');
export const DIST = join(FRONTEND, 'dist');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const TOKEN = 'eventflow-dev-admin';
/** Per step: every wait, click, navigation and `eventually`. */
export const TIMEOUT = 15_000;
/** Where the global setup tells the workers the launcher's UI port is. */
export const BASE_ENV = 'E2E_BASE_URL';
/** Where it tells them the services' own ports (JSON: USUARIOS_PORT, EVENTOS_PORT, …). */
export const PUERTOS_ENV = 'E2E_PUERTOS';

export const log = (...a: unknown[]) => console.log('[e2e]', ...a);
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
