// Assertions and page helpers shared by the e2e scenarios.
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
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
 * page), and checks what the launcher's proxy did with the session: the page's answer
 * carries no token, and the browser now holds it in an HttpOnly, SameSite=Strict cookie.
 * Returns that token, read from the browser's cookie jar (no script of the page can).
 */
export async function entrar(page: Page, email: string, password: string): Promise<string> {
  const form = page.getByRole('form', { name: 'Iniciar sesión' });
  await form.getByLabel('Email', { exact: true }).fill(email);
  await form.getByLabel('Contraseña', { exact: true }).fill(password);
  const respuesta = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sesiones' && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Entrar', exact: true }).click();
  const r = await respuesta;
  check(r.status() === 201, `POST /api/sesiones: ${r.status()}`);
  const cuerpo = await r.json();
  check(cuerpo.token === undefined && cuerpo.usuario?.email === email, `la página no recibe el token: ${JSON.stringify(cuerpo)}`);
  return cookieDeSesion(page, 'eventflow_sesion');
}

/**
 * The session cookie `nombre` of the page's browser, checked: HttpOnly, SameSite=Strict,
 * Path=/, and it outlives the page (it has an expiry). Returns its value (the token).
 */
export async function cookieDeSesion(page: Page, nombre: string): Promise<string> {
  const c = (await page.context().cookies()).find((x) => x.name === nombre);
  check(c !== undefined, `la cookie ${nombre} está puesta`);
  check(c!.httpOnly && c!.sameSite === 'Strict' && c!.path === '/', `${nombre}: ${JSON.stringify({ ...c, value: '…' })}`);
  check(c!.expires > Date.now() / 1000 + 3600, `${nombre} dura lo que la sesión: ${c!.expires}`);
  check(c!.value.startsWith('efs_'), `${nombre} guarda el token de la sesión`);
  return c!.value;
}

/** No script of the page can read `token`: not in storage, not in document.cookie. */
export async function tokenInvisible(page: Page, token: string, que: string) {
  const visible = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie);
  check(!visible.includes(token), `${que}: el token no está al alcance de los scripts`);
}

/** axe-core finds no WCAG 2.1 A/AA violation on the page as it is now. */
export async function sinViolacionesWcag(page: Page, que: string) {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const lista = r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  check(lista.length === 0, `${que}: axe WCAG 2.1 AA:\n  ${lista.join('\n  ')}`);
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


/**
 * On the organizer page, signs in with the organizer form as `email` (an organizer
 * account: never the platform admin's token, which the UI does not take), and checks the
 * proxy kept the token in the organizer's own HttpOnly cookie. Returns the token.
 */
export async function entrarComoOrganizador(page: Page, email: string, password: string): Promise<string> {
  const form = page.getByRole('form', { name: 'Iniciar sesión como organizador' });
  await form.getByLabel('Email de organizador').fill(email);
  await form.getByLabel('Contraseña de organizador').fill(password);
  const sesion = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sesiones' && r.request().method() === 'POST');
  await form.getByRole('button', { name: 'Entrar como organizador' }).click();
  const s = await sesion;
  check(s.status() === 201, `POST /api/sesiones: ${s.status()}`);
  check(s.request().postDataJSON().rol === 'organizador', 'rol organizador');
  const cuerpo = await s.json();
  check(cuerpo.token === undefined && cuerpo.rol === 'organizador', `la página no recibe el token: ${JSON.stringify(cuerpo)}`);
  await page.getByTestId('sesion-organizador').waitFor();
  return cookieDeSesion(page, 'eventflow_sesion_organizador');
}
