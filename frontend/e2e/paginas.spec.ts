// Every page on a 375 px phone, and the not-found page.
import { crearEvento, crearCuenta, crearOrganizador, reservarPorApi, sesionOrganizadorApi } from './api';
import { BASE, test } from './fixtures';
import { check, eventually, shot, sinDesbordeHorizontal, campoFechaEntero, entrar, entrarComoOrganizador } from './ui';

test.describe(() => {
  test.use({ ancho: 375, alto: 740 });

  test('a 375 px cada página cabe sin desbordar', async ({ page }) => {
    // The organizer's own event: its page lists only those.
    const org = await crearOrganizador('Movil');
    const ev = await crearEvento(
      [
        { nombre: 'Campo', precio: 8000, capacidad: 10 },
        { nombre: 'Platea VIP preferencial', precio: 1250000, capacidad: 1 },
      ],
      undefined,
      await sesionOrganizadorApi(org),
    );
    const u = await crearCuenta('Movil');
    const r = await reservarPorApi(u, ev, 'Platea VIP preferencial', 1);
    await reservarPorApi(u, ev, 'Campo', 2);
    for (const [ruta, nombre, listo] of [
      ['/', '09-movil-eventos', () => page.locator(`li[data-evento-id="${ev.id}"]`).waitFor()],
      ['/eventos', '09b-movil-eventos', () => page.locator(`li[data-evento-id="${ev.id}"]`).waitFor()],
      [`/eventos/${ev.id}`, '10-movil-evento', () => page.getByRole('heading', { name: ev.nombre }).waitFor()],
      ['/crear-cuenta', '11a-movil-crear-cuenta', () => page.getByRole('form', { name: 'Crear cuenta' }).waitFor()],
      ['/iniciar-sesion', '11b-movil-iniciar-sesion', () => page.getByRole('form', { name: 'Iniciar sesión' }).waitFor()],
      // Not signed in yet: sign in on the page itself (the session then survives the
      // navigations that follow).
      ['/mis-reservas', '11-movil-mis-reservas', async () => {
        await entrar(page, u.usuario.email, u.password);
        await page.locator('li.reserva').first().waitFor();
      }],
      ['/organizador', '12-movil-organizador', async () => {
        await entrarComoOrganizador(page, org.email, org.password);
        await page.locator(`article.ventas[data-evento-id="${ev.id}"]`).waitFor();
        await page.getByLabel('Fecha y hora').fill('2030-05-01T20:30');
      }],
      [`/reservas/${r.id}?s=${r.secreto}`, '12b-movil-reserva', () => page.getByRole('list', { name: 'Historial de la reserva' }).waitFor()],
    ] as [string, string, () => Promise<unknown>][]) {
      await page.goto(`${BASE}${ruta}`);
      await listo();
      await sinDesbordeHorizontal(page);
      await shot(page, nombre);

      if (ruta === '/mis-reservas') {
        // Notifications: a tab of their own, not far below the reservations.
        const pestanas = page.getByRole('tablist', { name: 'Reservas y notificaciones' });
        const avisos = pestanas.getByRole('tab', { name: /^Notificaciones/ });
        check(await page.locator('li.reserva').first().isVisible(), 'la pestaña Reservas, abierta');
        await avisos.click();
        check((await avisos.getAttribute('aria-selected')) === 'true', 'pestaña Notificaciones elegida');
        check(!(await page.locator('li.reserva').first().isVisible()), 'las reservas quedan en su pestaña');
        await eventually(async () => {
          if (await page.locator('.notificacion-reserva-confirmada').first().isVisible()) return true;
          await page.getByRole('button', { name: 'Actualizar' }).click();
          return false;
        }, 'la notificación de la reserva, en su pestaña');
        await sinDesbordeHorizontal(page);
        await shot(page, '11c-movil-notificaciones');
      }
      if (ruta === '/organizador') {
        // The sales table: stacked rows with every figure in sight, no hidden columns.
        await campoFechaEntero(page, 'Fecha y hora');
        const fila = page.locator(`article.ventas[data-evento-id="${ev.id}"] tr[data-zona="Campo"]`);
        check((await fila.evaluate((tr) => getComputedStyle(tr).display)) === 'grid', 'filas apiladas a 375 px');
        for (const c of ['.vendidas', '.disponibles', '.capacidad']) check(await fila.locator(c).isVisible(), `${c} a la vista`);
        check((await fila.locator('.vendidas').innerText()).trim() === '2', `vendidas: ${await fila.innerText()}`);
        check((await fila.innerText()).includes('S/ 160.00'), `recaudado a la vista: ${await fila.innerText()}`);
      }
    }
  });
});

test('una ruta desconocida muestra la página de no encontrada', async ({ page }) => {
  const r = await page.goto(`${BASE}/no/existe`);
  check(r?.status() === 200, 'index.html para rutas del cliente');
  await page.getByRole('heading', { name: 'Página no encontrada' }).waitFor();
});
