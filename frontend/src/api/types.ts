// Shapes of the EventFlow APIs, as documented in each service's OpenAPI document.

export interface Zona {
  nombre: string;
  /** Minor units (céntimos). */
  precio: number;
  capacidad: number;
  disponibles: number;
  vendidas: number;
}

export interface Evento {
  id: string;
  nombre: string;
  /** RFC 3339 with the venue's offset: "2031-03-14T21:00:00-05:00". Shown in `zona_horaria` (src/fecha.ts). */
  fecha: string;
  /** The venue's IANA time zone: "America/Lima". */
  zona_horaria: string;
  lugar: string;
  aforo_total: number;
  entradas_disponibles: number;
  zonas: Zona[];
  creado_en: string;
  /** The organizer account that published it; absent for events created with the admin token. */
  organizador_id?: string | null;
}

export interface Pagina<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type TipoDocumento = 'DNI' | 'CE' | 'PASAPORTE' | 'RUC';

export interface Usuario {
  id: string;
  tipo_documento: TipoDocumento;
  nro_documento: string;
  nombre: string;
  apellido: string;
  email: string;
  historial_compras: string[];
  creado_en: string;
  /** False for a guest: registered without a password, buys by email, cannot sign in. */
  tiene_password: boolean;
}

export interface NuevoUsuario {
  tipo_documento: TipoDocumento;
  nro_documento: string;
  nombre: string;
  apellido: string;
  email: string;
  /** 10 to 128 characters, not a common one. Absent: a guest (buys by email, no sign-in). */
  password?: string;
}

/** What a one-time code is for: set or reset the password, or confirm a new email. */
export type PropositoCodigo = 'password' | 'email';

/** Answer of `POST /api/usuarios/codigo` (202): the same whether or not the email has an account. */
export interface CodigoSolicitado {
  mensaje: string;
  vigencia_minutos: number;
}

/** Body of `POST /api/usuarios/password`: the account's email, the 6-digit code, the new password. */
export interface NuevaPassword {
  email: string;
  codigo: string;
  password: string;
}

/** Answer of `POST /api/usuarios/password` (200). Every earlier session of the account is closed. */
export interface PasswordFijada {
  mensaje: string;
}

export type Rol = 'comprador' | 'organizador';

/** Body of `POST /api/sesiones`; `rol` defaults to comprador. */
export interface Credenciales {
  email: string;
  password: string;
  rol?: Rol;
}

/** `POST /api/sesiones` (201) for a buyer. An organizer's `usuario` is only {id, nombre, email, creado_en}. */
export interface SesionCreada {
  token: string;
  /** RFC 3339. */
  expira_en: string;
  rol: Rol;
  usuario: Usuario;
}

/** An organizer account (created by the platform admin with `POST /api/organizadores`). */
export interface Organizador {
  id: string;
  nombre: string;
  email: string;
  creado_en: string;
}

/** `POST /api/sesiones` (201) with `rol: "organizador"`. */
export interface SesionOrganizadorCreada {
  token: string;
  /** RFC 3339. */
  expira_en: string;
  rol: 'organizador';
  usuario: Organizador;
}

export interface NuevaZona {
  nombre: string;
  precio: number;
  capacidad: number;
}

export interface NuevoEvento {
  nombre: string;
  /**
   * RFC 3339 with an offset, or a local date-time without one ("2031-03-14T21:00", as a
   * datetime-local input gives it) or a date alone, read in `zona_horaria`.
   */
  fecha: string;
  /** IANA name; the API reads the event in America/Lima when absent. */
  zona_horaria?: string;
  lugar: string;
  zonas: NuevaZona[];
}

export type EstadoReserva = 'EN_CURSO' | 'CONFIRMADA' | 'FALLIDA' | 'CANCELANDO' | 'CANCELADA';

export interface Paso {
  handler: string;
  /** `ok`, `fallido` or `compensado`. */
  resultado: string;
  duracion_ms: number;
}

export interface Compensacion {
  handler: string;
  accion: string;
}

export interface Reserva {
  id: string;
  estado: EstadoReserva;
  usuario_id: string | null;
  evento_id: string;
  zona: string | null;
  cantidad: number;
  precio_unitario: number | null;
  total: number | null;
  pago: { id: string; estado: string } | null;
  creada_en: string;
  actualizada_en: string;
  pasos: Paso[];
  fallo?: { paso: string; status: number; tipo: string; detalle: string };
  compensaciones: Compensacion[];
  /**
   * Only in the answer of `POST /api/reservar` (201/202), once: what opens this
   * reservation without a session (`X-Reserva-Secreto`, or the link `/reservas/{id}?s=`).
   */
  secreto?: string;
}

/** The buyer is `usuario_id` (signed in) or `email` (a guest: a buyer without a password). */
export interface SolicitudReserva {
  usuario_id?: string;
  email?: string;
  evento_id: string;
  zona: string;
  cantidad: number;
  pago: { metodo: 'tarjeta'; numero_tarjeta: string; titular?: string };
}

export interface EventoBitacora {
  seq: number;
  tipo: string;
  datos: Record<string, unknown>;
  en: string;
}

export interface Bitacora {
  reserva_id: string;
  eventos: EventoBitacora[];
}

export interface Notificacion {
  id: string;
  tipo: string;
  usuario_id: string | null;
  evento_id: string | null;
  reserva_id: string | null;
  titulo: string;
  mensaje: string;
  correlation_id: string;
  creada_en: string;
  /** `reserva-confirmada`: the reservation's page in this UI, `/reservas/{id}?s=<secreto>`. */
  enlace?: string | null;
}

export interface FieldError {
  campo: string;
  mensaje: string;
}

/** One broken invariant the reconciliation found. */
export interface Discrepancia {
  tipo: string;
  reserva_id: string;
  detalle: string;
  reparada: boolean;
}

/** `GET /api/eventos/{id}/conciliacion`: sales ⇔ confirmations ⇔ payments. */
export interface Informe {
  evento_id: string;
  revisado_en: string;
  vendidas: number;
  confirmadas: number;
  reservas: Record<string, number>;
  pagos: Record<string, number>;
  en_curso: number;
  discrepancias: Discrepancia[];
  /** Not repaired: what a person must look at. */
  pendientes: number;
}

/** An RFC 9457 problem+json body, with EventFlow's extension members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
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
