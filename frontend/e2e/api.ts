// API helpers for the e2e scenarios, through the UI port's proxy like the browser.
//
// One-time codes: there is no real email. The code is a notification (tipo "codigo"),
// which the platform admin reads with GET /api/notificaciones?usuario_id=…&tipo=codigo.
//
// Buyers: nothing here looks a buyer up anonymously (GET /api/usuarios/… needs that
// buyer's session). A buyer made through the API is either a guest (no password: buys
// by email) or an account (password: signs in with POST /api/sesiones, and its usuario
// comes from that answer or from the 201 of POST /api/usuarios).
//
// Reservations are private: read with the buyer's session, or, for a guest, with the
// reservation's secret (the `secreto` of the booking's answer, sent as X-Reserva-Secreto;
// the link /reservas/{id}?s=<secreto>). Organizer accounts are made with the admin token
// (POST /api/organizadores) and sign in with POST /api/sesiones, rol "organizador".
import { randomUUID } from 'node:crypto';
import { BASE_ENV, TOKEN } from './comun';
import { check } from './ui';

/** The launcher's UI port, from the global setup (e2e/launcher.ts). */
export const BASE = process.env[BASE_ENV] ?? '';

// The API's JSON, loosely: the scenarios check the fields they read.
export type Json = any;
export type Cuenta = { usuario: Json; password: string; token: string };

export const unico = () => Math.random().toString(36).slice(2, 8);

export async function apiCall(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  if (!BASE) throw new Error(`${BASE_ENV} is not set: run the scenarios with \`npm run e2e\``);
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, body: json };
}

/** An event, published as the platform admin, or as the organizer whose session `token` is. */
export async function crearEvento(
  zonas: { nombre: string; precio: number; capacidad: number }[],
  nombre = `E2E ${unico()}`,
  token = TOKEN,
) {
  const fecha = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const r = await apiCall('POST', '/api/eventos', { nombre, fecha, lugar: 'Estadio E2E', zonas }, { authorization: `Bearer ${token}` });
  check(r.status === 201, `crear evento: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Json;
}

export const documento = () => String(10_000_000 + Math.floor(Math.random() * 89_999_999));
/** Long, random, and so never one of the common passwords the API refuses. */
export const nuevaPassword = () => `Pase-${unico()}-${unico()}-e2e`;

/**
 * Registers a buyer through POST /api/usuarios (with a password, an account; without, a
 * guest) and checks the 201 and its `tiene_password`. `que` names it in a failure.
 */
async function registrar(que: string, nombre: string, password?: string) {
  const email = `${nombre.toLowerCase()}.${unico()}@example.com`;
  const r = await apiCall('POST', '/api/usuarios', {
    tipo_documento: 'DNI',
    nro_documento: documento(),
    nombre,
    apellido: 'Prueba',
    email,
    ...(password === undefined ? {} : { password }),
  });
  check(r.status === 201, `${que}: ${r.status} ${JSON.stringify(r.body)}`);
  const conPassword = password !== undefined;
  const dice = conPassword ? 'una cuenta tiene contraseña' : 'un invitado no tiene contraseña';
  check(r.body.tiene_password === conPassword, `${dice}: ${JSON.stringify(r.body)}`);
  return { email, usuario: r.body as Json };
}

/** A guest: registered without a password, buys by email, cannot sign in. */
export async function crearComprador(nombre = 'Luis') {
  return (await registrar('crear comprador', nombre)).usuario;
}

/** An account: registered with a password and signed in. `{usuario, password, token}`. */
export async function crearCuenta(nombre = 'Luis'): Promise<Cuenta> {
  const password = nuevaPassword();
  const { email, usuario } = await registrar('crear cuenta', nombre, password);
  const s = await apiCall('POST', '/api/sesiones', { email, password });
  check(s.status === 201 && s.body.usuario?.id === usuario.id, `iniciar sesión: ${s.status} ${JSON.stringify(s.body)}`);
  return { usuario, password, token: s.body.token };
}

/** An organizer account, created by the platform admin. `{organizador, email, password}`. */
export async function crearOrganizador(nombre = 'Productora E2E') {
  const email = `org.${unico()}@example.com`;
  const password = nuevaPassword();
  const r = await apiCall('POST', '/api/organizadores', { nombre: `${nombre} ${unico()}`, email, password }, { authorization: `Bearer ${TOKEN}` });
  check(r.status === 201, `crear organizador: ${r.status} ${JSON.stringify(r.body)}`);
  return { organizador: r.body as Json, email, password };
}

/** An organizer's session token, signed in through the API (no Origin: the proxy hands the token over). */
export async function sesionOrganizadorApi(o: { email: string; password: string }): Promise<string> {
  const s = await apiCall('POST', '/api/sesiones', { email: o.email, password: o.password, rol: 'organizador' });
  check(s.status === 201 && typeof s.body.token === 'string', `sesión de organizador: ${s.status} ${JSON.stringify(s.body)}`);
  return s.body.token;
}

/**
 * Books through the API: an account (from crearCuenta) by usuario_id with its session,
 * a guest (from crearComprador) by email.
 */
export async function reservarPorApi(comprador: Json, evento: Json, zona: string, cantidad: number) {
  const cuenta = comprador.token !== undefined;
  const r = await apiCall(
    'POST',
    '/api/reservar',
    {
      ...(cuenta ? { usuario_id: comprador.usuario.id } : { email: comprador.email }),
      evento_id: evento.id,
      zona,
      cantidad,
      pago: { metodo: 'tarjeta', numero_tarjeta: '4242424242424242' },
    },
    { 'idempotency-key': randomUUID(), ...(cuenta ? { authorization: `Bearer ${comprador.token}` } : {}) },
  );
  check(r.status === 201, `reservar: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Json;
}

export async function zonaApi(evento: Json, nombre: string) {
  const r = await apiCall('GET', `/api/eventos/${evento.id}`);
  check(r.status === 200, `leer evento: ${r.status}`);
  return r.body.zonas.find((z: Json) => z.nombre === nombre) as Json;
}

/** A buyer's reservations as the API has them (with that buyer's session). */
export async function reservasApi(cuenta: Cuenta) {
  const r = await apiCall('GET', `/api/reservas?usuario_id=${cuenta.usuario.id}&limit=100`, undefined, {
    authorization: `Bearer ${cuenta.token}`,
  });
  check(r.status === 200, `GET /api/reservas: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.items as Json[];
}
