//! Reconciliation, as the organizer asks for it (`GET /api/eventos/{id}/conciliacion` on
//! eventos, which asks reservas): a healthy sale reports 0; discrepancies written straight
//! into the stores are found, the repairable ones repaired through the normal idempotent
//! steps (a sale returned, a charge refunded), the rest reported and counted in the
//! Prometheus gauge. Both backends.

use super::common;
use eventflow_shared::ids::ReservaId;

use common::{stack, Backend, Stack};
use eventflow_shared::auth::Servicio;
use eventflow_shared::config::DEV_ADMIN_TOKEN;
use eventflow_testkit::hostil;
use reservas_pagos_service::domain::{tarjeta, Estado};
use reservas_pagos_service::store::EstadoPago;
use serde_json::{json, Value};

async fn informe(s: &Stack, evento: &str) -> Value {
    let res = s
        .http
        .get(format!("{}/api/eventos/{evento}/conciliacion", s.eventos))
        .bearer_auth(DEV_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn comprar(s: &Stack, u: &str, evento: &str, tarjeta: &str) -> (u16, Value) {
    let res = s
        .http
        .post(format!("{}/api/reservar", s.reservas))
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .json(&json!({"usuario_id": u, "evento_id": evento, "cantidad": 1,
                      "pago": {"metodo": "tarjeta", "numero_tarjeta": tarjeta}}))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn tipos(v: &Value) -> Vec<(String, bool)> {
    let mut t: Vec<(String, bool)> = v["discrepancias"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["tipo"].as_str().unwrap().to_owned(),
                d["reparada"].as_bool().unwrap(),
            )
        })
        .collect();
    t.sort();
    t
}

/// The reconciliation gauge of the service at `base` (reservas runs the checks; eventos
/// shows what organizers last saw).
async fn gauge(s: &Stack, base: &str) -> String {
    let text = eventflow_testkit::respuestas::texto_de(s.http.get(format!("{base}/metrics"))).await;
    text.lines()
        .find(|l| l.starts_with("eventflow_conciliacion_discrepancias "))
        .unwrap_or_default()
        .to_owned()
}

async fn conciliacion(b: Backend) {
    let s = stack(b).await;
    let evento = s.evento(&[("General", 5000, 20)]).await;
    let mut confirmadas = Vec::new();
    for i in 0..6 {
        let u = s.usuario(i).await;
        let t = if i < 4 {
            tarjeta::APROBADA
        } else {
            tarjeta::RECHAZADA
        };
        let (st, v) = comprar(&s, &u, &evento, t).await;
        if st == 201 {
            confirmadas.push(v["id"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(confirmadas.len(), 4);
    let res = s
        .http
        .post(format!(
            "{}/api/reservas/{}/cancelar",
            s.reservas, confirmadas[3]
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // A healthy sale: everything adds up.
    let v = informe(&s, &evento).await;
    assert_eq!(v["pendientes"], 0, "{v}");
    assert_eq!(v["discrepancias"], json!([]), "{v}");
    assert_eq!(
        (&v["vendidas"], &v["confirmadas"]),
        (&json!(3), &json!(3)),
        "{v}"
    );
    assert_eq!(v["reservas"]["CONFIRMADA"], 3, "{v}");
    assert_eq!(v["reservas"]["FALLIDA"], 2, "{v}");
    assert_eq!(v["reservas"]["CANCELADA"], 1, "{v}");
    assert_eq!(v["pagos"]["APROBADO"], 3, "{v}");
    assert_eq!(v["pagos"]["REEMBOLSADO"], 1, "{v}");
    for base in [&s.reservas, &s.eventos] {
        assert_eq!(
            gauge(&s, base).await,
            "eventflow_conciliacion_discrepancias 0"
        );
    }

    // A confirmed reservation turned FALLIDA behind everyone's back: its sale and its
    // charge are orphans. Both are mended.
    let mut r = s.deps.reservas.get(&confirmadas[0]).await.unwrap().unwrap();
    r.estado = Estado::Fallida;
    assert!(s.deps.reservas.guardar(&mut r).await.unwrap());
    // A confirmed sale returned straight at eventos: nothing can mend that blindly.
    let res = s
        .http
        .post(format!(
            "{}/internal/eventos/{evento}/ventas/{}/devolver",
            s.eventos, confirmadas[1]
        ))
        .bearer_auth(Servicio::Reservas.token_dev())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let v = informe(&s, &evento).await;
    assert_eq!(
        tipos(&v),
        [
            ("confirmada-sin-venta".to_owned(), false),
            ("pago-sin-reserva-confirmada".to_owned(), true),
            ("venta-sin-reserva-confirmada".to_owned(), true),
        ],
        "{v}"
    );
    assert_eq!(v["pendientes"], 1, "{v}");
    for base in [&s.reservas, &s.eventos] {
        assert_eq!(
            gauge(&s, base).await,
            "eventflow_conciliacion_discrepancias 1"
        );
    }
    let pago = s
        .deps
        .pasarela
        .consultar(&ReservaId::confiable(&confirmadas[0]))
        .await
        .unwrap();
    assert_eq!(pago.map(|p| p.estado), Some(EstadoPago::Reembolsado));
    let z = &s.get_evento(&evento).await["zonas"][0];
    assert_eq!(z["vendidas"], 1, "only the one sale left: {z}");

    // Repairs done stay done; what a person must look at is reported again.
    let v = informe(&s, &evento).await;
    assert_eq!(
        tipos(&v),
        [("confirmada-sin-venta".to_owned(), false)],
        "{v}"
    );

    // Public is a decision: without the organizer's credential, 401; the internal route
    // takes only the service credential.
    for (ruta, token) in [
        (
            format!("{}/api/eventos/{evento}/conciliacion", s.eventos),
            DEV_ADMIN_TOKEN,
        ),
        (
            format!("{}/internal/conciliacion/{evento}", s.reservas),
            Servicio::Eventos.token_dev(),
        ),
    ] {
        for (que, cred) in hostil::credenciales_malas(token) {
            // A client of its own: the stack's acts as the admin.
            let mut req = reqwest::Client::new().get(&ruta);
            if let Some(c) = cred {
                req = req.header("authorization", c);
            }
            let res = req.send().await.unwrap();
            assert_eq!(res.status(), 401, "{ruta}: {que}");
        }
    }
    let res = s
        .http
        .get(format!("{}/api/eventos/no-existe/conciliacion", s.eventos))
        .bearer_auth(DEV_ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

ambos!(conciliacion);
