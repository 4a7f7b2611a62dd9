// Organizers: signing in with an organizer account (the UI takes no admin token), publishing
// events, prices, time zones, sales.
import { apiCall, crearEvento, crearComprador, crearOrganizador, reservarPorApi, zonaApi, unico, type Json } from './api';
import { BASE, test } from './fixtures';
import type { Page } from '@playwright/test';
import {
  check,
  eventually,
  shot,
  campoFechaEntero,
  zonaOpcion,
  publicarConfirmando,
  sleep,
  entrarComoOrganizador,
  tokenInvisible,
} from './ui';

/** A new organizer account (made through the API, as the platform admin would), signed in on the organizer page. */
async function organizadorEnPagina(page: Page, nombre = 'Productora') {
  const o = await crearOrganizador(nombre);
  await page.goto(`${BASE}/organizador`);
  const token = await entrarComoOrganizador(page, o.email, o.password);
  return { ...o, token };
}

test('el organizador publica un evento con zonas y ve las ventas por zona', async ({ page }) => {
  const nombre = `Concierto Org ${unico()}`;
  await organizadorEnPagina(page);
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
  // Not cut off at 1280 px: the form sits in the narrow column.
  await campoFechaEntero(page, 'Fecha y hora');
  const resumen = await publicarConfirmando(page);
  await page.getByText('Evento publicado').waitFor();
  check((await resumen.count()) === 0, 'el resumen se cierra al publicar');
  const ventas = page.locator('article.ventas', { hasText: nombre });
  await ventas.waitFor();
  const vip = ventas.locator('tr[data-zona="VIP"]');
  check((await vip.locator('.vendidas').innerText()) === '0', 'VIP vendidas 0');
  check((await vip.locator('.disponibles').innerText()) === '40', 'VIP disponibles 40');
  check((await vip.locator('.capacidad').innerText()) === '40', 'VIP capacidad 40');
  check((await ventas.locator('tr[data-zona="Campo"]').innerText()).includes('S/ 95.50'), 'precio en soles');

  // A sale shows up in the organizer's numbers.
  const lista = await apiCall('GET', '/api/eventos?limit=100');
  const ev = lista.body.items.find((e: Json) => e.nombre === nombre);
  check(ev && ev.zonas.find((z: Json) => z.nombre === 'Campo').precio === 9550, 'precio en céntimos');
  await reservarPorApi(await crearComprador('Pepe'), ev, 'VIP', 3);
  await page.getByRole('button', { name: 'Actualizar' }).click();
  await eventually(async () => (await vip.locator('.vendidas').innerText()) === '3', 'VIP vendidas 3');
  check((await vip.locator('.disponibles').innerText()) === '37', 'VIP disponibles 37');
  await shot(page, '08-organizador');
});

test('un organizador inicia sesión, publica un evento y lo ve en su lista (solo los suyos)', async ({ page }) => {
  const { organizador, email, password } = await crearOrganizador('Andinas');
  const ajeno = await crearEvento([{ nombre: 'General', precio: 1000, capacidad: 5 }], `Ajeno ${unico()}`);
  const nombre = `Gira Org ${unico()}`;
  await page.goto(`${BASE}/organizador`);
  const form = page.getByRole('form', { name: 'Iniciar sesión como organizador' });
  await form.getByLabel('Email de organizador').fill(email);
  await form.getByLabel('Contraseña de organizador').fill(password);
  const sesion = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sesiones' && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Entrar como organizador' }).click();
  const s = await sesion;
  check(s.status() === 201, `POST /api/sesiones: ${s.status()}`);
  check(s.request().postDataJSON().rol === 'organizador', 'rol organizador');
  check((await s.json()).token === undefined, 'la página no recibe el token');
  const token = (await page.context().cookies()).find((c) => c.name === 'eventflow_sesion_organizador')?.value ?? '';
  check(token.startsWith('efs_'), 'el token queda en la cookie del organizador');
  await page.getByTestId('sesion-organizador').getByText(organizador.nombre).waitFor();
  await page.getByRole('heading', { name: 'Tus eventos' }).waitFor();
  check((await page.getByLabel(/token/i).count()) === 0, 'la interfaz no pide ningún token');

  await page.getByLabel('Nombre del evento').fill(nombre);
  await page.getByLabel('Lugar').fill('Teatro Municipal');
  await page.getByLabel('Fecha y hora').fill('2030-07-10T19:00');
  await page.getByLabel('Zona 1', { exact: true }).fill('Platea');
  await page.getByLabel('Precio (S/)').fill('80');
  await page.getByLabel('Capacidad').fill('120');
  const publica = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/eventos' && r.method() === 'POST');
  await publicarConfirmando(page);
  const cabeceras = (await publica).headers();
  // The page sends no credential of its own: the proxy adds the organizer cookie's token.
  check(cabeceras.authorization === undefined && cabeceras['x-sesion'] === 'organizador', `publica con la sesión del organizador: ${JSON.stringify(cabeceras)}`);
  await page.getByText('Evento publicado').waitFor();
  const ventas = page.locator('article.ventas', { hasText: nombre });
  await ventas.waitFor();
  check((await ventas.locator('tr[data-zona="Platea"] .capacidad').innerText()) === '120', 'capacidad 120');
  await ventas.getByText(/Conciliación: 0 discrepancias/).waitFor();
  // The API records whose it is; the list shows only this organizer's events.
  const lista = await apiCall('GET', '/api/eventos?limit=100');
  const ev = lista.body.items.find((e: Json) => e.nombre === nombre);
  check(ev && ev.organizador_id === organizador.id, `organizador_id: ${JSON.stringify(ev)}`);
  check((await page.locator(`article.ventas[data-evento-id="${ajeno.id}"]`).count()) === 0, 'no muestra eventos ajenos');
  const ids = await page.locator('article.ventas').evaluateAll((els) => els.map((e) => e.getAttribute('data-evento-id')));
  check(ids.length === 1 && ids[0] === ev.id, `solo el suyo: ${JSON.stringify(ids)}`);
  await tokenInvisible(page, token, 'organizador');
  await shot(page, '15-organizador-con-sesion');

  await page.getByRole('button', { name: 'Cerrar sesión de organizador' }).click();
  await page.getByRole('form', { name: 'Iniciar sesión como organizador' }).waitFor();
});

