// Sessions that survive a reload, without handing the token to scripts: the launcher's
// proxy keeps each session's token in an HttpOnly, SameSite=Strict cookie (src/ui/sesion.rs),
// refuses changes sent with it from another origin, and the pages carry the security
// headers (src/ui/cabeceras.rs). Each page is also checked with axe-core (WCAG 2.1 AA).
import { crearEvento, crearCuenta, crearOrganizador, reservarPorApi } from './api';
import { BASE, test } from './fixtures';
import { barra, check, entrar, entrarComoOrganizador, reservasListadas, shot, sinViolacionesWcag, tokenInvisible } from './ui';

test('F5 en "Mis reservas" mantiene la sesión; otro origen no puede usar la cookie', async ({ page, esperar }) => {
  esperar(403); // the cross-origin POST below, refused on purpose
  const ev = await crearEvento([{ nombre: 'General', precio: 5000, capacidad: 10 }]);
  const cuenta = await crearCuenta('Rosa');
  const reserva = await reservarPorApi(cuenta, ev, 'General', 2);

  // The pages' security headers.
  const doc = await page.goto(`${BASE}/mis-reservas`);
  const h = doc!.headers();
  const csp = h['content-security-policy'] ?? '';
  const scripts = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
  check(csp.includes("frame-ancestors 'none'") && !scripts.includes('unsafe-inline'), `CSP: ${csp}`);
  check(h['x-frame-options'] === 'DENY' && h['x-content-type-options'] === 'nosniff', `cabeceras: ${JSON.stringify(h)}`);
  check(h['referrer-policy'] === 'no-referrer', `Referrer-Policy: ${h['referrer-policy']}`);

  await page.getByText('Inicia sesión para ver tus reservas.').waitFor();
  const token = await entrar(page, cuenta.usuario.email, cuenta.password);
  check((await reservasListadas(page)).join() === reserva.id, 'su reserva');
  await tokenInvisible(page, token, 'tras entrar');

  // F5: still signed in, straight to the list, and no sign-in form on the way.
  const actual = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sesiones/actual');
  await page.reload();
  check((await actual).status() === 200, 'GET /api/sesiones/actual con la cookie → 200');
  check((await reservasListadas(page)).join() === reserva.id, 'tras recargar, la misma reserva');
  await barra(page).getByText('Hola, Rosa').waitFor();
  check((await page.getByRole('form', { name: 'Iniciar sesión' }).count()) === 0, 'sin formulario de acceso');
  await tokenInvisible(page, token, 'tras recargar');
  await sinViolacionesWcag(page, 'Mis reservas con sesión');
  await shot(page, '30-mis-reservas-tras-recargar-1280');
  await page.setViewportSize({ width: 375, height: 800 });
  await barra(page).getByText('Hola, Rosa').waitFor();
  await sinViolacionesWcag(page, 'Mis reservas con sesión, 375 px');
  await shot(page, '30-mis-reservas-tras-recargar-375');
  await page.setViewportSize({ width: 1280, height: 900 });

  // A request from another site with the browser's cookies (what a forged form or fetch
  // would send, were SameSite ignored): refused, and the reservation stays confirmed.
  const ajena = await page.context().request.post(`${BASE}/api/reservas/${reserva.id}/cancelar`, {
    headers: { origin: 'http://malo.example' },
  });
  check(ajena.status() === 403, `POST de otro origen con la cookie → ${ajena.status()}`);
  check((await ajena.json()).type === 'urn:eventflow:problem:origen-no-permitido', 'origen-no-permitido');
  await page.reload();
  check((await page.locator(`li[data-reserva-id="${reserva.id}"]`).getByTestId('estado').innerText()) === 'Confirmada', 'sigue confirmada');

  // Signing out clears the cookie: a reload then shows the sign-in form.
  await barra(page).getByRole('button', { name: 'Cerrar sesión' }).click();
  await page.getByText('Inicia sesión para ver tus reservas.').waitFor();
  const quedan = (await page.context().cookies()).filter((c) => c.name.startsWith('eventflow_'));
  check(quedan.length === 0, `cookies tras cerrar sesión: ${quedan.map((c) => c.name).join(', ')}`);
  await page.reload();
  await page.getByText('Inicia sesión para ver tus reservas.').waitFor();
});

test('el organizador entra con su cuenta, recarga la página y sigue dentro; nunca con el token de administrador', async ({ page }) => {
  const { organizador, email, password } = await crearOrganizador('Recarga');
  await page.goto(`${BASE}/organizador`);
  // Signed out: only the sign-in form; nothing asks for (or keeps) an admin token.
  await page.getByRole('form', { name: 'Iniciar sesión como organizador' }).waitFor();
  check((await page.getByLabel(/token/i).count()) === 0, 'ningún campo de token');
  await sinViolacionesWcag(page, 'Organizador sin sesión');
  await shot(page, '31-organizador-entrar-1280');
  await page.setViewportSize({ width: 375, height: 800 });
  await sinViolacionesWcag(page, 'Organizador sin sesión, 375 px');
  await shot(page, '31-organizador-entrar-375');
  await page.setViewportSize({ width: 1280, height: 900 });

  const token = await entrarComoOrganizador(page, email, password);
  await page.getByRole('heading', { name: 'Tus eventos' }).waitFor();
  await page.reload();
  await page.getByTestId('sesion-organizador').getByText(organizador.nombre).waitFor();
  await page.getByRole('heading', { name: 'Tus eventos' }).waitFor();
  check((await page.getByRole('form', { name: 'Iniciar sesión como organizador' }).count()) === 0, 'sin formulario tras recargar');
  await tokenInvisible(page, token, 'organizador tras recargar');
  const almacen = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  check(!almacen.includes('eventflow-dev-admin') && !almacen.includes('token'), `nada de tokens en el almacenamiento: ${almacen}`);
  await sinViolacionesWcag(page, 'Organizador con sesión');
  await shot(page, '32-organizador-con-sesion-1280');
  await page.setViewportSize({ width: 375, height: 800 });
  await sinViolacionesWcag(page, 'Organizador con sesión, 375 px');
  await shot(page, '32-organizador-con-sesion-375');
});
