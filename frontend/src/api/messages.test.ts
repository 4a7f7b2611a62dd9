import { describe, expect, it } from 'vitest';
import {
  detalleBitacora,
  nombreEventoBitacora,
  mensajeCodigo,
  mensajeDemasiadosCodigos,
  mensajeError,
  nombreEstado,
  nombrePaso,
  nombreResultado,
  slug,
  tituloFallo,
} from './messages';
import type { Problem } from './types';

const p = (s: string, status: number, extra: Partial<Problem> = {}): Problem => ({
  type: `urn:eventflow:problem:${s}`,
  title: 'Conflicto',
  status,
  detail: 'detalle del servidor',
  ...extra,
});

describe('mensajeError: problem+json in plain Spanish', () => {
  it('reads the slug from the URN', () => {
    expect(slug(p('agotado', 409))).toBe('agotado');
    expect(slug({ type: 'sin-urn' })).toBe('sin-urn');
  });

  it('agotado says how many are left and how many may come back', () => {
    const m = mensajeError(p('agotado', 409, { disponibles: 1, retenidas: 2 }));
    expect(m).toBe(
      'No hay tantas entradas en esta zona. Solo queda 1 entrada. Hay 2 entradas retenidas por compras en curso, que podrían liberarse en unos minutos.',
    );
    expect(mensajeError(p('agotado', 409, { disponibles: 2, retenidas: 1 }))).toBe(
      'No hay tantas entradas en esta zona. Solo quedan 2 entradas. Hay 1 entrada retenida por compras en curso, que podrían liberarse en unos minutos.',
    );
    expect(mensajeError(p('agotado', 409, { disponibles: 0, retenidas: 0 }))).toBe('Agotado: no queda ninguna entrada en esta zona.');
    expect(mensajeError(p('agotado', 409))).toBe('No quedan suficientes entradas en esta zona.');
  });

  it('never titles "Agotado" while a ticket is left', () => {
    expect(tituloFallo(p('agotado', 409, { disponibles: 0 }))).toBe('Agotado');
    expect(tituloFallo(p('agotado', 409, { disponibles: 1 }))).toBe('No quedan suficientes entradas');
    expect(tituloFallo(p('agotado', 409, { disponibles: 2 }))).toBe('No quedan suficientes entradas');
    expect(tituloFallo(p('agotado', 409))).toBe('No quedan suficientes entradas');
    expect(mensajeError(p('agotado', 409, { disponibles: 1 }))).not.toMatch(/agotado/i);
  });

  it('pago rechazado names the reason and that nothing was charged', () => {
    const m = mensajeError(p('pago-rechazado', 402, { motivo: 'fondos insuficientes' }));
    expect(m).toContain('Pago rechazado (fondos insuficientes)');
    expect(m).toContain('no se te cobró nada');
  });

  it('compra en curso tells the buyer to wait', () => {
    expect(mensajeError(p('compra-en-curso', 409))).toContain('Ya tienes una compra en curso');
  });

  it('servicio no disponible names the dependency in words', () => {
    const m = mensajeError(p('servicio-no-disponible', 503, { dependencia: 'pasarela-pagos' }));
    expect(m).toContain('Servicio no disponible');
    expect(m).toContain('la pasarela de pagos');
    expect(mensajeError(p('servicio-no-disponible', 503))).toContain('un servicio no responde');
  });

  it('covers the other slugs the APIs use', () => {
    expect(mensajeError(p('solicitud-en-curso', 409))).toContain('ya se está procesando');
    expect(mensajeError(p('idempotency-key-reutilizada', 422))).not.toContain('Idempotency');
    expect(mensajeError(p('evento-finalizado', 409))).toContain('ya se realizó');
    expect(mensajeError(p('reserva-fallida', 409))).toContain('no hay nada que cancelar');
    expect(mensajeError(p('usuario-duplicado', 409, { campo: 'email' }))).toContain('ese email');
    expect(mensajeError(p('usuario-duplicado', 409, { campo: 'nro_documento' }))).toContain('ese documento');
    expect(mensajeError(p('no-autorizado', 401))).toContain('token de administrador');
    expect(mensajeError(p('no-encontrado', 404, { detail: 'No existe el evento x' }))).toBe('No existe el evento x');
  });

  it('accounts and sessions: wrong credentials, no session, a dead session, too many attempts', () => {
    expect(mensajeError(p('credenciales-invalidas', 401))).toBe('Email o contraseña incorrectos.');
    expect(mensajeError(p('sesion-requerida', 401))).toBe('Inicia sesión para continuar.');
    expect(mensajeError(p('sesion-invalida', 401))).toBe('Tu sesión caducó; vuelve a iniciar sesión.');
    expect(mensajeError(p('demasiadas-solicitudes', 429, { reintentar_en: 30 }))).toBe('Demasiados intentos; espera 30 s.');
    expect(mensajeError({ type: 'about:blank', title: 'Too Many Requests', status: 429 })).toBe('Demasiados intentos; espera un momento.');
    expect(mensajeError(p('usuario-duplicado', 409, { campo: 'email' }))).toContain('Inicia sesión o compra como invitado');
  });

  it('validacion lists each field by its Spanish label, never by its API path', () => {
    const m = mensajeError(
      p('validacion', 422, { errors: [{ campo: 'email', mensaje: 'no es un email válido' }, { campo: 'nombre', mensaje: 'no puede estar vacío' }] }),
    );
    expect(m).toBe('Revisa los datos. Email: no es un email válido; Nombre: no puede estar vacío.');
    const pago = mensajeError(
      p('validacion', 422, {
        errors: [
          { campo: 'pago.numero_tarjeta', mensaje: 'no es un número de tarjeta válido' },
          { campo: 'pago.cvv', mensaje: 'debe tener 3 o 4 dígitos' },
          { campo: 'cantidad', mensaje: 'debe estar entre 1 y 10' },
        ],
      }),
    );
    expect(pago).toBe(
      'Revisa los datos. Número de tarjeta: no es un número de tarjeta válido; Código de seguridad (CVV): debe tener 3 o 4 dígitos; Cantidad: debe estar entre 1 y 10.',
    );
    expect(pago).not.toContain('pago.');
  });

  it('falls back to the detail, and hides server internals on 5xx', () => {
    expect(mensajeError(p('algo-nuevo', 409))).toBe('detalle del servidor');
    expect(mensajeError(p('error-interno', 500))).toContain('error en el servidor');
  });

  it('titles the failure of a booking', () => {
    expect(tituloFallo(p('agotado', 409, { disponibles: 0 }))).toBe('Agotado');
    expect(tituloFallo(p('pago-rechazado', 402))).toBe('Pago rechazado');
    expect(tituloFallo(p('compra-en-curso', 409))).toBe('Ya tienes una compra en curso');
    expect(tituloFallo(p('servicio-no-disponible', 503))).toBe('Servicio no disponible');
  });
});

