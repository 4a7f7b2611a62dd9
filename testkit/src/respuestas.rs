//! Reading HTTP answers in tests: the steps every "create a buyer / an event / a
//! reservation, then read it back" helper ends with, written once.

use std::time::Duration;

use serde_json::Value;

/// The `id` of what a POST just created, once the answer is a 201. The body is read before
/// the status is checked so that a failure shows what the service said instead.
pub async fn id_creado(res: reqwest::Response) -> String {
    let status = res.status();
    let cuerpo = res.text().await.expect("read the body");
    assert_eq!(status, 201, "{cuerpo}");
    let v: Value = serde_json::from_str(&cuerpo).expect("a JSON body");
    v["id"].as_str().expect("the 201 carries an id").to_owned()
}

/// The answer's `Content-Type`, or "" when absent.
fn content_type(res: &reqwest::Response) -> String {
    res.headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Asserts an answer with `status` and a JSON content type; returns its body.
pub async fn json_con_estado(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let ct = content_type(&res);
    let text = res.text().await.expect("response body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    assert!(
        ct.starts_with("application/json"),
        "content-type {ct:?}; body: {text}"
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts an RFC 9457 problem with `status`: its content type, a `urn:eventflow:problem:`
/// type, the same status in the body, a title and a detail. Returns its body.
pub async fn problema(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let ct = content_type(&res);
    let text = res.text().await.expect("response body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    assert_eq!(ct, "application/problem+json", "body: {text}");
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("urn:eventflow:problem:")),
        "{body}"
    );
    assert_eq!(body["status"], status, "{body}");
    for member in ["title", "detail"] {
        assert!(
            body[member].as_str().is_some_and(|s| !s.is_empty()),
            "missing {member}: {body}"
        );
    }
    body
}

/// Sends `req` and reads the answer as JSON, whatever its status: for the reads whose
/// status the test does not check.
pub async fn json_de(req: reqwest::RequestBuilder) -> Value {
    req.send().await.unwrap().json().await.unwrap()
}

/// Sends `req` and reads the answer as text, whatever its status: metrics pages and
/// diagnostics.
pub async fn texto_de(req: reqwest::RequestBuilder) -> String {
    req.send().await.unwrap().text().await.unwrap()
}

/// The field names of the JSON object `v` (a test that pins a body's exact shape compares
/// them with the documented set). Panics when `v` is not an object.
pub fn claves(v: &Value) -> std::collections::BTreeSet<&str> {
    v.as_object()
        .unwrap_or_else(|| panic!("not a JSON object: {v}"))
        .keys()
        .map(String::as_str)
        .collect()
}

/// A client for one service under test: a request that hangs fails after `timeout`
/// rather than stalling the suite, and redirects are returned, not followed, so a test
/// sees the `Location` the service answered.
pub fn cliente(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client")
}
