//! usuarios-service binary: real backends on localhost by default, port 8001.

eventflow_shared::servicio!("usuarios-service", "USUARIOS_PORT", 8001, usuarios_service);
