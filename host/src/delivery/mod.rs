//! Verification delivery: the codes the store queued in its outbox, sealed,
//! and the senders that take them to a phone or a mailbox.
//!
//! The flow: inside a write transaction the HTTP layer's `CodeIssuer` seals
//! a [`Message`] with the [`Sealer`] and the store keeps the payload in an
//! outbox row. After the commit, the [`OutboxWorker`] claims due rows, opens
//! them, hands each to the [`Sender`] of its channel and records the result:
//! sent, due again after a backoff, or abandoned. Delivery is at least once:
//! a worker that dies mid-send leaves its rows leased, and they come back
//! when the lease ends.
//!
//! Senders are chosen per channel in the configuration ([`SendersConfig`]):
//! `log` (development: the code goes to the log and to `/demo/codes`),
//! `smtp` (e-mail) or `webhook` (an HTTP POST, for an SMS gateway or a mail
//! API). See `docs/delivery.md`.

mod config;
mod log;
mod message;
mod seal;
mod smtp;
mod webhook;
mod worker;

use std::fmt;
use std::sync::Arc;

use pactum_core::Channel;

pub use config::{SenderConfig, SendersConfig};
pub use log::{DeliveredCode, LogSender};
pub use message::{Message, rfc3339};
pub use seal::{SealError, Sealer};
pub use smtp::SmtpSender;
pub use webhook::WebhookSender;
pub use worker::{DrainReport, OutboxConfig, OutboxWorker, WorkerOptions};

/// Delivers one message to its recipient. Implementations never log the
/// code (the `log` sender, for development, is the one exception).
///
/// `outbox_id` is the message's outbox row. A row can be sent twice (its
/// worker died between the send and recording it), so senders pass
/// [`idempotency_key`] on, for a gateway that deduplicates.
#[async_trait::async_trait]
pub trait Sender: Send + Sync + fmt::Debug {
    async fn send(&self, outbox_id: i64, message: &Message) -> Result<(), SendError>;
}

/// The key that names one outbox row to a gateway, the same on every try
/// and every host.
#[must_use]
pub fn idempotency_key(outbox_id: i64) -> String {
    format!("pactum-outbox-{outbox_id}")
}

/// A failed send. `retryable` tells the worker whether trying again later
/// can help (a timeout, a 5xx, a 429) or not (a rejected recipient, a 4xx).
/// `reason` is for the outbox row and the log: it never holds the code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SendError {
    pub retryable: bool,
    pub reason: String,
}

impl SendError {
    #[must_use]
    pub fn retryable(reason: impl Into<String>) -> Self {
        Self { retryable: true, reason: reason.into() }
    }

    #[must_use]
    pub fn permanent(reason: impl Into<String>) -> Self {
        Self { retryable: false, reason: reason.into() }
    }
}

/// A sender's configuration value that cannot work: what a sender's
/// constructor fails with. `field` is the key inside the channel's table,
/// so the start error reads `senders.email.from: ...`. Kept here, beside
/// the senders' other shared pieces, so that `config.rs` builds the senders
/// without their importing it back.
#[derive(Debug)]
struct FieldError {
    pub field: &'static str,
    pub reason: String,
}

impl FieldError {
    fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self { field, reason: reason.into() }
    }
}

/// `url` without its password and query string, for `Debug` and errors
/// (of `config.rs` and `webhook.rs`).
fn redact_url(url: &str) -> String {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return "<not a URL>".to_owned();
    };
    if parsed.password().is_some() {
        // Only fails for URLs that cannot have a password, which this one has.
        let _ignored = parsed.set_password(Some("<redacted>"));
    }
    if parsed.query().is_some() {
        parsed.set_query(Some("<redacted>"));
    }
    parsed.to_string()
}

/// The sender of each channel.
#[derive(Debug, Clone)]
pub struct Senders {
    pub sms: Arc<dyn Sender>,
    pub email: Arc<dyn Sender>,
}

impl Senders {
    /// Log senders for both channels (the default configuration).
    #[must_use]
    pub fn log(log: &Arc<LogSender>) -> Self {
        Self { sms: log.clone(), email: log.clone() }
    }

    #[must_use]
    pub fn for_channel(&self, channel: Channel) -> &Arc<dyn Sender> {
        match channel {
            Channel::Sms => &self.sms,
            Channel::Email => &self.email,
        }
    }
}
