//! reservas-pagos-service binary: real backends on localhost by default, port 8003.

eventflow_shared::servicio!(
    "reservas-pagos-service",
    "RESERVAS_PORT",
    8003,
    reservas_pagos_service
);
