// Shapes of the EventFlow APIs. Every API shape here is an alias of a type generated from
// the service's committed OpenAPI document (src/api/generated/, written by `npm run gen:api`
// on install and before every build, typecheck and test), so a change of the API that the
// UI does not follow is a type error in `npm run typecheck` and `npm run build`.
//
// Hand-written, and marked so below, is only what the documents do not say: the
// problem+json body the UI reads (its extension members vary by endpoint) and the
// narrowing of a few members the documents type loosely.
import type { components as EventosApi } from './generated/eventos';
import type { components as NotificacionesApi } from './generated/notificaciones';
import type { components as ReservasApi } from './generated/reservas';
import type { components as UsuariosApi } from './generated/usuarios';

type EventosSchemas = EventosApi['schemas'];
type NotificacionesSchemas = NotificacionesApi['schemas'];
type ReservasSchemas = ReservasApi['schemas'];
type UsuariosSchemas = UsuariosApi['schemas'];

/**
 * `T` with some members narrowed to `U`'s. Each member of `U` must be one of `T`'s and fit
 * `T`'s type for it, so a renamed or retyped member in the API is still a type error.
 */
type Narrowed<T, U extends { [K in keyof U]: K extends keyof T ? T[K] : never }> = Omit<T, keyof U> & U;

// ---------------------------------------------------------------------------------------
// eventos-service
// ---------------------------------------------------------------------------------------

/** A zone of an event; `precio` in minor units (céntimos). */
export type Zona = EventosSchemas['Zona'];
/**
 * `fecha`: RFC 3339 with the venue's offset ("2031-03-14T21:00:00-05:00"), shown in
 * `zona_horaria` (the venue's IANA zone, src/fecha.ts). `organizador_id`: absent for events
 * created with the admin token.
 */
export type Evento = EventosSchemas['EventoRespuesta'];
export type PaginaEventos = EventosSchemas['PaginaEventos'];
export type NuevaZona = EventosSchemas['NuevaZona'];
/** Body of `POST /api/eventos`. */
export type NuevoEvento = EventosSchemas['CrearEvento'];
/** One broken invariant the reconciliation found. */
export type Discrepancia = EventosSchemas['Discrepancia'];
/** `GET /api/eventos/{id}/conciliacion`: sales ⇔ confirmations ⇔ payments. */
export type Informe = EventosSchemas['Informe'];

// ---------------------------------------------------------------------------------------
// usuarios-service
// ---------------------------------------------------------------------------------------

export type TipoDocumento = UsuariosSchemas['TipoDocumento'];
/** `tiene_password` false: a guest (registered without a password, buys by email). */
export type Usuario = UsuariosSchemas['Usuario'];
/**
 * Body of `POST /api/usuarios`; without `password`, a guest. Narrowed (UI): the document
 * types `tipo_documento` as a string and names the allowed values in prose only.
 */
export type NuevoUsuario = Narrowed<UsuariosSchemas['CrearUsuario'], { tipo_documento: TipoDocumento }>;
/** What a one-time code is for: set or reset the password, or confirm a new email. */
export type PropositoCodigo = UsuariosSchemas['Proposito'];
/** Answer of `POST /api/usuarios/codigo` (202): the same whether or not the email has an account. */
export type CodigoSolicitado = UsuariosSchemas['CodigoSolicitado'];
/** Body of `POST /api/usuarios/password`: the account's email, the 6-digit code, the new password. */
export type NuevaPassword = UsuariosSchemas['FijarPassword'];
/** Answer of `POST /api/usuarios/password` (200). Every earlier session of the account is closed. */
export type PasswordFijada = UsuariosSchemas['PasswordFijada'];
export type Rol = UsuariosSchemas['Rol'];
/** Body of `POST /api/sesiones`; `rol` defaults to comprador. */
export type Credenciales = UsuariosSchemas['IniciarSesion'];
/** An organizer account (created by the platform admin with `POST /api/organizadores`). */
export type Organizador = UsuariosSchemas['Organizador'];
/**
 * `POST /api/sesiones` (201) for a buyer. Narrowed (UI): the document types `usuario` as
 * a bare object ("the buyer or the organizer"); for `rol: "comprador"` it is a Usuario.
 */
