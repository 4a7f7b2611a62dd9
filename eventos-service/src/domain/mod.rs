//! The eventos domain: events, their zones, and the inventory rules that never oversell.

mod evento;
pub mod fecha;
pub mod inventario;
mod nuevo;

pub use evento::{indice_de_zona, Evento, Retencion, Venta, Zona, MAX_POR_COMPRADOR_DEFECTO};
pub use inventario::{Confirmacion, Devolucion, Efecto, Liberacion, Retenida};
pub use nuevo::{CambiosCrudos, CambiosEvento, CrearEvento, FiltroEventos, NuevaZona, NuevoEvento};
