//! notificaciones with the whole platform publishing to it: delivery once, the DLQ,
//! broker outages, and who may read which notification.

pub(crate) mod common;

mod autorizacion;
mod correo_entradas;
mod corte_broker;
mod corte_rabbit_proxy;
mod hostil;
mod mensajeria;
mod reenvio;
mod transferencia;
