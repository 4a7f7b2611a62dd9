#!/usr/bin/env node
// End-to-end tests of the booking UI in Debian's Chromium (/usr/bin/chromium), driven by
// playwright-core: no browser download, ever.
//
//   npm run e2e
//
// 1. builds the UI when frontend/dist is missing or older than its sources;
// 2. builds the launcher (`cargo build --bin eventflow`; a no-op when it is up to date),
//    or uses $EVENTFLOW_BIN as it is;
// 3. starts it on free ports (embedded backends), waits for every /health and the UI;
// 4. runs the scenarios below through the UI port (static files + /api proxy), saving a
//    screenshot of each page to frontend/e2e-screenshots/;
// 5. always stops the launcher.
//
// Any browser console error or uncaught page error fails the scenario it happened in.
// The one exception: Chromium logs every non-2xx fetch as "Failed to load resource". An
// /api answer with a 4xx status the scenario itself expects (a 404 while looking up a
// new buyer, the 402 of a declined card, the 409 of a sold-out zone) is the API speaking,
// not a UI error, so those lines are accepted, and only those.
//
// Environment: CHROMIUM_PATH (default /usr/bin/chromium), EVENTFLOW_BIN, E2E_HEADED=1.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = resolve(FRONTEND, '..');
const SHOTS = join(FRONTEND, 'e2e-screenshots');
const DIST = join(FRONTEND, 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const TOKEN = 'eventflow-dev-admin';
const TIMEOUT = 15_000;

const log = (...a) => console.log('[e2e]', ...a);

// ---------------------------------------------------------------------------------------
// Preparation: browser, UI build, launcher build, free ports
// ---------------------------------------------------------------------------------------

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

function run(cmd, args, cwd) {
  log(`$ ${cmd} ${args.join(' ')}   (in ${cwd})`);
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function ensureUiBuild() {
  const built = existsSync(join(DIST, 'index.html')) ? statSync(join(DIST, 'index.html')).mtimeMs : 0;
  const sources = Math.max(
    ...['src', 'public', 'index.html', 'package.json', 'package-lock.json', 'vite.config.ts', 'tsconfig.json'].map((p) =>
      newestMtime(join(FRONTEND, p)),
    ),
  );
  if (built && built >= sources) {
    log('UI build is up to date (frontend/dist)');
    return;
  }
  log(built ? 'UI sources changed since the last build: rebuilding' : 'no UI build yet: building');
  run('npm', ['run', 'build'], FRONTEND);
}

function ensureLauncher() {
  if (process.env.EVENTFLOW_BIN) {
    if (!existsSync(process.env.EVENTFLOW_BIN)) throw new Error(`EVENTFLOW_BIN=${process.env.EVENTFLOW_BIN} does not exist`);
    return process.env.EVENTFLOW_BIN;
  }
  const bin = join(ROOT, 'target', 'debug', 'eventflow');
  const cargo = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  if (cargo.status === 0) {
    // Builds it when missing; a quick no-op when it is up to date.
    run('cargo', ['build', '--bin', 'eventflow'], ROOT);
  } else if (existsSync(bin)) {
    log('cargo not found: using the existing target/debug/eventflow as it is');
  } else {
    throw new Error('target/debug/eventflow is missing and cargo is not on PATH to build it');
  }
  return bin;
}

function freePort() {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------
// The launcher
// ---------------------------------------------------------------------------------------

let launcher;
let launcherExit;

function stopLauncher() {
  if (!launcher || launcher.exitCode !== null || launcher.signalCode !== null) return Promise.resolve();
  log(`stopping the launcher (pid ${launcher.pid})`);
  launcher.kill('SIGTERM');
  return Promise.race([
    launcherExit,
    sleep(8000).then(() => {
      if (launcher.exitCode === null && launcher.signalCode === null) {
        log('the launcher did not stop on SIGTERM: SIGKILL');
        launcher.kill('SIGKILL');
      }
    }),
  ]);
}

// Never leave it running, whatever happens.
process.on('exit', () => {
  if (launcher && launcher.exitCode === null && launcher.signalCode === null) launcher.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    void stopLauncher().then(() => process.exit(130));
  });
}

async function startLauncher(bin) {
  const ports = {
    USUARIOS_PORT: await freePort(),
    EVENTOS_PORT: await freePort(),
    RESERVAS_PORT: await freePort(),
    NOTIFICACIONES_PORT: await freePort(),
    UI_PORT: await freePort(),
  };
  const env = {
    ...process.env,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    EVENTFLOW_BACKENDS: 'embedded',
    EVENTFLOW_BIND: '127.0.0.1',
    UI_DIST: DIST,
    RUST_LOG: process.env.RUST_LOG ?? 'warn',
  };
  mkdirSync(SHOTS, { recursive: true });
  const logPath = join(SHOTS, 'launcher.log');
  const out = createWriteStream(logPath);
  log(`starting ${bin} (UI on :${ports.UI_PORT}; log in ${logPath})`);
  launcher = spawn(bin, [], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  launcher.stdout.pipe(out);
  launcher.stderr.pipe(out);
  launcherExit = new Promise((r) => launcher.once('exit', r));
  const base = `http://127.0.0.1:${ports.UI_PORT}`;
  const health = [ports.USUARIOS_PORT, ports.EVENTOS_PORT, ports.RESERVAS_PORT, ports.NOTIFICACIONES_PORT].map(
    (p) => `http://127.0.0.1:${p}/health`,
  );
  const deadline = Date.now() + 60_000;
  for (const url of [...health, `${base}/`]) {
    for (;;) {
      if (launcher.exitCode !== null) {
        throw new Error(`the launcher exited with code ${launcher.exitCode}:\n${readFileSync(logPath, 'utf8')}`);
      }
      try {
        const r = await fetch(url);
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${url}`);
      await sleep(200);
    }
  }
  log('launcher is healthy');
  return { base, logPath };
}

// ---------------------------------------------------------------------------------------
// API helpers (through the UI port's proxy, like the browser)
// ---------------------------------------------------------------------------------------

let BASE = '';
const unico = () => Math.random().toString(36).slice(2, 8);

async function apiCall(method, path, body, headers = {}) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, body: json };
}

async function crearEvento(zonas, nombre = `E2E ${unico()}`) {
  const fecha = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const r = await apiCall('POST', '/api/eventos', { nombre, fecha, lugar: 'Estadio E2E', zonas }, { authorization: `Bearer ${TOKEN}` });
  check(r.status === 201, `crear evento: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function crearComprador(nombre = 'Luis') {
  const email = `${nombre.toLowerCase()}.${unico()}@example.com`;
  const r = await apiCall('POST', '/api/usuarios', {
    tipo_documento: 'DNI',
    nro_documento: String(10_000_000 + Math.floor(Math.random() * 89_999_999)),
    nombre,
    apellido: 'Prueba',
    email,
  });
  check(r.status === 201, `crear comprador: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function reservarPorApi(usuario, evento, zona, cantidad) {
  const r = await apiCall('POST', '/api/reservar', {
    usuario_id: usuario.id,
    evento_id: evento.id,
    zona,
    cantidad,
    pago: { metodo: 'tarjeta', numero_tarjeta: '4242424242424242' },
  });
  check(r.status === 201, `reservar: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function zonaApi(evento, nombre) {
  const r = await apiCall('GET', `/api/eventos/${evento.id}`);
  check(r.status === 200, `leer evento: ${r.status}`);
  return r.body.zonas.find((z) => z.nombre === nombre);
}

// ---------------------------------------------------------------------------------------
// A tiny harness: one browser page per scenario, console errors fail it
// ---------------------------------------------------------------------------------------

function check(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

async function eventually(fn, what, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${last ? ` (${last.message})` : ''}`);
    await sleep(150);
  }
}

async function shot(page, name) {
  // The sticky top bar would be painted mid-page in a full-page capture of a scrolled page.
  await page.evaluate(async () => {
    window.scrollTo(0, 0);
    await document.fonts?.ready;
  });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  log(`  screenshot ${path}`);
}

/** The page's width fits the viewport: nothing scrolls sideways. */
async function sinDesbordeHorizontal(page) {
  const { scroll, vista } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    vista: window.innerWidth,
  }));
  check(scroll <= vista, `la página desborda horizontalmente: ${scroll}px > ${vista}px`);
}

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

const resultados = [];

async function escenario(browser, nombre, fn, { ancho = 1280, alto = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width: ancho, height: alto }, locale: 'es-PE' });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const errores = [];
  // Statuses this scenario expects from the API: "Failed to load resource" lines for these
  // /api responses are the API answering, not a UI error.
  const esperados = new Set();
  const respuestas = [];
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
    errores.push(`console.error: ${texto}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (e) => errores.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    const f = r.failure()?.errorText ?? '';
    // Aborted fetches are the UI cancelling a stale load on purpose.
    if (!f.includes('ERR_ABORTED')) errores.push(`request failed: ${r.method()} ${r.url()} ${f}`);
  });
  const t0 = Date.now();
  try {
    await fn(page, { esperar: (...s) => s.forEach((x) => esperados.add(x)), respuestas });
    if (errores.length) throw new Error(`errores en el navegador:\n      ${errores.join('\n      ')}`);
    resultados.push({ nombre, ok: true });
    console.log(`  ✓ ${nombre} (${Date.now() - t0} ms)`);
  } catch (e) {
    resultados.push({ nombre, ok: false });
    console.log(`  ✗ ${nombre}\n      ${e.stack ?? e}`);
    if (errores.length && !String(e.message).startsWith('errores en el navegador')) {
      console.log(`      browser errors:\n      ${errores.join('\n      ')}`);
    }
    await shot(page, `FALLO-${nombre.replace(/[^a-z0-9]+/gi, '-').slice(0, 60)}`).catch(() => {});
  } finally {
    await context.close();
  }
}

// Finds a buyer by email on the event page (they already exist).
async function identificar(page, email) {
  await page.getByLabel('Tu email').fill(email);
  await page.getByRole('button', { name: 'Continuar' }).click();
  await page.getByTestId('comprador').waitFor();
}

const zonaOpcion = (page, nombre) => page.locator(`label.zona-opcion[data-zona="${nombre}"]`);

// ---------------------------------------------------------------------------------------
// The scenarios
// ---------------------------------------------------------------------------------------

async function escenarios(browser) {
  await escenario(browser, 'un evento creado por la API aparece en la lista', async (page) => {
    const ev = await crearEvento(
      [
        { nombre: 'Campo', precio: 8000, capacidad: 100 },
        { nombre: 'Platea', precio: 15050, capacidad: 40 },
      ],
      `Festival E2E ${unico()}`,
    );
    await page.goto(`${BASE}/`);
    const tarjeta = page.locator(`li[data-evento-id="${ev.id}"]`);
    await tarjeta.waitFor();
    const texto = await tarjeta.innerText();
    check(texto.includes(ev.nombre), 'nombre del evento');
    check(texto.includes('Estadio E2E'), 'lugar');
    check(texto.includes('S/ 80.00') && texto.includes('S/ 150.50'), `precios formateados: ${texto}`);
    check(texto.includes('140 disponibles'), 'disponibilidad total');
    check(/2027|2026|2028/.test(texto), 'fecha');
    await shot(page, '01-eventos');
  });

  await escenario(browser, 'un comprador se registra, reserva y ve la confirmación con sus pasos; la disponibilidad baja', async (page, { esperar }) => {
    esperar(404, 422); // the lookup of a new email; the registration with a bad document number
    const ev = await crearEvento([
      { nombre: 'Campo', precio: 8000, capacidad: 10 },
      { nombre: 'Platea', precio: 15000, capacidad: 5 },
    ]);
    const email = `ana.${unico()}@example.com`;
    await page.goto(`${BASE}/`);
    await page.locator(`li[data-evento-id="${ev.id}"]`).getByRole('link', { name: 'Comprar entradas' }).click();
    await page.getByRole('heading', { name: ev.nombre }).waitFor();
    check(page.url().endsWith(`/eventos/${ev.id}`), `URL del evento: ${page.url()}`);

    await zonaOpcion(page, 'Campo').click();
    await page.getByLabel('Cantidad').selectOption('3');

    // Unknown email: the inline registration, with the API's field errors.
    await page.getByLabel('Tu email').fill(email);
    await page.getByRole('button', { name: 'Continuar' }).click();
    await page.getByText('No encontramos ese email').waitFor();
    check((await page.getByLabel('Email', { exact: true }).inputValue()) === email, 'email prellenado');
    await page.getByLabel('Número de documento').fill('1');
    await page.getByLabel('Nombre', { exact: true }).fill('Ana');
    await page.getByRole('button', { name: 'Registrarme' }).click();
    await page.getByText('debe tener de 4 a 20 letras, dígitos o guiones').waitFor();
    await page.getByText('no puede estar vacío').waitFor(); // apellido
    await shot(page, '02-registro-con-errores');
    await page.getByLabel('Número de documento').fill(String(40_000_000 + Math.floor(Math.random() * 9_999_999)));
    await page.getByLabel('Apellido').fill('Quispe');
    await page.getByRole('button', { name: 'Registrarme' }).click();
    await page.getByTestId('comprador').getByText('Ana Quispe').waitFor();

    await page.getByRole('button', { name: '4242424242424242' }).click();
    check((await page.getByTestId('total').innerText()).includes('S/ 240.00'), 'total 3 × 80');
    await page.getByRole('button', { name: 'Reservar' }).click();
    await page.getByRole('heading', { name: '¡Reserva confirmada!' }).waitFor();
    const pasos = await page.getByRole('list', { name: 'Pasos de la reserva' }).getByRole('listitem').allInnerTexts();
    check(pasos.length === 4, `4 pasos: ${pasos}`);
    for (const [i, nombre] of ['Validación de datos', 'Retención de entradas', 'Pago', 'Confirmación'].entries()) {
      check(pasos[i].includes(nombre) && pasos[i].includes('correcto'), `paso ${nombre}: ${pasos[i]}`);
    }
    check((await page.getByTestId('resultado').innerText()).includes('3 entradas en Campo · Total S/ 240.00'), 'resumen');
    // Availability drops by the quantity, on the page and in the API.
    await eventually(async () => (await zonaOpcion(page, 'Campo').innerText()).includes('7 disponibles'), 'Campo muestra 7 disponibles');
    const campo = await zonaApi(ev, 'Campo');
    check(campo.disponibles === 7 && campo.vendidas === 3, `API: ${JSON.stringify(campo)}`);
    await shot(page, '03-evento-reserva-confirmada');

    await page.getByRole('link', { name: 'Eventos', exact: true }).click();
    const fila = page.locator(`li[data-evento-id="${ev.id}"] tr[data-zona="Campo"] .zona-disponibles`);
    await eventually(async () => (await fila.innerText()).trim() === '7', 'la lista muestra 7 en Campo');
  });

  await escenario(browser, 'una tarjeta rechazada muestra el error de pago y la disponibilidad no cambia', async (page, { esperar }) => {
    esperar(402);
    const ev = await crearEvento([{ nombre: 'General', precio: 5000, capacidad: 20 }]);
    const u = await crearComprador('Rosa');
    await page.goto(`${BASE}/eventos/${ev.id}`);
    await identificar(page, u.email);
    await page.getByLabel('Cantidad').selectOption('2');
    await page.getByLabel('Número de tarjeta').fill('4000 0000 0000 0002');
    await page.getByRole('button', { name: 'Reservar' }).click();
    const r = page.getByTestId('resultado');
    await r.getByRole('heading', { name: 'Pago rechazado' }).waitFor();
    const texto = await r.innerText();
    check(texto.includes('Pago rechazado (tarjeta rechazada): no se te cobró nada'), `mensaje: ${texto}`);
    check(texto.includes('Falló el paso: Pago'), 'paso fallido');
    check(texto.includes('retención de 2 entradas liberada'), 'compensación de la retención');
    check(texto.includes('bloqueo de compra liberado'), 'compensación del bloqueo');
    // The failed reservation, read back: its steps, the payment failed, confirmation never ran.
    const paso = (h) => r.locator(`li[data-handler="${h}"]`);
    await paso('ProcesadorPago').waitFor();
    check((await paso('ProcesadorPago').innerText()).includes('falló'), 'el pago falló');
    check((await paso('ConfirmadorReserva').innerText()).includes('no se ejecutó'), 'la confirmación no se ejecutó');
    await eventually(async () => (await zonaOpcion(page, 'General').innerText()).includes('20 disponibles'), 'General sigue con 20');
    const z = await zonaApi(ev, 'General');
    check(z.disponibles === 20 && z.vendidas === 0, `API: ${JSON.stringify(z)}`);
    await shot(page, '04-pago-rechazado');
  });

  await escenario(browser, 'una zona agotada no se puede reservar', async (page, { esperar }) => {
    esperar(409);
    const ev = await crearEvento([
      { nombre: 'VIP', precio: 30000, capacidad: 2 },
      { nombre: 'Palco', precio: 20000, capacidad: 1 },
      { nombre: 'General', precio: 5000, capacidad: 10 },
    ]);
    const otro = await crearComprador('Otro');
    await reservarPorApi(otro, ev, 'VIP', 2);
    const u = await crearComprador('Sara');

    // Sold out before the page opens: marked, and cannot be chosen.
    await page.goto(`${BASE}/eventos/${ev.id}`);
    const vip = zonaOpcion(page, 'VIP');
    await vip.waitFor();
    check((await vip.innerText()).includes('Agotado'), 'VIP marcada como agotada');
    check(await vip.locator('input').isDisabled(), 'VIP no se puede elegir');

    // Sold out while the page is open: the booking is refused in plain words.
    await identificar(page, u.email);
    await zonaOpcion(page, 'Palco').click();
    await page.getByLabel('Número de tarjeta').fill('4242424242424242');
    await reservarPorApi(otro, ev, 'Palco', 1);
    await page.getByRole('button', { name: 'Reservar' }).click();
    const r = page.getByTestId('resultado');
    await r.getByRole('heading', { name: 'Agotado' }).waitFor();
    const texto = await r.innerText();
    check(texto.includes('no quedan suficientes entradas') && texto.includes('No queda ninguna disponible'), `mensaje: ${texto}`);
    check(texto.includes('Falló el paso: Retención de entradas'), 'paso fallido');
    // After the refusal the page shows Palco sold out too, and nothing is bookable there.
    await eventually(async () => (await zonaOpcion(page, 'Palco').innerText()).includes('Agotado'), 'Palco agotada');
    check(await page.getByRole('button', { name: 'Reservar' }).isDisabled(), 'no se puede reservar una zona agotada');
    await shot(page, '05-zona-agotada');

    await page.goto(`${BASE}/`);
    const fila = page.locator(`li[data-evento-id="${ev.id}"] tr[data-zona="VIP"]`);
    check((await fila.innerText()).includes('Agotado'), 'la lista marca VIP agotada');
  });

  await escenario(browser, 'una cancelación devuelve las entradas (Mis reservas, historial, notificaciones)', async (page) => {
    const ev = await crearEvento([{ nombre: 'Platea', precio: 12000, capacidad: 8 }]);
    const u = await crearComprador('Carmen');
    const reserva = await reservarPorApi(u, ev, 'Platea', 2);
    check((await zonaApi(ev, 'Platea')).disponibles === 6, 'vendidas 2 antes de cancelar');

    await page.goto(`${BASE}/`);
    await page.getByRole('link', { name: 'Mis reservas' }).click();
    await page.getByLabel('Tu email').fill(u.email);
    await page.getByRole('button', { name: 'Ver mis reservas' }).click();
    const tarjeta = page.locator(`li[data-reserva-id="${reserva.id}"]`);
    await tarjeta.waitFor();
    check((await tarjeta.getByTestId('estado').innerText()) === 'Confirmada', 'estado confirmada');
    check((await tarjeta.innerText()).includes(ev.nombre), 'nombre del evento');
    await tarjeta.getByRole('button', { name: 'Ver historial' }).click();
    const bitacora = tarjeta.getByRole('list', { name: 'Historial de la reserva' });
    await bitacora.waitFor();
    const b = await bitacora.innerText();
    for (const t of ['Reserva iniciada', 'Entradas retenidas', 'Pago aprobado', 'Entradas vendidas', 'Reserva confirmada']) {
      check(b.includes(t), `historial: ${t}`);
    }
    await page.locator('.notificacion-reserva-confirmada').waitFor();
    await shot(page, '06-mis-reservas');

    await tarjeta.getByRole('button', { name: 'Cancelar reserva' }).click();
    const dialogo = tarjeta.getByRole('alertdialog');
    check((await dialogo.innerText()).includes('Se reembolsarán S/ 240.00'), 'confirmación con el importe');
    await dialogo.getByRole('button', { name: 'Sí, cancelar' }).click();
    await tarjeta.getByText(/Reserva cancelada\. Se reembolsaron S\/ 240\.00 y 2 entradas volvieron a la venta/).waitFor();
    check((await tarjeta.getByTestId('estado').innerText()) === 'Cancelada', 'estado cancelada');
    check((await tarjeta.getByRole('button', { name: 'Cancelar reserva' }).count()) === 0, 'ya no se puede cancelar');
    await eventually(async () => (await bitacora.innerText()).includes('Entradas devueltas a la venta'), 'historial con la devolución');
    await page.locator('.notificacion-reserva-cancelada').waitFor({ timeout: TIMEOUT });
    const z = await zonaApi(ev, 'Platea');
    check(z.disponibles === 8 && z.vendidas === 0, `las entradas vuelven: ${JSON.stringify(z)}`);
    await shot(page, '07-mis-reservas-cancelada');

    await page.goto(`${BASE}/eventos/${ev.id}`);
    await eventually(async () => (await zonaOpcion(page, 'Platea').innerText()).includes('8 disponibles'), 'la página del evento muestra 8');
  });

  await escenario(browser, 'el organizador publica un evento con zonas y ve las ventas por zona', async (page, { esperar }) => {
    esperar(401);
    const nombre = `Concierto Org ${unico()}`;
    await page.goto(`${BASE}/organizador`);
    await page.getByLabel('Token de organizador').fill('token-equivocado');
    await page.getByLabel('Nombre del evento').fill(nombre);
    await page.getByLabel('Lugar').fill('Arena Lima');
    await page.getByLabel('Fecha y hora').fill('2030-05-01T20:30');
    await page.getByLabel('Zona 1', { exact: true }).fill('Campo');
    await page.getByLabel('Precio (S/)').fill('95.50');
    await page.getByLabel('Capacidad').fill('300');
    await page.getByRole('button', { name: 'Añadir zona' }).click();
    await page.getByLabel('Zona 2', { exact: true }).fill('VIP');
    await page.getByLabel('Precio (S/)').nth(1).fill('250');
    await page.getByLabel('Capacidad').nth(1).fill('40');
    await page.getByRole('button', { name: 'Publicar evento' }).click();
    await page.getByText('El token de organizador falta o no es válido').waitFor();

    await page.getByLabel('Token de organizador').fill(TOKEN);
    await page.getByRole('button', { name: 'Publicar evento' }).click();
    await page.getByText('Evento publicado').waitFor();
    const ventas = page.locator('article.ventas', { hasText: nombre });
    await ventas.waitFor();
    const vip = ventas.locator('tr[data-zona="VIP"]');
    check((await vip.locator('.vendidas').innerText()) === '0', 'VIP vendidas 0');
    check((await vip.locator('.disponibles').innerText()) === '40', 'VIP disponibles 40');
    check((await vip.locator('.capacidad').innerText()) === '40', 'VIP capacidad 40');
    check((await ventas.locator('tr[data-zona="Campo"]').innerText()).includes('S/ 95.50'), 'precio en soles');

    // A sale shows up in the organizer's numbers.
    const lista = await apiCall('GET', '/api/eventos?limit=100');
    const ev = lista.body.items.find((e) => e.nombre === nombre);
    check(ev && ev.zonas.find((z) => z.nombre === 'Campo').precio === 9550, 'precio en céntimos');
    await reservarPorApi(await crearComprador('Pepe'), ev, 'VIP', 3);
    await page.getByRole('button', { name: 'Actualizar' }).click();
    await eventually(async () => (await vip.locator('.vendidas').innerText()) === '3', 'VIP vendidas 3');
    check((await vip.locator('.disponibles').innerText()) === '37', 'VIP disponibles 37');
    await shot(page, '08-organizador');
  });

  await escenario(
    browser,
    'a 375 px cada página cabe sin desbordar',
    async (page) => {
      const ev = await crearEvento([
        { nombre: 'Campo', precio: 8000, capacidad: 10 },
        { nombre: 'Platea VIP preferencial', precio: 1250000, capacidad: 1 },
      ]);
      const u = await crearComprador('Movil');
      await reservarPorApi(u, ev, 'Platea VIP preferencial', 1);
      for (const [ruta, nombre, listo] of [
        ['/', '09-movil-eventos', () => page.locator(`li[data-evento-id="${ev.id}"]`).waitFor()],
        [`/eventos/${ev.id}`, '10-movil-evento', () => page.getByRole('heading', { name: ev.nombre }).waitFor()],
        ['/mis-reservas', '11-movil-mis-reservas', async () => {
          await page.getByLabel('Tu email').fill(u.email);
          await page.getByRole('button', { name: 'Ver mis reservas' }).click();
          await page.locator('li.reserva').first().waitFor();
        }],
        ['/organizador', '12-movil-organizador', () => page.locator('article.ventas').first().waitFor()],
      ]) {
        await page.goto(`${BASE}${ruta}`);
        await listo();
        await sinDesbordeHorizontal(page);
        await shot(page, nombre);
      }
    },
    { ancho: 375, alto: 740 },
  );

  await escenario(browser, 'una ruta desconocida muestra la página de no encontrada', async (page) => {
    const r = await page.goto(`${BASE}/no/existe`);
    check(r.status() === 200, 'index.html para rutas del cliente');
    await page.getByRole('heading', { name: 'Página no encontrada' }).waitFor();
  });
}

// ---------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found. Install Debian's Chromium: apt-get update && apt-get install -y chromium`);
  }
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  ensureUiBuild();
  const bin = ensureLauncher();
  let browser;
  try {
    const { base, logPath } = await startLauncher(bin);
    BASE = base;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: process.env.E2E_HEADED !== '1',
      args: process.env.E2E_HEADED === '1' ? LAUNCH_ARGS.filter((a) => a !== '--headless') : LAUNCH_ARGS,
    });
    log(`Chromium ${browser.version()}`);
    await escenarios(browser);
    const fallidos = resultados.filter((r) => !r.ok).length;
    if (fallidos) log(`launcher log: ${logPath}`);
  } finally {
    await browser?.close().catch(() => {});
    await stopLauncher();
  }
  const ok = resultados.filter((r) => r.ok).length;
  const ko = resultados.length - ok;
  log(`screenshots in ${SHOTS}`);
  console.log(`${ok} passed, ${ko} failed`);
  return ko === 0 && ok > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (e) => {
    console.error(`[e2e] ${e.stack ?? e}`);
    await stopLauncher();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
