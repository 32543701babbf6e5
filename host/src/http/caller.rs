//! Who is calling: the app whose API key is in `Authorization: Bearer`.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::{AppState, Problem};
use crate::apps::AppConfig;

/// The authenticated app. Extracting it answers 401 when the key is missing
/// or unknown; the key itself is never logged.
#[derive(Debug, Clone)]
pub struct Caller(pub AppConfig);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")))
            .map(str::trim)
            .filter(|key| !key.is_empty())
            .ok_or_else(|| Problem::new("401").detail("send the app's API key as `Authorization: Bearer <key>`"))?;
        let app = state.apps.authenticate(key).ok_or_else(|| Problem::new("401").detail("the API key is not known"))?;
        tracing::Span::current().record("app", app.name.as_str());
        Ok(Self(app.clone()))
    }
}
