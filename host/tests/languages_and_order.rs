//! Answers in the request's language and in the contract's order: a
//! problem's `title` and `detail` from the message tables `Accept-Language`
//! picks (`pactum_wire::words`), each field error's message key and
//! parameters, `/contracts/{id}` with the members as written, and errors
//! listed in the contract's order of fields. On both backends.
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, reason = "tests")]

mod common;
mod support;

use std::collections::BTreeMap;

use common::db::{TestDb, backend_tests};
use pactum_host::store::Status;
use reqwest::Method;
use serde_json::{Value, json};
use support::TestServer;

backend_tests!(problems_are_worded_in_the_requests_language, contracts_and_errors_keep_the_contracts_order,);

async fn seed(server: &TestServer, data: Value) -> i64 {
    server.accounts.import("profile", data, BTreeMap::new(), Status::Active).await.expect("seeded").entity.dp_keyid
}

/// A PUT as the `full` app with `Accept-Language: language` (none if empty):
/// status, `Content-Language` and the JSON answer.
async fn put(server: &TestServer, path: &str, language: &str, body: &Value) -> (u16, String, Value) {
    let mut request = server.request("full", Method::PUT, path).json(body);
    if !language.is_empty() {
        request = request.header("accept-language", language);
    }
    let response = request.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let content_language =
        response.headers().get("content-language").map(|value| value.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, content_language, response.json().await.unwrap_or(Value::Null))
}

async fn problems_are_worded_in_the_requests_language(db: &TestDb) {
    let server = TestServer::start(support::config(db)).await;
    let id = seed(&server, json!({"name": "Ann", "email": "words@example.com"})).await;
    let path = format!("/userentity/dp-keyid/{id}/data");
    let bad = json!({"name": "", "address": {"city": "Aarhus", "zip": "12a"}});

    let (status, language, danish) = put(&server, &path, "da-DK,da;q=0.9,en;q=0.5", &bad).await;
    assert_eq!((status, language.as_str()), (400, "da"), "{danish}");
    assert_eq!(danish["title"], "forespørgslen er gyldig, men dataene kunne ikke godkendes", "{danish}");
    let detail = danish["detail"].as_str().unwrap();
    assert!(detail.contains("/name: skal være mindst 1 tegn lang"), "{detail}");
    assert!(detail.contains("/address/zip: har ikke den forventede form"), "{detail}");
    // The errors carry what any other language needs: key and parameters.
    let errors = danish["errors"].as_array().unwrap();
    assert_eq!(errors[0]["key"], "schema.minLength", "{danish}");
    assert_eq!(errors[0]["params"], json!({"limit": 1}), "{danish}");
    assert_eq!(errors[1]["key"], "schema.pattern", "{danish}");
    assert_eq!(errors[1]["params"], json!({"pattern": "^[0-9]{4}$"}), "{danish}");

    // English, and a language Pactum does not ship, answer in English with
    // the engine's messages as detail; the code, the errors and the status
    // are the same in every language.
    for accept in ["", "en-GB", "de-DE, fr;q=0.8", "da;q=0, en"] {
        let (status, language, english) = put(&server, &path, accept, &bad).await;
        assert_eq!((status, language.as_str()), (400, "en"), "{accept}: {english}");
        assert_eq!(english["title"], "the request is valid but data validation failed", "{accept}");
        assert!(english["detail"].as_str().unwrap().contains("/name: \"\" is shorter than 1 character"), "{english}");
        assert_eq!(english["errors"], danish["errors"], "{accept}");
        assert_eq!(english["code"], danish["code"]);
    }

    // A problem without field errors: the title's words are its detail.
    let missing = put(&server, "/userentity/dp-keyid/999999/data", "da", &json!({"name": "Bo"})).await;
    assert_eq!((missing.0, missing.1.as_str()), (404, "da"), "{}", missing.2);
    assert_eq!(missing.2["code"], "404.1");
    assert_eq!(missing.2["title"], "brugeren findes ikke");
    assert_eq!(missing.2["detail"], "brugeren findes ikke");

    let nothing_changed =
        server.request("full", Method::GET, &path).send().await.unwrap().json::<Value>().await.unwrap();
    assert_eq!(nothing_changed["entity"]["name"], "Ann", "a refused update changes nothing");
    server.stop().await;
}

async fn contracts_and_errors_keep_the_contracts_order(db: &TestDb) {
    let server = TestServer::start(support::config(db)).await;
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(support::workspace().join("host/demo/profile.json")).unwrap())
            .unwrap();
    let served: Value =
        server.request("", Method::GET, "/contracts/profile").send().await.unwrap().json().await.unwrap();
    let names = |schema: &Value| schema["properties"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&served["schema"]), names(&written), "properties in the written order");
    assert_eq!(
        served["schema"].as_object().unwrap().keys().collect::<Vec<_>>(),
        written.as_object().unwrap().keys().collect::<Vec<_>>(),
        "top-level members in the written order"
    );
    let mut sorted = names(&written);
    sorted.sort();
    assert_ne!(
        sorted,
        names(&written),
        "the demo contract is not written in sorted order, so the check means something"
    );

    // Errors come in the contract's order (name, email, birthday, tags,
    // address), not by pointer (/address, /birthday, /email, /name, /tags).
    let id = seed(&server, json!({"name": "Ann", "email": "order@example.com"})).await;
    let bad = json!({
        "tags": ["a", "a"],
        "address": {"zip": "x", "city": ""},
        "birthday": "soon",
        "email": "not an address",
        "name": "",
    });
    let (status, _, answer) = put(&server, &format!("/userentity/dp-keyid/{id}/data"), "", &bad).await;
    assert_eq!(status, 400, "{answer}");
    let pointers: Vec<&str> =
        answer["errors"].as_array().unwrap().iter().map(|error| error["pointer"].as_str().unwrap()).collect();
    assert_eq!(pointers, ["/name", "/email", "/birthday", "/tags", "/address/city", "/address/zip"], "{answer}");
    server.stop().await;
}
