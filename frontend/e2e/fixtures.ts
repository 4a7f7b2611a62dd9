// The e2e `test`: one watched browser context per person, and browser errors fail the scenario.
//
// Any browser console error, uncaught page error or failed request fails the scenario it
// happened in. The one exception: Chromium logs every non-2xx fetch as "Failed to load
// resource". An /api answer with a 4xx status the scenario itself expects (the 404 of a
// guest's booking with an unknown email, the 401 of a wrong password, the 402 of a
// declined card, the 409 of a sold-out zone, the 404 of somebody else's reservation, the
// 422 of a wrong one-time code or of a card that fails the Luhn check) is the API
// speaking, not a UI error, so those lines are accepted, and only those: a scenario
// declares them with `esperar(…)`.
import { test as base, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { TIMEOUT } from './comun';
import { shot } from './ui';

export { BASE } from './api';

type Opciones = {
  /** The viewport of every page of the scenario. */
  ancho: number;
  alto: number;
  /** The scenario's browser time zone; the machine's when unset. */
  zonaHoraria: string | undefined;
};

type Escenario = {
  /** Statuses this scenario expects from the API (see above). */
  esperar: (...estados: number[]) => void;
  /** Every /api response any of the scenario's pages received. */
  respuestas: { url: string; status: number }[];
  /** Another person at another computer: a context of its own, watched the same way. */
  nuevaPagina: (etiqueta?: string, opciones?: { timezoneId?: string }) => Promise<Page>;
};

type Escena = Escenario & { errores: string[]; paginas: Page[]; contextos: BrowserContext[] };

async function abrirEscena(browser: Browser, { ancho, alto, zonaHoraria }: Opciones): Promise<Escena> {
  const errores: string[] = [];
  const esperados = new Set<number>();
  const respuestas: { url: string; status: number }[] = [];
  const contextos: BrowserContext[] = [];
  const paginas: Page[] = [];
  // A browser context of its own (cookies, storage, memory): another person at another
  // computer, in the scenario's time zone (the machine's unless it says) or its own.
  // Every page is watched the same way.
  const nuevaPagina = async (etiqueta = '', { timezoneId = zonaHoraria }: { timezoneId?: string } = {}) => {
    const context = await browser.newContext({
      viewport: { width: ancho, height: alto },
      locale: 'es-PE',
      ...(timezoneId ? { timezoneId } : {}),
    });
    contextos.push(context);
    const page = await context.newPage();
    paginas.push(page);
    page.setDefaultTimeout(TIMEOUT);
    const de = etiqueta ? ` [${etiqueta}]` : '';
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/')) respuestas.push({ url: r.url(), status: r.status() });
    });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const texto = m.text();
      const url = m.location()?.url ?? '';
      const st = /status of (\d{3})/.exec(texto);
      if (st && url.includes('/api/') && esperados.has(Number(st[1]))) return;
      errores.push(`console.error${de}: ${texto}${url ? ` (${url})` : ''}`);
    });
    page.on('pageerror', (e) => errores.push(`pageerror${de}: ${e.message}`));
    page.on('requestfailed', (r) => {
      const f = r.failure()?.errorText ?? '';
      // Aborted fetches are the UI cancelling a stale load on purpose.
      if (!f.includes('ERR_ABORTED')) errores.push(`request failed${de}: ${r.method()} ${r.url()} ${f}`);
    });
    return page;
  };
  const esperar = (...s: number[]) => s.forEach((x) => esperados.add(x));
  return { errores, esperar, respuestas, nuevaPagina, contextos, paginas };
}

export const test = base.extend<Opciones & Escenario & { escena: Escena }>({
  ancho: [1280, { option: true }],
  alto: [900, { option: true }],
  zonaHoraria: [undefined, { option: true }],

  escena: async ({ browser, ancho, alto, zonaHoraria }, use, testInfo) => {
    const escena = await abrirEscena(browser, { ancho, alto, zonaHoraria });
    try {
      await use(escena);
      const fallo = testInfo.status !== testInfo.expectedStatus || escena.errores.length > 0;
      if (fallo && escena.paginas[0]) {
        const nombre = testInfo.title.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
        await shot(escena.paginas[0], `FALLO-${nombre}`).catch(() => {});
      }
      if (escena.errores.length) throw new Error(`errores en el navegador:\n      ${escena.errores.join('\n      ')}`);
    } finally {
      for (const c of escena.contextos) await c.close();
    }
  },
  esperar: async ({ escena }, use) => use(escena.esperar),
  respuestas: async ({ escena }, use) => use(escena.respuestas),
  nuevaPagina: async ({ escena }, use) => use(escena.nuevaPagina),
  // The scenario's first person.
  page: async ({ escena }, use) => use(await escena.nuevaPagina()),
});
