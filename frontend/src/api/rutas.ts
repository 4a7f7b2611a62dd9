// Type-level checks, nothing at run time (nothing imports this file; `tsc` checks it): each
// endpoint src/api/client.ts calls still exists in its service's OpenAPI document, with
// the method, success status and JSON bodies that the client's types (src/api/types.ts)
// say. A path, method, status or body schema changed in a document is then a type error
// in `npm run typecheck` / `npm run build`, which regenerate the types first.
import type { paths as Eventos } from './generated/eventos';
import type { paths as Notificaciones } from './generated/notificaciones';
import type { paths as Reservas } from './generated/reservas';
import type { paths as Usuarios } from './generated/usuarios';
import type {
  Admision,
  Bitacora,
  Conflictos,
  EntradaRespuesta,
  ListaIngresos,
  ResultadoLote,
  CodigoSolicitado,
  Credenciales,
  Evento,
  Informe,
  NuevaPassword,
  NuevoEvento,
  NuevoUsuario,
  PaginaEventos,
  PaginaNotificaciones,
  PaginaReservas,
  PasswordFijada,
  PropositoCodigo,
  Reserva,
  SesionCreada,
  SesionOrganizadorCreada,
  SolicitudReserva,
  Usuario,
} from './types';

/** The JSON body of a response or request body object of the generated `paths`. */
type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Ok<Op, S extends number> = Op extends { responses: { [K in S]: infer R } } ? Json<R> : never;
type Cuerpo<Op> = Op extends { requestBody: infer B } ? Json<B> : Op extends { requestBody?: infer B } ? Json<B> : never;

type Igual<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** `A` fits where the document expects `B` (the UI's type is a narrowing of the API's). */
type Cabe<A, B> = [A] extends [B] ? true : false;
type Cierto<T extends true> = T;

export type ContratoUsuarios = [
  Cierto<Cabe<NuevoUsuario, Cuerpo<Usuarios['/api/usuarios']['post']>>>,
  Cierto<Igual<Ok<Usuarios['/api/usuarios']['post'], 201>, Usuario>>,
  Cierto<Cabe<{ email: string; proposito: PropositoCodigo }, Cuerpo<Usuarios['/api/usuarios/codigo']['post']>>>,
  Cierto<Igual<Ok<Usuarios['/api/usuarios/codigo']['post'], 202>, CodigoSolicitado>>,
  Cierto<Igual<Cuerpo<Usuarios['/api/usuarios/password']['post']>, NuevaPassword>>,
  Cierto<Igual<Ok<Usuarios['/api/usuarios/password']['post'], 200>, PasswordFijada>>,
  Cierto<Igual<Cuerpo<Usuarios['/api/sesiones']['post']>, Credenciales>>,
  Cierto<Cabe<SesionCreada, Ok<Usuarios['/api/sesiones']['post'], 201>>>,
  Cierto<Cabe<SesionOrganizadorCreada, Ok<Usuarios['/api/sesiones']['post'], 201>>>,
  Cierto<Cabe<Usuarios['/api/sesiones/actual']['delete']['responses'][204], { content?: never }>>,
];

export type ContratoEventos = [
  Cierto<Igual<Ok<Eventos['/api/eventos']['get'], 200>, PaginaEventos>>,
  Cierto<Igual<Cuerpo<Eventos['/api/eventos']['post']>, NuevoEvento>>,
  Cierto<Igual<Ok<Eventos['/api/eventos']['post'], 201>, Evento>>,
  Cierto<Igual<Ok<Eventos['/api/eventos/{id}']['get'], 200>, Evento>>,
  Cierto<Igual<Ok<Eventos['/api/eventos/{id}/conciliacion']['get'], 200>, Informe>>,
  Cierto<Igual<Ok<Eventos['/api/eventos/{id}/ingresos']['post'], 200>, Admision>>,
  Cierto<Igual<Ok<Eventos['/api/eventos/{id}/ingresos/lista']['get'], 200>, ListaIngresos>>,
  Cierto<Igual<Ok<Eventos['/api/eventos/{id}/ingresos/lote']['post'], 200>, ResultadoLote>>,
  Cierto<Igual<Ok<Eventos['/api/eventos/{id}/ingresos/conflictos']['get'], 200>, Conflictos>>,
];

export type ContratoReservas = [
  Cierto<Igual<Cuerpo<Reservas['/api/reservar']['post']>, SolicitudReserva>>,
  Cierto<Igual<Ok<Reservas['/api/reservar']['post'], 201>, Reserva>>,
  Cierto<Igual<Ok<Reservas['/api/reservar']['post'], 202>, Reserva>>,
  Cierto<Igual<Ok<Reservas['/api/reservas']['get'], 200>, PaginaReservas>>,
  Cierto<Igual<Ok<Reservas['/api/reservas/{id}']['get'], 200>, Reserva>>,
  Cierto<Igual<Ok<Reservas['/api/reservas/{id}/cancelar']['post'], 200>, Reserva>>,
  Cierto<Igual<Ok<Reservas['/api/reservas/{id}/eventos']['get'], 200>, Bitacora>>,
  Cierto<Igual<Ok<Reservas['/api/entradas/{codigo}']['get'], 200>, EntradaRespuesta>>,
];

export type ContratoNotificaciones = [
  Cierto<Igual<Ok<Notificaciones['/api/notificaciones']['get'], 200>, PaginaNotificaciones>>,
];
