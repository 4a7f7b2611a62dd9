//! The reservas domain: a reservation, its append-only log, the request and the cards.

mod entrada;
pub mod firma;
pub mod ingreso;
mod reserva;
mod solicitud;
mod suceso;
pub mod tarjeta;
pub mod una_entrada;

pub use entrada::{normalizar_codigo, Entrada, Escaneo, EstadoEntrada, MotivoAnulacion};
pub use reserva::{
    Compensacion, Estado, EstadoPago, EventoReserva, FalloReserva, Lease, PagoResumen,
    PasoEjecutado, Progreso, Reserva, ResultadoPaso,
};
pub use solicitud::{PagoSolicitud, SolicitudReserva};
pub use suceso::{Suceso, TipoSuceso};
pub use una_entrada::{AnulacionEntrada, Transferencia};

/// "1 entrada", "3 entradas": compensation messages are read by buyers.
pub fn entradas(n: u32) -> String {
    eventflow_shared::texto::contar(u64::from(n), "entrada", "entradas")
}

/// Minor units in the UI's format: 15000 is "S/ 150.00".
pub fn importe(minor: i64) -> String {
    format!(
        "{}S/ {}.{:02}",
        if minor < 0 { "-" } else { "" },
        minor.abs() / 100,
        minor.abs() % 100
    )
}
