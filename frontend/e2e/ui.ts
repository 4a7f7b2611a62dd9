// Assertions and page helpers shared by the e2e scenarios.
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SHOTS, TIMEOUT, log, sleep } from './comun';

export { sleep } from './comun';

// Deliberately not `asserts cond`: TypeScript would then narrow what a scenario counts
// (`posts.length === 0`) for the rest of it, though the page keeps adding to it.
export function check(cond: unknown, msg: string): void {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

export async function eventually<T>(fn: () => Promise<T>, what: string, timeout = TIMEOUT): Promise<T> {
  const deadline = Date.now() + timeout;
  let last: Error | undefined;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e as Error;
    }
    if (Date.now() > deadline) throw new Error(`timed out: ${what}${last ? ` (${last.message})` : ''}`);
    await sleep(150);
  }
}

export async function shot(page: Page, name: string) {
  // The sticky top bar would be painted mid-page in a full-page capture of a scrolled page.
  await page.evaluate(async () => {
    window.scrollTo(0, 0);
    await document.fonts?.ready;
  });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  log(`  screenshot ${path}`);
}

/**
 * The page's width fits the viewport: nothing scrolls sideways, neither the page nor a
 * box inside it (a table hidden behind its own scroll counts too).
 */
export async function sinDesbordeHorizontal(page: Page) {
  const { scroll, vista, cajas } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    vista: window.innerWidth,
    cajas: [...document.querySelectorAll('main *')]
      .filter((el) => el.scrollWidth > el.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(el).overflowX))
      .map((el) => `${el.tagName.toLowerCase()}.${el.className} (${el.scrollWidth}px > ${el.clientWidth}px)`),
  }));
  check(scroll <= vista, `la página desborda horizontalmente: ${scroll}px > ${vista}px`);
  check(cajas.length === 0, `cajas con desplazamiento lateral: ${cajas.join(', ')}`);
}

/** Chromium cuts a date-time input off when it is narrower than its own content. */
export async function campoFechaEntero(page: Page, etiqueta: string) {
  const { tiene, necesita } = await page.getByLabel(etiqueta).evaluate((i: HTMLInputElement) => {
    const copia = i.cloneNode() as HTMLInputElement;
    copia.removeAttribute('id');
    copia.value = i.value;
    Object.assign(copia.style, { width: 'auto', position: 'absolute', visibility: 'hidden', left: '0', top: '0' });
    document.body.appendChild(copia);
    const ancho = copia.getBoundingClientRect().width;
    copia.remove();
    return { tiene: i.getBoundingClientRect().width, necesita: ancho };
  });
  check(tiene >= necesita, `«${etiqueta}» cortado: ${tiene}px de ancho, su contenido necesita ${necesita}px`);
}

/** On the event page, buys as a guest with this email (a buyer without a password). */
export async function comoInvitado(page: Page, email: string) {
  await page.getByRole('button', { name: 'Comprar como invitado', exact: true }).click();
  await page.getByLabel('Tu email').fill(email);
  await page.getByRole('button', { name: 'Continuar como invitado', exact: true }).click();
  await page.getByTestId('comprador').getByText(email).waitFor();
}

/**
 * Fills and sends the sign-in form on the page (event page, Mis reservas or the account
 * page). Returns the token the API gave the page, read off the wire: the UI keeps it in
 * memory only, so this is the one way to reach it from outside.
 */
export async function entrar(page: Page, email: string, password: string): Promise<string> {
  const form = page.getByRole('form', { name: 'Iniciar sesión' });
  await form.getByLabel('Email', { exact: true }).fill(email);
  await form.getByLabel('Contraseña', { exact: true }).fill(password);
  const respuesta = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sesiones' && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Entrar', exact: true }).click();
  const r = await respuesta;
  check(r.status() === 201, `POST /api/sesiones: ${r.status()}`);
  return (await r.json()).token;
}

export const barra = (page: Page) => page.locator('header.barra');

/** The ids of the reservations "Mis reservas" shows, once it has loaded. */
export async function reservasListadas(page: Page) {
  // The heading is drawn with the loaded data, never before.
  await page.getByRole('heading', { name: 'Reservas', exact: true }).waitFor();
  return page.locator('li.reserva').evaluateAll((els) => els.map((e) => e.getAttribute('data-reserva-id')));
}

export const zonaOpcion = (page: Page, nombre: string) => page.locator(`label.zona-opcion[data-zona="${nombre}"]`);

/** "Publicar evento", then the summary's "Confirmar y publicar" (nothing is sent before). */
export async function publicarConfirmando(page: Page) {
  await page.getByRole('button', { name: 'Publicar evento' }).click();
  const resumen = page.getByTestId('confirmar-evento');
  await resumen.getByRole('heading', { name: 'Revisa antes de publicar' }).waitFor();
  await resumen.getByRole('button', { name: 'Confirmar y publicar' }).click();
  return resumen;
}

/** The booking form's main button, whatever it says ("Reservar", "Comprar más entradas"). */
export const botonCompra = (page: Page) => page.locator('form[aria-label="Pago y reserva"] .resumen button');

