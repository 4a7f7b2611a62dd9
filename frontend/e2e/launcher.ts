// Global setup of the e2e run: builds the UI and the launcher, starts it, and stops it at the end.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { BASE_ENV, PUERTOS_ENV, CHROMIUM, DIST, FRONTEND, ROOT, SHOTS, log, sleep } from './comun';

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newestMtime(join(path, f))));
}

function run(cmd: string, args: string[], cwd: string) {
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

function ensureLauncher(): string {
  const fromEnv = process.env.EVENTFLOW_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`EVENTFLOW_BIN=${fromEnv} does not exist`);
    return fromEnv;
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

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => ok(port));
    });
  });
}

let launcher: ChildProcess | undefined;
let launcherExit: Promise<unknown> = Promise.resolve();

const running = () => launcher !== undefined && launcher.exitCode === null && launcher.signalCode === null;

function stopLauncher(): Promise<unknown> {
  if (!launcher || !running()) return Promise.resolve();
  const child = launcher;
  log(`stopping the launcher (pid ${child.pid})`);
  child.kill('SIGTERM');
  return Promise.race([
    launcherExit,
    sleep(8000).then(() => {
      if (child.exitCode === null && child.signalCode === null) {
        log('the launcher did not stop on SIGTERM: SIGKILL');
        child.kill('SIGKILL');
      }
    }),
  ]);
}

// Never leave it running, whatever happens (the teardown below is the normal way out).
process.on('exit', () => {
  if (running()) launcher?.kill('SIGKILL');
});

async function startLauncher(bin: string) {
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
  const child = spawn(bin, [], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  launcher = child;
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  launcherExit = new Promise((r) => child.once('exit', r));
  const base = `http://127.0.0.1:${ports.UI_PORT}`;
  const health = [ports.USUARIOS_PORT, ports.EVENTOS_PORT, ports.RESERVAS_PORT, ports.NOTIFICACIONES_PORT].map(
    (p) => `http://127.0.0.1:${p}/health`,
  );
  const deadline = Date.now() + 60_000;
  for (const url of [...health, `${base}/`]) {
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`the launcher exited with code ${child.exitCode}:\n${readFileSync(logPath, 'utf8')}`);
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
  return { base, logPath, ports };
}

/** Playwright's globalSetup; the function it returns is the global teardown. */
export default async function globalSetup() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found. Install Debian's Chromium: apt-get update && apt-get install -y chromium`);
  }
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  ensureUiBuild();
  const bin = ensureLauncher();
  const teardown = async () => {
    await stopLauncher();
    log(`screenshots in ${SHOTS}; launcher log in ${join(SHOTS, 'launcher.log')}`);
  };
  try {
    const { base, ports } = await startLauncher(bin);
    // Workers start after this and inherit the variables. The services' own ports: a
    // scenario asks a service's OpenAPI document whether a route is there yet (e2e/rutas.ts).
    process.env[BASE_ENV] = base;
    process.env[PUERTOS_ENV] = JSON.stringify(ports);
  } catch (e) {
    await stopLauncher();
    throw e;
  }
  return teardown;
}
