// Plain-Spanish wording for the APIs' problem+json errors and the SAGA's vocabulary.
import type { Problem } from './types';
import { erroresEnPalabras } from './campos';
import { formatPrecio } from '../format';
import { entradas, retenidas, soloQuedan, teQuedanIntentos } from '../plural';

/** The slug of a problem type: `urn:eventflow:problem:agotado` → `agotado`. */
export function slug(problem: Pick<Problem, 'type'>): string {
  const t = problem.type ?? '';
  const i = t.lastIndexOf(':');
  return i >= 0 ? t.slice(i + 1) : t;
}

const SERVICIOS: Record<string, string> = {
  'usuarios-service': 'el servicio de usuarios',
  usuarios: 'el servicio de usuarios',
  'eventos-service': 'el servicio de eventos',
  eventos: 'el servicio de eventos',
  'reservas-pagos-service': 'el servicio de reservas',
  'notificaciones-service': 'el servicio de notificaciones',
  'pasarela-pagos': 'la pasarela de pagos',
  redis: 'el servicio de bloqueos',
  mongodb: 'la base de datos',
  simulada: 'un servicio (fallo simulado)',
};

export const SESION_CADUCADA = 'Tu sesión caducó; vuelve a iniciar sesión.';

/** A reservation that does not exist, is somebody else's, or whose secret is not its own: the API cannot tell them apart. */
export const RESERVA_NO_ENCONTRADA =
  'No encontramos esa reserva. Revisa que el enlace esté completo (con el código que va después de «?s=») o, si compraste con tu cuenta, inicia sesión.';

/** One sentence a buyer or organizer understands, for any problem the APIs return. */
export function mensajeError(p: Problem): string {
  // Rate limited (sign-in attempts): the wait comes from the Retry-After header.
  if (p.status === 429) {
    return typeof p.reintentar_en === 'number'
      ? `Demasiados intentos; espera ${p.reintentar_en} s.`
      : 'Demasiados intentos; espera un momento.';
  }
  switch (slug(p)) {
    case 'agotado': {
      // "Agotado" only when nothing is left: asking for 3 when 2 remain is not sold out.
      const disp = typeof p.disponibles === 'number' ? p.disponibles : undefined;
      const ret = typeof p.retenidas === 'number' ? p.retenidas : 0;
      let m =
        disp === undefined
          ? 'No quedan suficientes entradas en esta zona.'
          : disp <= 0
            ? 'Agotado: no queda ninguna entrada en esta zona.'
            : `No hay tantas entradas en esta zona. ${soloQuedan(disp)}.`;
      if (ret > 0) {
        m += ` Hay ${retenidas(ret)} por compras en curso, que podrían liberarse en unos minutos.`;
      }
      return m;
    }
    case 'pago-rechazado': {
      const motivo = typeof p.motivo === 'string' && p.motivo ? ` (${p.motivo})` : '';
      return `Pago rechazado${motivo}: no se te cobró nada. Prueba con otra tarjeta.`;
    }
    case 'compra-en-curso':
      return 'Ya tienes una compra en curso para este evento. Espera a que termine y vuelve a intentarlo.';
    case 'solicitud-en-curso':
      return 'Esta compra ya se está procesando. Espera su resultado antes de volver a intentarlo.';
    case 'idempotency-key-reutilizada':
      // The attempt's key went out with other data (the page starts a new attempt next).
      return 'Esta compra ya se había enviado con otros datos. No se compró nada nuevo: vuelve a intentarlo.';
    case 'servicio-no-disponible': {
      const quien = (p.dependencia && SERVICIOS[p.dependencia]) || 'un servicio';
      return `Servicio no disponible: ${quien} no responde. No se te cobró nada; inténtalo de nuevo en unos momentos.`;
    }
    case 'evento-finalizado':
      return 'El evento ya se realizó: ya no se puede reservar ni cancelar.';
    case 'reserva-fallida':
      return 'Esa reserva no se completó, así que no hay nada que cancelar.';
    case 'reserva-en-curso':
      return 'La reserva todavía se está procesando. Inténtalo de nuevo en unos segundos.';
    case 'reserva-modificada':
      return 'La reserva cambió mientras la procesábamos. Inténtalo de nuevo.';
    case 'retencion-vencida':
      return 'Tus entradas retenidas vencieron antes de confirmar. Vuelve a intentarlo.';
    case 'usuario-duplicado':
      return p.campo === 'email'
        ? 'Ya existe una cuenta con ese email. Inicia sesión o compra como invitado.'
        : 'Ya existe un comprador con ese documento.';
    case 'credenciales-invalidas':
      return 'Email o contraseña incorrectos.';
    case 'codigo-requerido':
      return 'Hoy hubo demasiados intentos fallidos de entrar en esta cuenta. Para entrar, pide un código: te lo enviamos a tu email.';
    case 'inicia-sesion':
      return 'Esa cuenta tiene contraseña: inicia sesión para comprar con ella.';
    case 'sesion-requerida':
      return 'Inicia sesión para continuar.';
    case 'sesion-invalida':
      return SESION_CADUCADA;
    case 'evento-duplicado':
      return 'Ya existe un evento con ese identificador.';
    case 'no-autorizado':
      return 'El token falta o no es válido: inicia sesión como organizador o revisa el token de administrador.';
    case 'prohibido':
      return 'No tienes permiso para hacer esto con la sesión actual.';
    case 'no-encontrado':
      return p.detail || 'No encontrado.';
    case 'validacion': {
      // Each field by its label: the API's paths ("pago.numero_tarjeta") are not for people.
      const errores = p.errors ?? [];
      return errores.length ? `Revisa los datos. ${erroresEnPalabras(errores)}.` : 'Revisa los datos ingresados.';
    }
    case 'red':
      return 'No se pudo conectar con el servidor. Revisa tu conexión e inténtalo de nuevo.';
    default:
      if (p.status >= 500) return 'Ocurrió un error en el servidor. Inténtalo de nuevo en unos momentos.';
      return p.detail || p.title || `Error inesperado (${p.status}).`;
  }
}

