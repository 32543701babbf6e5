//! Codes as an HTTP POST of JSON, for an SMS gateway or a mail API (or a
//! small adapter in front of one). The answer's status decides the retry:
//! 2xx is sent; 408, 429, 5xx, a timeout or a lost connection are tried
//! again; any other status is a permanent failure.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use pactum_core::Channel;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{StatusCode, Url};
use serde::Serialize;

use super::message::Message;
use super::{FieldError, SendError, Sender, redact_url};

const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// Posts each code to one URL. `Debug` shows neither the query string nor
/// the header values.
pub struct WebhookSender {
    client: reqwest::Client,
    url: Url,
    headers: HeaderMap,
}

impl std::fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSender")
            .field("url", &redact_url(self.url.as_str()))
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The JSON body. `message` is ready to send as it is; the other members
/// let a gateway build its own text.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Body<'a> {
    /// The outbox row: the same on every try, for deduplication.
    id: i64,
    to: &'a str,
    channel: Channel,
    message: String,
    code: &'a str,
    entity: i64,
    field: &'a str,
    expires_at: String,
}

impl WebhookSender {
    pub(super) fn new(
        url: &str,
        headers: &BTreeMap<String, String>,
        timeout_ms: Option<u64>,
    ) -> Result<Self, FieldError> {
        let url = Url::parse(url).map_err(|error| FieldError::new("url", format!("not a URL: {error}")))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(FieldError::new(
                "url",
                format!("`{}` is not an http(s) URL with a host", redact_url(url.as_str())),
            ));
        }
        let headers = header_map(headers)?;
        let timeout = match timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS) {
            0 => return Err(FieldError::new("timeout_ms", "must be at least 1")),
            millis => Duration::from_millis(millis),
        };
        let tls = tls_config().map_err(|error| FieldError::new("url", format!("TLS is not available: {error}")))?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .timeout(timeout)
            // A redirected POST may turn into a GET elsewhere: a gateway that
            // moved is a configuration error, answered as a permanent 3xx.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| FieldError::new("url", format!("the HTTP client could not be built: {error}")))?;
        Ok(Self { client, url, headers })
    }
}

/// Header values are marked sensitive: they often hold API keys, and the
/// `http` crate then leaves them out of its `Debug` output.
fn header_map(headers: &BTreeMap<String, String>) -> Result<HeaderMap, FieldError> {
    let mut map = HeaderMap::with_capacity(headers.len());
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| FieldError::new("headers", format!("`{name}` is not a valid header name")))?;
        let mut value = HeaderValue::from_str(value)
            .map_err(|_| FieldError::new("headers", format!("the value of `{name}` is not a valid header value")))?;
        value.set_sensitive(true);
        map.insert(name, value);
    }
    Ok(map)
}

/// rustls with the ring provider and Mozilla's root certificates (built in,
/// so a container without a CA bundle still verifies its gateway).
fn tls_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

#[async_trait::async_trait]
impl Sender for WebhookSender {
    async fn send(&self, outbox_id: i64, message: &Message) -> Result<(), SendError> {
        let body = Body {
            id: outbox_id,
            to: &message.recipient,
            channel: message.channel,
            message: message.short_text(),
            code: &message.code,
            entity: message.entity,
            field: &message.field,
            expires_at: message.expires_at_rfc3339(),
        };
        let answer = self
            .client
            .post(self.url.clone())
            .headers(self.headers.clone())
            .header("idempotency-key", super::idempotency_key(outbox_id))
            .json(&body)
            .send()
            .await;
        match answer {
            Ok(response) => classify(response.status()),
            // The URL may carry a key in its query; the body is never shown.
            Err(error) => Err(SendError::retryable(format!("webhook: {}", chain(&error.without_url())))),
        }
    }
}

fn classify(status: StatusCode) -> Result<(), SendError> {
    let reason = || format!("webhook answered {status}");
    if status.is_success() {
        Ok(())
    } else if status.is_server_error() || matches!(status, StatusCode::REQUEST_TIMEOUT | StatusCode::TOO_MANY_REQUESTS)
    {
        Err(SendError::retryable(reason()))
    } else {
        Err(SendError::permanent(reason()))
    }
}

/// An error and its sources on one line: reqwest's own text ("error sending
/// request") says little without the cause (refused, timed out, TLS).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_sent_retried_or_given_up() {
        assert!(classify(StatusCode::OK).is_ok());
        assert!(classify(StatusCode::ACCEPTED).is_ok());
        for retried in [StatusCode::REQUEST_TIMEOUT, StatusCode::TOO_MANY_REQUESTS, StatusCode::BAD_GATEWAY] {
            assert_eq!(classify(retried).map_err(|error| error.retryable), Err(true), "{retried}");
        }
        for permanent in [StatusCode::BAD_REQUEST, StatusCode::UNAUTHORIZED, StatusCode::MOVED_PERMANENTLY] {
            assert_eq!(classify(permanent).map_err(|error| error.retryable), Err(false), "{permanent}");
        }
    }
}
