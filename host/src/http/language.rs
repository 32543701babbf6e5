//! The language of a request's error answers: `Accept-Language` matched
//! against the message tables Pactum ships (`pactum_wire::words`), English
//! when nothing matches. A layer sets it for the request's task, so the
//! problem renderer (`problem.rs`) needs no request in hand.

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use pactum_core::words::LANGUAGES;

tokio::task_local! {
    static CURRENT: &'static str;
}

/// The language of the request being answered, inside [`negotiate`].
pub fn current() -> &'static str {
    CURRENT.try_with(|language| *language).unwrap_or("en")
}

/// The best of [`LANGUAGES`] for an `Accept-Language` value (q-values
/// honoured; `da-DK` matches `da`), English when none is acceptable.
#[must_use]
pub fn choose(accept: &str) -> &'static str {
    let ranked = accept_language::parse_with_quality(accept);
    ranked
        .iter()
        .filter(|(_, quality)| *quality > 0.0)
        .find_map(|(tag, _)| {
            let primary = tag.split('-').next().unwrap_or_default().to_ascii_lowercase();
            LANGUAGES.iter().copied().find(|language| *language == primary)
        })
        .unwrap_or("en")
}

pub async fn negotiate(request: Request, next: Next) -> Response {
    let accept = request.headers().get(header::ACCEPT_LANGUAGE).and_then(|value| value.to_str().ok());
    let language = accept.map_or("en", choose);
    CURRENT.scope(language, next.run(request)).await
}

#[cfg(test)]
mod tests {
    use super::choose;

    #[test]
    fn the_best_shipped_language_wins() {
        assert_eq!(choose("da"), "da");
        assert_eq!(choose("da-DK,da;q=0.9,en;q=0.8"), "da");
        assert_eq!(choose("de-DE, en;q=0.5, da;q=0.7"), "da");
        assert_eq!(choose("de, fr"), "en");
        assert_eq!(choose("da;q=0, en"), "en");
        assert_eq!(choose("*"), "en");
        assert_eq!(choose(""), "en");
    }
}
