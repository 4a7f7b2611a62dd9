/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Every API call goes to the launcher's UI port (src/ui.rs), which routes it to its service
// and keeps the browser's sessions in HttpOnly cookies (src/ui/sesion.rs): without it, a
// sign-in would have nowhere to leave its cookie. The app always calls relative /api/...
// URLs. Start the launcher first (`cargo run`); UI_PORT (8080) and EVENTFLOW_HOST move it.
// The Host header goes through unchanged, so the launcher's origin check sees this dev
// server's origin on both sides.
const host = process.env.EVENTFLOW_HOST ?? '127.0.0.1';
const lanzador = `http://${host}:${Number(process.env.UI_PORT ?? 8080)}`;

// Whole path segments only: /api, /api/... and /api?..., never /apiX; and seed 000's
// /events API (the .NET design), over the same events.
const proxy = {
  '^/api([/?]|$)': lanzador,
  '^/events([/?]|$)': lanzador,
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
