//! The `[senders.sms]` and `[senders.email]` tables, and building the
//! senders from them. Every URL, address and header is checked at start, so
//! a bad configuration stops the host naming the field instead of failing
//! the first code hours later.
//!
//! ```toml
//! [senders.sms]
//! kind = "webhook"
//! url = "https://sms.example.com/send"
//! headers = { Authorization = "Bearer ..." }
//! timeout_ms = 5000
//!
//! [senders.email]
//! kind = "smtp"
//! url = "smtps://user:password@mail.example.com"
//! from = "Pactum <no-reply@example.com>"
//! subject = "Your verification code"
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use pactum_core::Channel;
use serde::Deserialize;

use super::log::LogSender;
use super::smtp::SmtpSender;
use super::webhook::WebhookSender;
use super::{FieldError, Sender, Senders, redact_url};

/// The `[senders]` table: one sender per channel, `log` when left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendersConfig {
    #[serde(default)]
    pub sms: SenderConfig,
    #[serde(default)]
    pub email: SenderConfig,
}

/// How one channel's codes are sent. `Debug` hides passwords, query
/// strings and header values, which often hold API keys.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum SenderConfig {
    /// Development: the code is logged and kept for `/demo/codes`.
    #[default]
    Log,
    /// E-mail through an SMTP server (e-mail only).
    Smtp {
        /// `smtp://host:port` (plain), `smtp://host?tls=required` (STARTTLS),
        /// `smtps://user:password@host` (TLS from the start).
        url: String,
        /// The `From` mailbox, e.g. `Pactum <no-reply@example.com>`.
        from: String,
        subject: Option<String>,
    },
    /// An HTTP POST of the message as JSON.
    Webhook {
        url: String,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        timeout_ms: Option<u64>,
    },
}

impl Senders {
    /// Builds both channels' senders. `log` is the host's one log sender, so
    /// `/demo/codes` shows the codes of every channel that uses it.
    pub fn from_config(sms: &SenderConfig, email: &SenderConfig, log: Arc<LogSender>) -> anyhow::Result<Self> {
        Ok(Self { sms: build(Channel::Sms, sms, &log)?, email: build(Channel::Email, email, &log)? })
    }
}

fn build(channel: Channel, config: &SenderConfig, log: &Arc<LogSender>) -> anyhow::Result<Arc<dyn Sender>> {
    let sender: Result<Arc<dyn Sender>, FieldError> = match config {
        SenderConfig::Log => Ok(log.clone()),
        SenderConfig::Smtp { .. } if channel == Channel::Sms => {
            Err(FieldError::new("kind", "`smtp` sends e-mail only; use `webhook` (or `log`) for SMS"))
        }
        SenderConfig::Smtp { url, from, subject } => {
            SmtpSender::new(url, from, subject.as_deref()).map(|sender| Arc::new(sender) as Arc<dyn Sender>)
        }
        SenderConfig::Webhook { url, headers, timeout_ms } => {
            WebhookSender::new(url, headers, *timeout_ms).map(|sender| Arc::new(sender) as Arc<dyn Sender>)
        }
    };
    sender.map_err(|error| anyhow::anyhow!("senders.{channel}.{}: {}", error.field, error.reason))
}

impl fmt::Debug for SenderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Log => f.write_str("Log"),
            Self::Smtp { url, from, subject } => f
                .debug_struct("Smtp")
                .field("url", &redact_url(url))
                .field("from", from)
                .field("subject", subject)
                .finish(),
            Self::Webhook { url, headers, timeout_ms } => f
                .debug_struct("Webhook")
                .field("url", &redact_url(url))
                .field("headers", &headers.keys().map(|name| (name, "<redacted>")).collect::<BTreeMap<_, _>>())
                .field("timeout_ms", timeout_ms)
                .finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets_but_names_the_endpoint() {
        let smtp = SenderConfig::Smtp {
            url: "smtps://mailer:hunter2@mail.example.com".to_owned(),
            from: "no-reply@example.com".to_owned(),
            subject: None,
        };
        let shown = format!("{smtp:?}");
        assert!(!shown.contains("hunter2") && shown.contains("mail.example.com"), "{shown}");

        let webhook = SenderConfig::Webhook {
            url: "https://sms.example.com/send?key=k3y".to_owned(),
            headers: BTreeMap::from([("Authorization".to_owned(), "Bearer t0ken".to_owned())]),
            timeout_ms: None,
        };
        let shown = format!("{webhook:?}");
        assert!(!shown.contains("k3y") && !shown.contains("t0ken"), "{shown}");
        assert!(shown.contains("Authorization") && shown.contains("sms.example.com"), "{shown}");
    }
}