/**
 * A one-time code the API refused (422 on `codigo`): `mensaje` is the API's, `intentos`
 * its `intentos_restantes` (absent when the code was not tried, e.g. not 6 digits).
 */
export function mensajeCodigo(mensaje: string, intentos?: number): string {
  if (typeof intentos !== 'number') return `El código ${mensaje}.`;
  if (intentos <= 0) return 'El código no es correcto o caducó, y ya no admite más intentos: pide uno nuevo.';
  return `El código no es correcto. ${teQuedanIntentos(intentos)}.`;
}

/** A 429 of `POST /api/usuarios/codigo`: too many codes asked for, and how long to wait. */
export function mensajeDemasiadosCodigos(p: Problem): string {
  const espera = typeof p.reintentar_en === 'number' ? `Espera ${p.reintentar_en} s` : 'Espera un momento';
  return `Ya pediste varios códigos seguidos. ${espera} y vuelve a pedirlo.`;
}

/** A short title for a failed booking. */
export function tituloFallo(p: Problem): string {
  switch (slug(p)) {
    case 'agotado':
      // Never "Agotado" while a ticket is left (the buyer asked for more than remain).
      return p.disponibles === 0 ? 'Agotado' : 'No quedan suficientes entradas';
    case 'pago-rechazado':
      return 'Pago rechazado';
    case 'compra-en-curso':
      return 'Ya tienes una compra en curso';
    case 'servicio-no-disponible':
      return 'Servicio no disponible';
    case 'validacion':
      return 'Datos inválidos';
    case 'no-encontrado':
      return 'No encontrado';
    case 'sesion-invalida':
      return 'Tu sesión caducó';
    case 'sesion-requerida':
      return 'Inicia sesión';
    case 'prohibido':
      return 'No permitido';
    default:
      return 'No se pudo completar la reserva';
  }
}

const HANDLERS: Record<string, string> = {
  ValidadorDatos: 'Validación de datos',
  ValidadorInventario: 'Retención de entradas',
  ProcesadorPago: 'Pago',
  ConfirmadorReserva: 'Confirmación',
};

/** The SAGA handler's name in plain words. */
export function nombrePaso(handler: string): string {
  return HANDLERS[handler] ?? handler;
}

