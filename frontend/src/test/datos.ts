import type { Evento, Organizador, Paso, Reserva, Usuario } from '../api/types';
import { json, problem, svg } from './fetch';
import type { Llamada, Respuesta, Ruta } from './fetch';

export const evento = {
  id: 'e1',
  nombre: 'Rock en el Parque',
  // As the API gives it: the venue's offset, and its zone.
  fecha: '2027-03-14T21:00:00-05:00',
  zona_horaria: 'America/Lima',
  lugar: 'Estadio Nacional',
  aforo_total: 12,
  entradas_disponibles: 7,
  zonas: [
    { nombre: 'Campo', precio: 8000, capacidad: 10, disponibles: 7, vendidas: 3 },
    { nombre: 'Platea', precio: 15000, capacidad: 2, disponibles: 0, vendidas: 2 },
  ],
  creado_en: '2026-11-01T00:00:00Z',
  max_por_comprador: 10,
  // Asserted: eventos' document gains this member (issue 28) while the UI follows it.
  transferencias_permitidas: true,
} as Evento;

export const ana: Usuario = {
  id: '11111111-1111-4111-8111-111111111111',
  tipo_documento: 'DNI',
  nro_documento: '45678912',
  nombre: 'Ana',
  apellido: 'Quispe',
  email: 'ana@example.com',
  historial_compras: [],
  creado_en: '2026-11-01T00:00:00Z',
  tiene_password: true,
};

/**
 * A buyer's `POST /api/sesiones` answer as the page gets it through the launcher's proxy:
 * without `token`, which went into an HttpOnly cookie.
 */
export function sesionDe(usuario: Usuario = ana) {
  return { expira_en: '2027-01-01T00:00:00Z', rol: 'comprador' as const, usuario };
}

export const org: Organizador = {
  id: 'o1',
  nombre: 'Producciones Andinas',
  email: 'org@example.com',
  creado_en: '2026-11-01T00:00:00Z',
};

/**
 * A browser that comes back with session cookies (a reload): the proxy's readable hint
 * cookie for each role given, and the `GET /api/sesiones/actual` route that answers as the
 * proxy would with the HttpOnly cookie (the organizer's for `X-Sesion: organizador`).
 */
export function conCookies({ comprador, organizador }: { comprador?: Usuario; organizador?: Organizador }) {
  if (comprador) document.cookie = 'eventflow_hay_sesion=1';
  if (organizador) document.cookie = 'eventflow_hay_sesion_organizador=1';
  return (l: Llamada): Respuesta => {
    const comoOrg = l.headers['x-sesion'] === 'organizador';
    const quien = comoOrg ? organizador : comprador;
    return quien
      ? json({ expira_en: '2027-01-01T00:00:00Z', rol: comoOrg ? 'organizador' : 'comprador', usuario: quien })
      : problem('sin-credencial', 401);
  };
}

export const pasosOk: Paso[] = [
  { handler: 'ValidadorDatos', resultado: 'ok', duracion_ms: 2 },
  { handler: 'ValidadorInventario', resultado: 'ok', duracion_ms: 1 },
  { handler: 'ProcesadorPago', resultado: 'ok', duracion_ms: 0 },
  { handler: 'ConfirmadorReserva', resultado: 'ok', duracion_ms: 1 },
];

/** A SAGA stopped at the payment: the stock step as `inventario` says, then the card declined. */
export function pasosPagoFallido(inventario: Paso['resultado'] = 'ok', msInventario = 1): Paso[] {
  return [
    { handler: 'ValidadorDatos', resultado: 'ok', duracion_ms: 1 },
    { handler: 'ValidadorInventario', resultado: inventario, duracion_ms: msInventario },
    { handler: 'ProcesadorPago', resultado: 'fallido', duracion_ms: 0 },
  ];
}

/**
 * A reservation as the API gives it. Its tickets, unless given: one per seat once it is
 * CONFIRMADA (or CANCELANDO), all ANULADA (`cancelada`) once CANCELADA, none before.
 */
export function reserva(extra: Partial<Reserva> = {}): Reserva {
  const r: Omit<Reserva, 'entradas'> & Partial<Pick<Reserva, 'entradas'>> = {
    id: 'r1',
    estado: 'CONFIRMADA',
    usuario_id: ana.id,
    evento_id: 'e1',
    zona: 'Campo',
    cantidad: 2,
    precio_unitario: 8000,
    total: 16000,
    pago: { id: 'pay_1', estado: 'APROBADO' },
    creada_en: '2026-11-24T20:00:00Z',
    actualizada_en: '2026-11-24T20:00:00Z',
    pasos: pasosOk,
    compensaciones: [],
    ...extra,
  };
  return { ...r, entradas: r.entradas ?? entradasDe(r.estado, r.cantidad, r.zona ?? undefined) };
}

/** Ticket codes as the API makes them: 10 characters of Crockford's base32. */
export const CODIGOS = ['7K2QX9M4TB', 'H3WZ8D1RPE', 'Q0N5VY6CJA', 'M8TF2K7GXS'];

/** The QR of every ticket code of CODIGOS, as `GET /api/entradas/{codigo}/qr.svg` answers. */
export function rutasQr(respuesta: Ruta = svg()): Record<string, Ruta> {
  return Object.fromEntries(CODIGOS.map((c) => [`GET /api/entradas/${c}/qr.svg`, respuesta]));
}

/** The tickets a reservation in `estado` of `cantidad` seats has. */
export function entradasDe(estado: Reserva['estado'], cantidad: number, zona?: string): Reserva['entradas'] {
  if (estado !== 'CONFIRMADA' && estado !== 'CANCELANDO' && estado !== 'CANCELADA') return [];
  return Array.from({ length: cantidad }, (_, i) => ({
    codigo: CODIGOS[i % CODIGOS.length],
    zona: zona ?? null,
    ...(estado === 'CANCELADA' ? { estado: 'ANULADA' as const, motivo: 'cancelada' as const } : { estado: 'VALIDA' as const }),
  }));
}
