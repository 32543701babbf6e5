//! The HTTP API (axum): `app()` builds the router from the route table, and
//! every error renders as problem+json with a catalogue code.
//!
//! Handlers only extract, call `crate::service` and render; the rules live
//! in the service. Middleware: a head size limit (431), a body limit (413),
//! a body read timeout (408), a request timeout (503), metrics and request
//! logs; `connection.rs` adds the limits below HTTP (header read timeout,
//! hyper's own 431).

mod accounts;
mod answer;
mod assets;
mod caller;
pub mod connection;
mod contracts;
mod cors;
pub mod demo;
mod language;
mod locator;
mod openapi;
mod ops;
pub mod problem;
mod request_log;
pub mod routes;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodFilter, MethodRouter, get, on};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::services::{ServeDir, ServeFile};

pub use crate::telemetry::recorder as metrics_recorder;
pub use answer::etag;
pub use openapi::document as openapi_document;
pub use problem::{AppJson, MODULE_HEADER, PROBLEM_JSON};

use crate::apps::Apps;
use crate::service::Accounts;
use routes::Endpoint;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub accounts: Accounts,
    pub apps: Arc<Apps>,
    pub metrics: PrometheusHandle,
    pub request_timeout: Duration,
    pub body_limit: usize,
    /// `server.body_read_timeout_ms` (408 after).
    pub body_read_timeout: Duration,
    /// `server.max_header_bytes` (431 above).
    pub max_header_bytes: usize,
    /// The demo routes; `None` answers them 404.
    pub demo: Option<Arc<demo::Demo>>,
    /// Folders on disk that replace the embedded page (`www/`: the page at
    /// `/`, files under `/static/`) and module files (under `/pkg/`);
    /// `None` serves what the binary holds (`assets.rs`).
    pub www: Option<PathBuf>,
    pub pkg: Option<PathBuf>,
    /// `server.cors_origins`.
    pub cors_origins: Vec<String>,
}

/// The whole API.
pub fn app(state: AppState) -> Router {
    let mut by_path: BTreeMap<String, MethodRouter<AppState>> = BTreeMap::new();
    for route in routes::table() {
        let filter = MethodFilter::try_from(route.method.clone()).unwrap_or(MethodFilter::GET);
        let handler = method_router(route.endpoint, filter);
        let merged = match by_path.remove(&route.path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(route.path, merged);
    }
    let mut router = Router::new();
    for (path, handler) in by_path {
        router = router.route(&path, handler.fallback(ops::method_not_allowed));
    }
    router = router
        .route("/demo/apps", get(demo::apps))
        .route("/demo/entities", get(demo::entities))
        .route("/demo/codes", get(demo::codes));
    // The page is the demo's: a production server (`demo = false`) has no
    // `/demo/*` routes for it to call, so it serves no page either.
    router = match (&state.www, &state.demo) {
        (_, None) => router,
        (Some(www), Some(_)) => router
            .route_service("/", ServeFile::new(www.join("demo").join("index.html")))
            .nest_service("/static", ServeDir::new(www)),
        (None, Some(_)) => router.route("/", get(assets::index)).route("/static/{*path}", get(assets::page_file)),
    };
    router = match &state.pkg {
        Some(pkg) => router.nest_service("/pkg", ServeDir::new(pkg)),
        None => router.route("/pkg/{*path}", get(assets::module_file)),
    };
    router
        .fallback(ops::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::read_body))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::refuse_oversized))
        .layer(axum::middleware::from_fn_with_state(state.clone(), ops::observe))
        .layer(DefaultBodyLimit::max(state.body_limit))
        .layer(cors::layer(&state.cors_origins))
        .layer(axum::middleware::from_fn(language::negotiate))
        .layer(axum::middleware::from_fn(request_log::track))
        .with_state(state)
}

fn method_router(endpoint: Endpoint, filter: MethodFilter) -> MethodRouter<AppState> {
    match endpoint {
        Endpoint::Create => on(filter, accounts::create),
        Endpoint::Read => on(filter, accounts::read),
        Endpoint::Update => on(filter, accounts::update),
        Endpoint::Deactivate => on(filter, accounts::deactivate),
        Endpoint::Verify => on(filter, accounts::verify),
        Endpoint::Contracts => on(filter, contracts::list),
        Endpoint::Contract => on(filter, contracts::contract),
        Endpoint::ContractModule => on(filter, contracts::contract_module),
        Endpoint::ModuleByHash => on(filter, contracts::module_by_hash),
        Endpoint::Catalogue => on(filter, contracts::catalogue),
        Endpoint::Health => on(filter, ops::health),
        Endpoint::Ready => on(filter, ops::ready),
        Endpoint::Metrics => on(filter, ops::metrics),
        Endpoint::OpenApi => on(filter, ops::openapi),
    }
}