export type SesionCreada = Narrowed<UsuariosSchemas['SesionCreada'], { usuario: Usuario }>;
/** `POST /api/sesiones` (201) with `rol: "organizador"`: `usuario` is an Organizador (see above). */
export type SesionOrganizadorCreada = Narrowed<
  UsuariosSchemas['SesionCreada'],
  { rol: Extract<Rol, 'organizador'>; usuario: Organizador }
>;
/** Whose session a request goes with (the proxy keeps one cookie for each). */
export type RolSesion = Rol;
/**
 * What the page gets from a sign-in through the launcher's UI proxy: the answer without
 * `token`, which the proxy keeps in an HttpOnly cookie (src/ui/sesion.rs of the launcher).
 */
export type SesionIniciada = Omit<SesionCreada, 'token'>;
export type SesionOrganizadorIniciada = Omit<SesionOrganizadorCreada, 'token'>;
/** `GET /api/sesiones/actual`: `usuario` is a Usuario for a buyer, an Organizador for an organizer. */
export type SesionActual =
  | Narrowed<UsuariosSchemas['SesionActual'], { rol: Extract<Rol, 'comprador'>; usuario: Usuario }>
  | Narrowed<UsuariosSchemas['SesionActual'], { rol: Extract<Rol, 'organizador'>; usuario: Organizador }>;

// ---------------------------------------------------------------------------------------
// reservas-pagos-service
// ---------------------------------------------------------------------------------------

export type EstadoReserva = ReservasSchemas['Estado'];
/** One step of the saga; `resultado` is `ok`, `fallido` or `compensado`. */
export type Paso = ReservasSchemas['PasoEjecutado'];
export type Compensacion = ReservasSchemas['Compensacion'];
/**
 * A reservation. `secreto` only in the answer of `POST /api/reservar` (201/202), once:
 * what opens it without a session (`X-Reserva-Secreto`, or the link `/reservas/{id}?s=`).
 */
export type Reserva = ReservasSchemas['ReservaRespuesta'];
export type PaginaReservas = ReservasSchemas['PaginaReservas'];
/**
 * A ticket of a CONFIRMADA reservation (one per seat): `codigo` is what the door reads, 10
 * characters of Crockford's base32. An `ANULADA` one says why in `motivo`.
 */
export type Entrada = ReservasSchemas['Entrada'];
export type EstadoEntrada = ReservasSchemas['EstadoEntrada'];
export type MotivoAnulacion = ReservasSchemas['MotivoAnulacion'];
/** Body of `POST /api/reservar`: the buyer is `usuario_id` (signed in) or `email` (a guest). */
export type SolicitudReserva = ReservasSchemas['SolicitudReserva'];
export type EventoBitacora = ReservasSchemas['EventoReserva'];
export type Bitacora = ReservasSchemas['Bitacora'];

// ---------------------------------------------------------------------------------------
// notificaciones-service
// ---------------------------------------------------------------------------------------

/** `enlace` of `reserva-confirmada`: the reservation's page in this UI, `/reservas/{id}?s=<secreto>`. */
export type Notificacion = NotificacionesSchemas['Notificacion'];
export type PaginaNotificaciones = NotificacionesSchemas['PaginaNotificaciones'];

// ---------------------------------------------------------------------------------------
// problem+json (every service)
// ---------------------------------------------------------------------------------------

export type FieldError = EventosSchemas['FieldError'];

/** The members of an RFC 9457 problem that every service's document declares. */
type ProblemaDocumentado = EventosSchemas['Problem'];

