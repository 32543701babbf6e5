//! Cross-origin calls from browser pages (`server.cors_origins`): a form on
//! a shop's own origin fetches the contract, the module and the catalogue,
//! and may call the API with an app key. Preflights are answered by
//! `tower-http`'s `CorsLayer`; an origin not listed gets no CORS headers,
//! so its browser refuses the answer.

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};

use super::accounts::DRY_RUN_HEADER;
use super::problem::MODULE_HEADER;
use super::request_log::REQUEST_ID;

/// The CORS layer for `origins`; none at all when the list is empty.
pub fn layer(origins: &[String]) -> CorsLayer {
    if origins.is_empty() {
        // Allows nothing: no origin matches, no header is added.
        return CorsLayer::new();
    }
    let allow_origin = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::from(Any)
    } else {
        AllowOrigin::list(origins.iter().filter_map(|origin| HeaderValue::from_str(origin).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, REQUEST_ID])
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            HeaderName::from_static(MODULE_HEADER),
            REQUEST_ID,
            DRY_RUN_HEADER,
        ])
        .max_age(std::time::Duration::from_secs(600))
}
