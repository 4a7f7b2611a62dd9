/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The same table the launcher's UI port proxies (src/ui.rs), so the app always calls
// relative /api/... URLs. Override the targets with the *_PORT variables the launcher uses.
const host = process.env.EVENTFLOW_HOST ?? '127.0.0.1';
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const usuarios = `http://${host}:${port('USUARIOS_PORT', 8001)}`;
const eventos = `http://${host}:${port('EVENTOS_PORT', 8002)}`;
const reservas = `http://${host}:${port('RESERVAS_PORT', 8003)}`;
const notificaciones = `http://${host}:${port('NOTIFICACIONES_PORT', 8004)}`;

// Whole path segments only: /api/usuarios, /api/usuarios/... and /api/usuarios?..., never
// /api/usuariosX. (Vite matches these against the path with its query string.)
// usuarios-service also owns the accounts' sessions and the organizers.
const proxy = {
  '^/api/(usuarios|sesiones|organizadores)([/?]|$)': usuarios,
  '^/api/eventos([/?]|$)': eventos,
  // Seed 000's API (the .NET design), over the same events.
  '^/events([/?]|$)': eventos,
  '^/api/(reservar|reservas)([/?]|$)': reservas,
  '^/api/notificaciones([/?]|$)': notificaciones,
};

export default defineConfig({
  plugins: [react()],
  server: { port: 5173, strictPort: true, proxy },
  preview: { port: 4173, proxy },
  build: { outDir: 'dist', emptyOutDir: true },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    // Unit tests only: the Playwright scenarios (e2e/*.spec.ts) run with `npm run e2e`.
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