/**
 * An RFC 9457 problem+json body, with EventFlow's extension members. Hand-written (UI):
 * the documents declare only the common members (taken from them here); the extension
 * members depend on the endpoint and the failure, and are listed in prose. `detail` is
 * optional because the UI builds problems of its own (network failure, a form's check).
 */
export interface Problem {
  type: ProblemaDocumentado['type'];
  title: ProblemaDocumentado['title'];
  status: ProblemaDocumentado['status'];
  detail?: ProblemaDocumentado['detail'];
  errors?: ProblemaDocumentado['errors'];
  reserva_id?: string;
  /** With `reserva_id` when the failed reservation was kept: what opens it without a session. */
  secreto?: string;
  paso?: string;
  compensaciones?: Compensacion[];
  disponibles?: number;
  retenidas?: number;
  motivo?: string;
  dependencia?: string;
  campo?: string;
  /** With a 422 on `codigo`: wrong tries the code still takes (0: ask for a new one). */
  intentos_restantes?: number;
  /** Seconds from the `Retry-After` header of a 429 (not part of the body). */
  reintentar_en?: number;
  [extra: string]: unknown;
}

// ---------------------------------------------------------------------------------------
// Tickets and the door (issue 28)
// ---------------------------------------------------------------------------------------

/** `GET /api/entradas/{codigo}`: a ticket, for its owner, with the payload its QR encodes. */
export type EntradaRespuesta = ReservasSchemas['EntradaRespuesta'];
/** `POST /api/eventos/{id}/ingresos` (200): admitted. */
export type Admision = EventosSchemas['Admision'];
/** Body of `POST /api/eventos/{id}/ingresos`: the QR's payload or a typed code. */
export type PedidoIngreso = EventosSchemas['PedidoIngreso'] & {
  /** Hand-written (UI): the scan's own id, so a retried scan is the same scan. */
  nonce?: string;
};

// Hand-written (UI), until the routes below are in their service's OpenAPI document; then
// each becomes an alias of its generated schema (src/api/rutas.ts checks those that are).

/** `POST /api/entradas/{codigo}/cancelar` (200): one ticket given back. */
export interface EntradaCancelada {
  reserva_id: string;
  entrada: Entrada;
  /** Minor units refunded for this ticket. */
  reembolsado: number;
  /** The reservation's tickets that still get in. */
  entradas_validas: number;
}

/** `POST /api/entradas/{codigo}/transferir` (201): the old ticket annulled, a new one for `email`. */
export interface EntradaTransferida {
  anterior: Entrada;
  entrada: Entrada;
  /** The new holder's link (`/entradas/{codigo}?s=…`), also mailed to them. */
  enlace: string;
}

/** `POST /api/reservas/reenviar` (202): the same answer whether or not the email bought. */
export interface ReenvioSolicitado {
  mensaje: string;
}

/** A public key of an event's QR signatures (Ed25519, 32 bytes base64url). */
export type ClaveIngreso = EventosSchemas['ClavePublica'];
/** `GET /api/eventos/{id}/ingresos/lista[?desde=version]`: what a scanner needs offline. */
export type ListaIngresos = EventosSchemas['ListaIngresos'];
/** One scan made without network, for `POST /api/eventos/{id}/ingresos/lote`. */
export type EscaneoLote = EventosSchemas['EscaneoOffline'];
/** `POST /api/eventos/{id}/ingresos/lote`: what the queue came to (`forzados`: let in twice, or after an annulment). */
export type ResultadoLote = EventosSchemas['ResultadoLote'];
/** `GET /api/eventos/{id}/ingresos/conflictos`: every ticket let in more than once. */
export type Conflictos = EventosSchemas['Conflictos'];

/** A door account (role `staff`) of the signed-in organizer. */
export interface Staff {
  id: string;
  email: string;
  nombre: string;
  creado_en?: string;
}

/** Body of `POST /api/staff`. */
export interface NuevoStaff {
  email: string;
  nombre: string;
  password: string;
}
