//! notificaciones-service binary: real backends on localhost by default, port 8004.

eventflow_shared::servicio!(
    "notificaciones-service",
    "NOTIFICACIONES_PORT",
    8004,
    notificaciones_service
);
