// End-to-end tests of the booking UI (`npm run e2e`): @playwright/test in Debian's Chromium.
//
// No browser download, ever: the browser is /usr/bin/chromium (or $CHROMIUM_PATH), from
// `apt-get install chromium`. Never run `playwright install`; @playwright/test downloads
// nothing on `npm ci` (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 anyway, in scripts/test.sh's env
// or yours, is harmless).
//
//   npm run e2e
//
// 1. builds the UI when frontend/dist is missing or older than its sources;
// 2. builds the launcher (`cargo build --bin eventflow`; a no-op when it is up to date),
//    or uses $EVENTFLOW_BIN as it is;
// 3. starts it on free ports (embedded backends), waits for every /health and the UI;
//    (1–3 are e2e/launcher.ts, the global setup)
// 4. runs the scenarios (e2e/*.spec.ts) through the UI port (static files + /api proxy),
//    saving a screenshot of each page to frontend/e2e-screenshots/;
// 5. always stops the launcher (the global setup's teardown).
//
// Any browser console error or uncaught page error fails the scenario it happened in,
// except the 4xx answers the scenario expects (see e2e/fixtures.ts).
//
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), EVENTFLOW_BIN, E2E_HEADED=1.
import { defineConfig } from '@playwright/test';

const headed = process.env.E2E_HEADED === '1';
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export default defineConfig({
  testDir: './e2e',
  testMatch: '*.spec.ts',
  globalSetup: './e2e/launcher.ts',
  // One launcher, one set of backends and 2 CPU cores: the scenarios run one after the
  // other, in file order, as the single runner did.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  // A scenario is a whole visit (several pages, several people); the 15 s limit is per
  // step (see e2e/fixtures.ts).
  timeout: 120_000,
  reporter: [['list']],
  // Git ignores e2e-screenshots/; Playwright's own output goes beside the screenshots.
  outputDir: './e2e-screenshots/playwright',
  use: {
    browserName: 'chromium',
    headless: !headed,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: headed ? LAUNCH_ARGS.filter((a) => a !== '--headless') : LAUNCH_ARGS,
    },
    locale: 'es-PE',
    screenshot: 'off',
    trace: 'off',
    video: 'off',
  },
});
