//! The tickets' PDF, on both backends: one page per ticket that lets someone in (a
//! ticket cancelled alone is not printed), each with its code, the event and its date
//! in the venue's zone, read back with lopdf as a reader would; none for a reservation
//! that is not sold.

use reqwest::Client;
use serde_json::Value;

use super::common::{self, Backend, Stack};
use super::entradas_comun::comprar;

async fn pdf(s: &Stack, id: &str, secreto: &str) -> reqwest::Response {
    Client::new()
        .get(format!("{}/api/reservas/{id}/entradas.pdf", s.reservas))
        .header("X-Reserva-Secreto", secreto)
        .send()
        .await
        .unwrap()
}

async fn entradas_en_pdf(b: Backend) {
    let s = common::stack(b).await;
    let evento = s.evento(&[("Platea", 15_000, 10)]).await;
    let ficha: Value = s
        .http
        .get(format!("{}/api/eventos/{evento}", s.eventos))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let zona_horaria = ficha["zona_horaria"].as_str().unwrap().to_owned();
    let r = comprar(&s, &evento, 3, 1).await;
    let (id, secreto) = (r["id"].as_str().unwrap(), r["secreto"].as_str().unwrap());
    let codigos: Vec<String> = r["entradas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["codigo"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codigos.len(), 3);

    let res = pdf(&s, id, secreto).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let paginas = doc.get_pages();
    assert_eq!(paginas.len(), 3, "one page per valid ticket");
    let mut vistos = Vec::new();
    for n in paginas.keys() {
        let texto = doc.extract_text(&[*n]).unwrap();
        assert!(texto.contains("Concierto"), "{texto}");
        assert!(texto.contains("Zona: Platea"), "{texto}");
        assert!(texto.contains(&format!("({zona_horaria})")), "{texto}");
        let c = codigos
            .iter()
            .find(|c| texto.contains(&format!("Código: {c}")))
            .unwrap_or_else(|| panic!("no code in {texto}"));
        vistos.push(c.clone());
    }
    vistos.sort();
    let mut esperados = codigos.clone();
    esperados.sort();
    assert_eq!(vistos, esperados, "each code on its own page");

    // One ticket cancelled on its own: it lets nobody in, so it is not printed.
    let anulada = &codigos[0];
    let c = Client::new()
        .post(format!("{}/api/entradas/{anulada}/cancelar", s.reservas))
        .header("X-Reserva-Secreto", secreto)
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 200, "{}", c.text().await.unwrap());
    let bytes = pdf(&s, id, secreto).await.bytes().await.unwrap();
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let paginas = doc.get_pages();
    assert_eq!(paginas.len(), 2, "the 2 tickets still valid");
    for n in paginas.keys() {
        let texto = doc.extract_text(&[*n]).unwrap();
        assert!(!texto.contains(anulada.as_str()), "{texto}");
    }

    // A stranger's secret: the same 404 as no reservation.
    assert_eq!(pdf(&s, id, &"x".repeat(22)).await.status(), 404);

    // Cancelled: nothing to print.
    let c = s
        .http
        .post(format!("{}/api/reservas/{id}/cancelar", s.reservas))
        .send()
        .await
        .unwrap();
    assert_eq!(c.status(), 200);
    let tras = pdf(&s, id, secreto).await;
    assert_eq!(tras.status(), 409);
    assert_eq!(
        tras.json::<Value>().await.unwrap()["type"],
        "urn:eventflow:problem:reserva-no-confirmada"
    );
}

ambos!(entradas_en_pdf);