test('un precio escrito "80,50" publica S/ 80.50, tras confirmar el resumen', async ({ page }) => {
  const nombre = `Coma Decimal ${unico()}`;
  await organizadorEnPagina(page);
  await page.getByLabel('Nombre del evento').fill(nombre);
  await page.getByLabel('Lugar').fill('Teatro Segura');
  await page.getByLabel('Fecha y hora').fill('2030-08-15T21:00');
  await page.getByLabel('Zona 1', { exact: true }).fill('Platea');
  const precio = page.getByLabel('Precio (S/)');
  // Ambiguous while it reads "1.234": refused right there, nothing read.
  await precio.fill('1.234');
  await page.getByText('no queda claro si «1.234» lleva separador de miles o decimales: escribe 1234 o 1234,00').waitFor();
  check((await precio.getAttribute('aria-invalid')) === 'true', 'precio ambiguo marcado');
  await precio.fill('80,50');
  const leido = page.getByTestId('precio-leido-0');
  check((await leido.innerText()).trim() === 'S/ 80.50', `lo leído junto al precio: ${await leido.innerText()}`);
  await page.getByLabel('Capacidad').fill('60');

  // The summary first; nothing is sent before it is confirmed.
  const posts: Json[] = [];
  page.on('request', (q) => {
    if (new URL(q.url()).pathname === '/api/eventos' && q.method() === 'POST') posts.push(q.postDataJSON());
  });
  await page.getByRole('button', { name: 'Publicar evento' }).click();
  const resumen = page.getByTestId('confirmar-evento');
  await resumen.getByRole('heading', { name: 'Revisa antes de publicar' }).waitFor();
  const texto = await resumen.innerText();
  for (const t of [nombre, 'Teatro Segura', '2030', 'Platea', 'S/ 80.50', '60 entradas']) check(texto.includes(t), `el resumen dice ${t}: ${texto}`);
  check(!texto.includes('8,050'), 'nunca S/ 8,050.00');
  await sleep(300);
  check(posts.length === 0, 'nada se envía antes de confirmar');
  await shot(page, '08b-organizador-resumen');
  await resumen.getByRole('button', { name: 'Confirmar y publicar' }).click();
  await page.getByText('Evento publicado').waitFor();
  check(posts.length === 1 && posts[0].zonas[0].precio === 8050, `precio en céntimos: ${JSON.stringify(posts)}`);

  const ventas = page.locator('article.ventas', { hasText: nombre });
  await ventas.waitFor();
  check((await ventas.locator('tr[data-zona="Platea"]').innerText()).includes('S/ 80.50'), 'la zona publicada vale S/ 80.50');
  const id = await ventas.getAttribute('data-evento-id');
  check((await zonaApi({ id }, 'Platea')).precio === 8050, 'la API guarda 8050 céntimos');
  await page.goto(`${BASE}/eventos/${id}`);
  check((await zonaOpcion(page, 'Platea').innerText()).includes('S/ 80.50'), 'el comprador ve S/ 80.50');
});

