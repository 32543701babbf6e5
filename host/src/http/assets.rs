//! The demo page and the module files the browser loads, from the binary.
//!
//! `/` is the page, `/static/demo/*` its stylesheet, `/static/dist/*` the
//! compiled scripts (`npm run build`), `/pkg/*` the built-in module and its
//! JS glue: the very bytes the server runs, so the browser and the server
//! decide with one file. Each answer carries the file's SHA-256 as a strong
//! `ETag` and is revalidated on every use (`no-cache`), so a new binary is
//! never hidden behind a cached script. `server.www_dir` and
//! `PACTUM_MODULE` replace these with folders on disk (`mod.rs`).

use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::{Embed, EmbeddedFile};

use crate::builtin::Modules;
use crate::service::Problem;

/// `www/demo/`: the page and its stylesheet.
#[derive(Embed)]
#[folder = "../www/demo/"]
#[include = "*.html"]
#[include = "*.css"]
#[allow_missing = true]
struct Page;

/// `www/dist/`: the scripts `tsc` compiled from `www/sdk` and `www/demo`.
#[derive(Embed)]
#[folder = "../www/dist/"]
#[include = "*.js"]
#[allow_missing = true]
struct Scripts;

/// `GET /`.
pub async fn index(headers: HeaderMap) -> Response {
    answer(Page::get("index.html"), "index.html", &headers)
}

/// `GET /static/{*path}`.
pub async fn page_file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let file = if let Some(rest) = path.strip_prefix("demo/") {
        Page::get(rest)
    } else if let Some(rest) = path.strip_prefix("dist/") {
        Scripts::get(rest)
    } else {
        None
    };
    answer(file, &path, &headers)
}

/// `GET /pkg/{*path}`.
pub async fn module_file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    answer(Modules::get(&path), &path, &headers)
}

fn answer(file: Option<EmbeddedFile>, path: &str, headers: &HeaderMap) -> Response {
    let Some(file) = file else {
        return Problem::new("404").detail(format!("this binary holds no file {path}")).into_response();
    };
    let etag = format!("\"{}\"", crate::runtime::hex(&file.metadata.sha256_hash()));
    let cached = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let etag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    let cache = (header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if cached {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag), cache]).into_response();
    }
    let mime = HeaderValue::from_str(file.metadata.mimetype()).unwrap_or(HeaderValue::from_static("text/plain"));
    ([(header::CONTENT_TYPE, mime), (header::ETAG, etag), cache], file.data).into_response()
}
