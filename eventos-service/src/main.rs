//! eventos-service binary: real backends on localhost by default, port 8002.

eventflow_shared::servicio!("eventos-service", "EVENTOS_PORT", 8002, eventos_service);
