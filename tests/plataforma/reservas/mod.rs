//! The reservation SAGA with its real peers: usuarios and eventos in process, reservas
//! in process or as a child process for the `kill -9` tests.

#[macro_use]
mod common;
mod proxy_http;

mod autorizacion;
mod conciliacion;
mod concurrencia;
mod confianza;
mod cupo_anonimo;
mod entradas;
mod entradas_comun;
mod errores_es;
mod fallas;
mod hostil;
mod idempotencia_recuperada;
mod incierto;
mod pdf;
mod puerta_offline;
mod recuperacion;
mod saga_api;
mod semillas;
mod una_entrada;