describe('SAGA vocabulary', () => {
  it('names handlers, results and states in plain words', () => {
    expect(nombrePaso('ProcesadorPago')).toBe('Pago');
    expect(nombrePaso('ValidadorInventario')).toBe('Retención de entradas');
    expect(nombrePaso('Otro')).toBe('Otro');
    expect(nombreResultado('fallido')).toBe('falló');
    expect(nombreResultado('incierto')).toBe('pendiente de confirmar');
    expect(nombreEstado('CONFIRMADA')).toBe('Confirmada');
  });

  it('summarises audit-trail entries', () => {
    expect(detalleBitacora('InventarioRetenido', { zona: 'Campo', cantidad: 2 })).toBe('2 entradas, zona Campo');
    expect(detalleBitacora('PagoAprobado', { monto: 16000, ultimos4: '4242' })).toBe('S/ 160.00, tarjeta •••• 4242');
    expect(detalleBitacora('LockAdquirido', { clave: 'x' })).toBe('');
    expect(nombreEventoBitacora('ResultadoIncierto')).toBe('Resultado por confirmar');
    expect(detalleBitacora('ResultadoIncierto', { paso: 'ConfirmadorReserva', detalle: 'sin respuesta' })).toBe('Confirmación');
  });
});

describe('one-time codes', () => {
  it('a wrong code says the tries left; none left asks for a new one; an untried one keeps the API words', () => {
    expect(mensajeCodigo('no es correcto o caducó; pide uno nuevo', 4)).toBe('El código no es correcto. Te quedan 4 intentos.');
    expect(mensajeCodigo('no es correcto o caducó; pide uno nuevo', 1)).toBe('El código no es correcto. Te queda 1 intento.');
    expect(mensajeCodigo('no es correcto o caducó; pide uno nuevo', 0)).toBe(
      'El código no es correcto o caducó, y ya no admite más intentos: pide uno nuevo.',
    );
    expect(mensajeCodigo('debe tener 6 dígitos')).toBe('El código debe tener 6 dígitos.');
  });

  it('too many codes: the wait from Retry-After', () => {
    expect(mensajeDemasiadosCodigos(p('demasiados-intentos', 429, { reintentar_en: 40 }))).toBe(
      'Ya pediste varios códigos seguidos. Espera 40 s y vuelve a pedirlo.',
    );
    expect(mensajeDemasiadosCodigos(p('demasiados-intentos', 429))).toBe(
      'Ya pediste varios códigos seguidos. Espera un momento y vuelve a pedirlo.',
    );
  });
});
