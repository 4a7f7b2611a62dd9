import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import { olvidarSecretos } from '../api/client';
import { fijarReintentosLecturas } from '../consultas';

// A test's canned answers say what each call gets: a 503 is shown, not retried behind its
// back (the retry policy itself is tested in src/consultas.test.ts).
fijarReintentosLecturas(0);

// The UI must not log errors (React warnings included): any console.error fails the test.
let errores: unknown[][] = [];
beforeEach(() => {
  errores = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errores.push(args);
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  window.localStorage.clear();
  window.sessionStorage.clear();
  // The proxy's readable hint cookies a test set (the session's own cookie is HttpOnly).
  for (const c of document.cookie.split(';')) {
    const nombre = c.split('=')[0].trim();
    if (nombre) document.cookie = `${nombre}=; max-age=0`;
  }
  window.history.replaceState(null, '', '/');
  // The guests' reservation secrets live in the client module's memory.
  olvidarSecretos();
  if (errores.length) {
    throw new Error(`console.error during the test:\n${errores.map((a) => a.map(String).join(' ')).join('\n')}`);
  }
});
