//! Who is calling: the app whose API key is in `Authorization: Bearer`.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::AppState;
use crate::apps::AppConfig;
use crate::service::Problem;

/// The authenticated app. Extracting it answers 401 when the key is missing
/// or unknown; the key itself is never logged.
#[derive(Debug, Clone)]
pub struct Caller(pub AppConfig);

/// The token of an `Authorization: Bearer <token>` value. The scheme is
/// case-insensitive (RFC 7235 section 2.1), so `BEARER` and `bearer` work.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(bearer_token)
            .filter(|key| !key.is_empty())
            .ok_or_else(|| Problem::new("401").detail("send the app's API key as `Authorization: Bearer <key>`"))?;
        let app = state.apps.authenticate(key).ok_or_else(|| Problem::new("401").detail("the API key is not known"))?;
        tracing::Span::current().record("app", tracing::field::display(&app.name));
        Ok(Self(app.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_case_insensitive_and_the_token_is_kept_as_sent() {
        for value in ["Bearer Key-1", "bearer Key-1", "BEARER Key-1", "BeArEr   Key-1 "] {
            assert_eq!(bearer_token(value), Some("Key-1"), "{value}");
        }
        for value in ["Basic Key-1", "BearerKey-1", "Key-1", ""] {
            assert_eq!(bearer_token(value), None, "{value}");
        }
    }
}
