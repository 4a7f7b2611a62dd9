// The SAGA's steps as the server runs them (reservas-pagos-service/src/saga/cadena.rs,
// `Cadena::estandar`). The UI lists a reservation's steps in the order its answer gives
// them, and uses this list only for the steps a run has not reached yet. The Rust test
// tests/pasos_ui.rs reads this file and checks it against the server's `saga::PASOS`, so a
// step added, removed or moved there fails until this list follows.

/** The standard chain's handlers, in run order. */
export const PASOS_SAGA = ['ValidadorDatos', 'ValidadorInventario', 'ProcesadorPago', 'ConfirmadorReserva'] as const;
