//! Error answers are `application/problem+json` with a catalogue code, and
//! bad bodies get their documented 4xx (never a 5xx).

#![expect(clippy::unwrap_used, reason = "test code: a failure should stop the test")]
#![expect(clippy::indexing_slicing, reason = "indexing a serde_json::Value yields Null, it cannot panic")]

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode, header};
use axum::routing::post;
use pactum_core::wire::WireFieldError;
use pactum_host::http::{AppJson, PROBLEM_JSON};
use pactum_host::service::Problem;
use serde_json::{Value, json};
use tower::ServiceExt;

fn app() -> Router {
    Router::new()
        .route("/echo", post(|AppJson(body): AppJson<Value>| async move { AppJson(body) }))
        .route(
            "/taken",
            post(|| async {
                Problem::new("400.4").detail("the number belongs to another account").errors(vec![WireFieldError::new(
                    "/mobile",
                    "400.4",
                    "mobile number is not unique",
                )])
            }),
        )
        .route("/later", post(|| async { Problem::new("503").retry_after(30) }))
        .layer(DefaultBodyLimit::max(1024))
}

async fn send(path: &str, content_type: Option<&str>, body: impl Into<Body>) -> (StatusCode, Option<String>, Value) {
    let mut request = Request::post(path);
    if let Some(content_type) = content_type {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let response = app().oneshot(request.body(body.into()).unwrap()).await.unwrap();
    let status = response.status();
    let media = response.headers().get(header::CONTENT_TYPE).map(|value| value.to_str().unwrap().to_owned());
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (status, media, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_problem_carries_the_catalogue_code_and_field_errors() {
    let (status, media, body) = send("/taken", None, "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(media.as_deref(), Some(PROBLEM_JSON));
    assert_eq!(
        body,
        json!({
            "type": "urn:pactum:code:400.4", "status": 400, "code": "400.4",
            "title": "mobile number is not unique: it belongs to an active entity",
            "detail": "the number belongs to another account",
            "errors": [{"pointer": "/mobile", "code": "400.4", "message": "mobile number is not unique", "key": "mobile.not_unique_active"}]
        })
    );
}

#[tokio::test]
async fn retry_after_is_a_header() {
    let response = app().oneshot(Request::post("/later").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "30");
}

#[tokio::test]
async fn bad_bodies_get_their_documented_4xx() {
    let json = Some("application/json");
    let cases: [(Option<&str>, Vec<u8>, StatusCode, &str); 4] = [
        (json, b"{\"name\": ".to_vec(), StatusCode::BAD_REQUEST, "400.22"),
        (json, b"not json".to_vec(), StatusCode::BAD_REQUEST, "400.22"),
        (Some("text/plain"), b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "415"),
        (json, format!("{{\"a\": \"{}\"}}", "x".repeat(4096)).into_bytes(), StatusCode::PAYLOAD_TOO_LARGE, "413"),
    ];
    for (content_type, body, status, code) in cases {
        let (got_status, media, problem) = send("/echo", content_type, body).await;
        assert_eq!((got_status, problem["code"].as_str()), (status, Some(code)), "{problem}");
        assert_eq!(media.as_deref(), Some(PROBLEM_JSON));
        assert!(problem["detail"].as_str().is_some_and(|detail| !detail.is_empty()));
    }
    let (status, _, echoed) = send("/echo", json, br#"{"ok": true}"#.to_vec()).await;
    assert_eq!((status, echoed), (StatusCode::OK, json!({"ok": true})));
}

#[test]
fn an_unknown_code_is_a_plain_500() {
    let problem = Problem::new("999.9");
    assert_eq!((problem.status, problem.code), (500, "500"));
}