const RESULTADOS: Record<string, string> = {
  ok: 'correcto',
  fallido: 'falló',
  compensado: 'deshecho',
  // A step whose answer was lost: not a failure, it is being confirmed.
  incierto: 'pendiente de confirmar',
};

export function nombreResultado(resultado: string): string {
  return RESULTADOS[resultado] ?? resultado;
}

const ESTADOS: Record<string, string> = {
  EN_CURSO: 'En curso',
  CONFIRMADA: 'Confirmada',
  FALLIDA: 'Fallida',
  CANCELANDO: 'Cancelando',
  CANCELADA: 'Cancelada',
};

export function nombreEstado(estado: string): string {
  return ESTADOS[estado] ?? estado;
}

const ESTADOS_ENTRADA: Record<string, string> = { VALIDA: 'Válida', USADA: 'Usada', ANULADA: 'Anulada' };

const MOTIVOS_ANULACION: Record<string, string> = {
  cancelada: 'reserva cancelada',
  transferida: 'transferida a otra persona',
  devuelta: 'devuelta',
};

/** A ticket's state for its holder: "Válida", "Usada", "Anulada · reserva cancelada". */
export function nombreEstadoEntrada(estado: string, motivo?: string | null): string {
  const nombre = ESTADOS_ENTRADA[estado] ?? estado;
  const porque = motivo ? (MOTIVOS_ANULACION[motivo] ?? motivo) : undefined;
  return estado === 'ANULADA' && porque ? `${nombre} · ${porque}` : nombre;
}

const BITACORA: Record<string, string> = {
  ReservaIniciada: 'Reserva iniciada',
  LockAdquirido: 'Bloqueo de compra tomado',
  InventarioRetenido: 'Entradas retenidas',
  PagoAprobado: 'Pago aprobado',
  PagoRechazado: 'Pago rechazado',
  PagoReembolsado: 'Pago reembolsado',
  InventarioConfirmado: 'Entradas vendidas',
  HistorialActualizado: 'Historial del comprador actualizado',
  ReservaConfirmada: 'Reserva confirmada',
  // A step whose answer never came: not a failure, recovery finishes it.
  ResultadoIncierto: 'Resultado por confirmar',
  PasoFallido: 'Un paso falló',
  CompensacionEjecutada: 'Compensación ejecutada',
  CompensacionFallida: 'Compensación pendiente',
  ReservaFallida: 'Reserva fallida',
  CancelacionSolicitada: 'Cancelación solicitada',
  InventarioDevuelto: 'Entradas devueltas a la venta',
  ReservaCancelada: 'Reserva cancelada',
  RecuperacionIniciada: 'Recuperación automática iniciada',
};

export function nombreEventoBitacora(tipo: string): string {
  return BITACORA[tipo] ?? tipo;
}

/** A one-line summary of an audit-trail entry's data, in plain words. */
export function detalleBitacora(tipo: string, datos: Record<string, unknown>): string {
  const n = (k: string) => (typeof datos[k] === 'number' ? (datos[k] as number) : undefined);
  const s = (k: string) => (typeof datos[k] === 'string' ? (datos[k] as string) : undefined);
  switch (tipo) {
    case 'ReservaIniciada':
    case 'InventarioRetenido':
    case 'InventarioConfirmado':
    case 'InventarioDevuelto': {
      const c = n('cantidad');
      const z = s('zona');
      return [c !== undefined ? entradas(c) : '', z ? `zona ${z}` : ''].filter(Boolean).join(', ');
    }
    case 'PagoAprobado':
    case 'PagoReembolsado': {
      const monto = n('monto');
      const u4 = s('ultimos4');
      return [monto !== undefined ? formatPrecio(monto) : '', u4 ? `tarjeta •••• ${u4}` : '']
        .filter(Boolean)
        .join(', ');
    }
    case 'PagoRechazado':
      return s('motivo') ?? '';
    case 'ReservaConfirmada': {
      const t = n('total');
      return t !== undefined ? `total ${formatPrecio(t)}` : '';
    }
    case 'ReservaFallida':
    case 'ResultadoIncierto':
    case 'PasoFallido': {
      const paso = s('paso') ?? s('handler');
      return paso ? nombrePaso(paso) : '';
    }
    case 'CompensacionEjecutada':
      return s('accion') ?? '';
    default:
      return '';
  }
}
