// EventFlow's service worker: keeps the app's shell (index.html, its script and styles, the
// icon) so the door's page, /organizador/ingreso, opens with no network. Hand-written and
// small on purpose. The API is never cached here: the door's offline data (the event's
// list and the queued scans) lives in IndexedDB (src/ingreso/almacen.ts), and every other
// answer must be fresh.
//
// Pages: network first, the kept index.html when there is no network (the app routes on
// the client). Built files (/assets/…, named by content hash): the cache first, else the
// network, kept for next time.
const CACHE = 'eventflow-shell-v1';

/** index.html and the files it loads (found in its text: their names change each build). */
async function guardarShell() {
  const cache = await caches.open(CACHE);
  const res = await fetch('/index.html', { cache: 'no-store' });
  if (!res.ok) return;
  const html = await res.clone().text();
  await cache.put('/index.html', res);
  const archivos = [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('/api'));
  await cache.addAll([...new Set(archivos)]);
}

self.addEventListener('install', (e) => {
  e.waitUntil(guardarShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((nombres) => Promise.all(nombres.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname.startsWith('/events')) return;
  if (req.mode === 'navigate') {
    e.respondWith(
      fetch(req)
        .then((res) => {
          // Every page of the app is index.html (client-side routes): the newest, for next
          // time; a new build's files are kept as they load (below).
          if (res.ok && (res.headers.get('content-type') || '').includes('text/html')) {
            const copia = res.clone();
            void caches.open(CACHE).then((c) => c.put('/index.html', copia));
          }
          return res;
        })
        .catch(() => caches.match('/index.html').then((r) => r || Response.error())),
    );
    return;
  }
  e.respondWith(
    caches.match(req).then(
      (guardada) =>
        guardada ||
        fetch(req).then((res) => {
          if (res.ok && url.pathname.startsWith('/assets/')) {
            const copia = res.clone();
            void caches.open(CACHE).then((c) => c.put(req, copia));
          }
          return res;
        }),
    ),
  );
});
