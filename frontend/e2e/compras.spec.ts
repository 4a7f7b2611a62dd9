// Buying: declined cards, sold-out zones, double submits, Luhn errors, availability wording.
import { crearEvento, crearComprador, crearCuenta, reservarPorApi, zonaApi, reservasApi, unico, type Json } from './api';
import { BASE, test } from './fixtures';
import { check, eventually, shot, comoInvitado, entrar, reservasListadas, zonaOpcion, botonCompra, sleep } from './ui';

test('una tarjeta rechazada muestra el error de pago y la disponibilidad no cambia', async ({ page, esperar }) => {
  esperar(402);
  const ev = await crearEvento([{ nombre: 'General', precio: 5000, capacidad: 20 }]);
  const u = await crearComprador('Rosa');
  await page.goto(`${BASE}/eventos/${ev.id}`);
  await comoInvitado(page, u.email);
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
  check(texto.includes('No se te cobró nada.') && !texto.includes('no perdiste'), `lo deshecho, dicho a quien no tenía entradas: ${texto}`);
  // The failed reservation, read back: its steps, the payment failed, confirmation never ran.
  const paso = (h: string) => r.locator(`li[data-handler="${h}"]`);
  await paso('ProcesadorPago').waitFor();
  check((await paso('ProcesadorPago').innerText()).includes('falló'), 'el pago falló');
  check((await paso('ConfirmadorReserva').innerText()).includes('no se ejecutó'), 'la confirmación no se ejecutó');
  await eventually(async () => (await zonaOpcion(page, 'General').innerText()).includes('20 disponibles'), 'General sigue con 20');
  const z = await zonaApi(ev, 'General');
  check(z.disponibles === 20 && z.vendidas === 0, `API: ${JSON.stringify(z)}`);
  await shot(page, '04-pago-rechazado');
});

test('una zona agotada no se puede reservar', async ({ page, esperar }) => {
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
  await comoInvitado(page, u.email);
  await zonaOpcion(page, 'Palco').click();
  await page.getByLabel('Número de tarjeta').fill('4242424242424242');
  await reservarPorApi(otro, ev, 'Palco', 1);
  await page.getByRole('button', { name: 'Reservar' }).click();
  const r = page.getByTestId('resultado');
  await r.getByRole('heading', { name: 'Agotado' }).waitFor();
  const texto = await r.innerText();
  check(texto.includes('Agotado: no queda ninguna entrada en esta zona.'), `mensaje: ${texto}`);
  check(texto.includes('Falló el paso: Retención de entradas'), 'paso fallido');
  // After the refusal the page shows Palco sold out too, and nothing is bookable there.
  await eventually(async () => (await zonaOpcion(page, 'Palco').innerText()).includes('Agotado'), 'Palco agotada');
  check(await page.getByRole('button', { name: 'Reservar' }).isDisabled(), 'no se puede reservar una zona agotada');
  await shot(page, '05-zona-agotada');

  await page.goto(`${BASE}/`);
  const fila = page.locator(`li[data-evento-id="${ev.id}"] tr[data-zona="VIP"]`);
  check((await fila.innerText()).includes('Agotado'), 'la lista marca VIP agotada');
});

test('un doble clic, o un segundo envío tras la confirmación, no compra dos veces', async ({ page, respuestas }) => {
  const ev = await crearEvento([{ nombre: 'General', precio: 3000, capacidad: 20 }]);
  const cuenta = await crearCuenta('Doble');
  await page.goto(`${BASE}/eventos/${ev.id}`);
  await entrar(page, cuenta.usuario.email, cuenta.password);
  await page.getByTestId('comprador').waitFor();
  await page.getByLabel('Número de tarjeta').fill('4242424242424242');
  const claves: string[] = [];
  page.on('request', (q) => {
    if (new URL(q.url()).pathname === '/api/reservar') claves.push(q.headers()['idempotency-key']);
  });
  await botonCompra(page).dblclick();
  await page.getByRole('heading', { name: '¡Reserva confirmada!' }).waitFor();
  // The form is reset; the same button now starts another purchase, deliberately.
  check((await botonCompra(page).innerText()).trim() === 'Comprar más entradas', `el botón: ${await botonCompra(page).innerText()}`);
  check((await page.getByLabel('Número de tarjeta').inputValue()) === '', 'tarjeta vacía tras confirmar');
  // A second submit right after the confirmation, then a second click on the button.
  await page.evaluate(() => document.querySelector<HTMLFormElement>('form[aria-label="Pago y reserva"]')!.requestSubmit());
  await botonCompra(page).click();
  await page.evaluate(() => document.querySelector<HTMLFormElement>('form[aria-label="Pago y reserva"]')!.requestSubmit());
  await sleep(500);
  check((await reservasApi(cuenta)).length === 1, 'una sola reserva tras el doble clic y el segundo clic');
  check((await zonaApi(ev, 'General')).vendidas === 1, 'una sola entrada vendida');
  check(new Set(claves).size === 1, `una sola Idempotency-Key: ${JSON.stringify(claves)}`);
  check((await botonCompra(page).innerText()).trim() === 'Reservar' && (await botonCompra(page).isDisabled()), 'otra compra espera su tarjeta');
  await page.getByRole('heading', { name: '¡Reserva confirmada!' }).waitFor();

  // The next purchase is its own attempt: two submits in the same tick still buy once.
  await page.getByLabel('Número de tarjeta').fill('4242424242424242');
  await page.evaluate(() => {
    const f = document.querySelector<HTMLFormElement>('form[aria-label="Pago y reserva"]')!;
    f.requestSubmit();
    f.requestSubmit();
  });
  await eventually(async () => (await botonCompra(page).innerText()).trim() === 'Comprar más entradas', 'la segunda compra confirmada');
  const mias = await reservasApi(cuenta);
  check(mias.length === 2 && mias.every((r) => r.estado === 'CONFIRMADA'), `dos compras, una por intento: ${JSON.stringify(mias.map((r) => r.estado))}`);
  check(claves.length >= 2 && new Set(claves).size === 2, `una clave por intento: ${JSON.stringify(claves)}`);
  check(respuestas.filter((x) => new URL(x.url).pathname === '/api/reservar').every((x) => x.status === 201), 'sin 409 ni 422 de claves repetidas');

  // "Mis reservas" counts them too.
  await page.getByRole('link', { name: 'Mis reservas', exact: true }).click();
  check((await reservasListadas(page)).length === 2, 'Mis reservas muestra 2');
});