test.describe(() => {
  test.use({ zonaHoraria: 'UTC' });

  test('un evento a las 21:00 de Lima se ve a las 21:00, con su zona, en un navegador en UTC', async ({ page, esperar, nuevaPagina }) => {
    esperar(422); // 02:30 on the night Madrid's clocks jump from 02:00 to 03:00
    const nombre = `Hora de Lima ${unico()}`;
    await organizadorEnPagina(page);
    const zonaDelNavegador = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    check(zonaDelNavegador === 'UTC', `el navegador está en UTC: ${zonaDelNavegador}`);
    const zona = page.getByLabel('Zona horaria');
    check((await zona.inputValue()) === 'America/Lima', `Lima por defecto: ${await zona.inputValue()}`);
    await page.getByLabel('Nombre del evento').fill(nombre);
    await page.getByLabel('Lugar').fill('Teatro Canout');
    await page.getByLabel('Zona 1', { exact: true }).fill('Platea');
    await page.getByLabel('Precio (S/)').fill('120');
    await page.getByLabel('Capacidad').fill('50');
    const posts: Json[] = [];
    page.on('request', (q) => {
      if (new URL(q.url()).pathname === '/api/eventos' && q.method() === 'POST') posts.push(q.postDataJSON());
    });

    // An hour that does not exist in the zone: the API's 422, at the date field.
    const fecha = page.getByLabel('Fecha y hora');
    await fecha.fill('2031-03-30T02:30');
    await zona.selectOption('Europe/Madrid');
    const rechazo = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/eventos' && r.request().method() === 'POST');
    await publicarConfirmando(page);
    check((await rechazo).status() === 422, `la API rechaza la hora inexistente: ${(await rechazo).status()}`);
    await eventually(async () => (await fecha.getAttribute('aria-invalid')) === 'true', 'el campo de la fecha marcado');
    const error = await page.locator(`[id="${await fecha.getAttribute('aria-describedby')}"]`).innerText();
    check(error.includes('no existe en Europe/Madrid'), `el mensaje junto a la fecha: ${error}`);
    check(posts[0]?.fecha === '2031-03-30T02:30' && posts[0]?.zona_horaria === 'Europe/Madrid', `enviada tal cual: ${JSON.stringify(posts[0])}`);

    // 21:00 in Lima, typed in a UTC browser: sent as typed, shown as typed, with its zone.
    await fecha.fill('2031-03-14T21:00');
    await zona.selectOption('America/Lima');
    await page.getByRole('button', { name: 'Publicar evento' }).click();
    const resumen = page.getByTestId('confirmar-evento');
    const enResumen = (await resumen.getByTestId('confirmar-fecha').innerText()).trim();
    check(enResumen === 'viernes, 14 de marzo de 2031, 21:00 (hora de Lima)', `el resumen: ${enResumen}`);
    const creado = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/eventos' && r.request().method() === 'POST');
    await resumen.getByRole('button', { name: 'Confirmar y publicar' }).click();
    const r = await creado;
    const ev = await r.json();
    check(r.status() === 201, `publicado: ${r.status()} ${JSON.stringify(ev)}`);
    check(posts[1]?.fecha === '2031-03-14T21:00' && posts[1]?.zona_horaria === 'America/Lima', `sin convertir a UTC: ${JSON.stringify(posts[1])}`);
    check(ev.fecha === '2031-03-14T21:00:00-05:00' && ev.zona_horaria === 'America/Lima', `la API: ${ev.fecha} ${ev.zona_horaria}`);

    const horaDeLima = async (donde: string, texto: string) => {
      check(texto.includes('14 de marzo de 2031, 21:00 (hora de Lima)'), `${donde}: 21:00 con su zona: ${texto}`);
      check(!texto.includes('02:00'), `${donde}: nunca la hora de UTC: ${texto}`);
    };
    const ventas = page.locator(`article.ventas[data-evento-id="${ev.id}"]`);
    await ventas.waitFor();
    await horaDeLima('el organizador', await ventas.locator('.evento-meta').innerText());
    await page.goto(`${BASE}/eventos/${ev.id}`);
    await page.getByRole('heading', { name: nombre }).waitFor();
    await horaDeLima('la página del evento', await page.locator('.evento-cabecera .evento-meta').innerText());
    await shot(page, '18-evento-hora-de-lima-en-utc');
    await page.goto(`${BASE}/`);
    const tarjeta = page.locator(`li[data-evento-id="${ev.id}"]`);
    await tarjeta.waitFor();
    await horaDeLima('la lista', await tarjeta.locator('.evento-meta').innerText());

    // A browser in Lima: the same 21:00, and no zone to say.
    const limena = await nuevaPagina('Lima', { timezoneId: 'America/Lima' });
    await limena.goto(`${BASE}/eventos/${ev.id}`);
    await limena.getByRole('heading', { name: nombre }).waitFor();
    const enLima = await limena.locator('.evento-cabecera .evento-meta').innerText();
    check(enLima.includes('viernes, 14 de marzo de 2031, 21:00') && !enLima.includes('(hora'), `en Lima, sin zona: ${enLima}`);
  });
});