test('una tarjeta que no pasa Luhn marca el campo en español, sin rutas de la API', async ({ page, esperar }) => {
  esperar(422);
  const ev = await crearEvento([{ nombre: 'General', precio: 4000, capacidad: 10 }]);
  const u = await crearComprador('Lucia');
  await page.goto(`${BASE}/eventos/${ev.id}`);
  await comoInvitado(page, u.email);
  const tarjeta = page.getByLabel('Número de tarjeta');
  await tarjeta.fill('4242 4242 4242 4241');
  const respuesta = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/reservar');
  await page.getByRole('button', { name: 'Reservar' }).click();
  const r = await respuesta;
  check(r.status() === 422, `la API rechaza la tarjeta: ${r.status()}`);
  check((await r.json()).errors?.some((e: Json) => e.campo === 'pago.numero_tarjeta'), 'el error es de pago.numero_tarjeta');
  await eventually(async () => (await tarjeta.getAttribute('aria-invalid')) === 'true', 'el campo de la tarjeta marcado');
  const describe = await tarjeta.getAttribute('aria-describedby');
  const mensaje = await page.locator(`[id="${describe}"]`).innerText();
  check(mensaje === 'No es un número de tarjeta válido.', `mensaje junto al campo: ${mensaje}`);
  check(await tarjeta.evaluate((i) => document.activeElement === i), 'el foco vuelve a la tarjeta');
  const texto = await page.locator('body').innerText();
  check(!/pago\.\w/i.test(texto) && !texto.includes('numero_tarjeta'), `ninguna ruta de la API en pantalla: ${texto}`);
  check((await page.getByTestId('resultado').count()) === 0, 'nada más que el campo y su aviso');
  check((await zonaApi(ev, 'General')).vendidas === 0, 'nada vendido');
  await shot(page, '04b-tarjeta-invalida');
  await tarjeta.fill('4242424242424242');
  check((await tarjeta.getAttribute('aria-invalid')) === null, 'corregida, sin marca');
});

test('la disponibilidad concuerda en número: 2 disponibles, luego "Solo queda 1 entrada"', async ({ page }) => {
  const ev = await crearEvento([{ nombre: 'Palco', precio: 20000, capacidad: 2 }], `Palco Doble ${unico()}`);
  const u = await crearComprador('Pocas');
  await page.goto(`${BASE}/`);
  const tarjeta = page.locator(`li[data-evento-id="${ev.id}"]`);
  await tarjeta.waitFor();
  check((await tarjeta.locator('.tarjeta-evento-cabecera .etiqueta').innerText()).trim() === '2 disponibles', 'la lista: 2 disponibles');
  await tarjeta.getByRole('link', { name: 'Comprar entradas' }).click();
  await page.getByRole('heading', { name: ev.nombre }).waitFor();
  check((await zonaOpcion(page, 'Palco').locator('.zona-disponibles').innerText()).trim() === 'Solo quedan 2 entradas', 'Solo quedan 2 entradas');

  await comoInvitado(page, u.email);
  await page.getByLabel('Número de tarjeta').fill('4242424242424242');
  await page.getByRole('button', { name: 'Reservar' }).click();
  await page.getByRole('heading', { name: '¡Reserva confirmada!' }).waitFor();
  check((await page.getByTestId('resultado').innerText()).includes('1 entrada en Palco'), 'la confirmación en singular');
  const disp = zonaOpcion(page, 'Palco').locator('.zona-disponibles');
  await eventually(async () => (await disp.innerText()).trim() === 'Solo queda 1 entrada', 'Solo queda 1 entrada');
  check(!(await page.locator('main').innerText()).includes('Agotado'), 'nunca "Agotado" con 1 entrada');
  await shot(page, '05b-solo-queda-una');

  await page.getByRole('link', { name: 'Eventos', exact: true }).click();
  await eventually(
    async () => (await tarjeta.locator('.tarjeta-evento-cabecera .etiqueta').innerText()).trim() === '1 disponible',
    'la lista: 1 disponible',
  );
});
