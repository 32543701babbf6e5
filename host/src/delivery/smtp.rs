//! E-mail through an SMTP server (lettre, rustls): one plain-text message
//! per code, one connection per message (codes are rare; no pool to keep).

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::Error as SmtpError;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::message::Message;
use super::{FieldError, SendError, Sender};

const DEFAULT_SUBJECT: &str = "Your verification code";

/// Sends codes by e-mail. `Debug` shows no credentials (lettre hides them).
#[derive(Debug)]
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    subject: String,
}

impl SmtpSender {
    /// `url` as lettre reads it: `smtp://host:port` (no TLS, for a local
    /// relay), `smtp://host?tls=required` (STARTTLS), `smtps://user:pass@host`.
    pub(super) fn new(url: &str, from: &str, subject: Option<&str>) -> Result<Self, FieldError> {
        // lettre's URL errors never repeat the URL, so no password leaks here.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|error| FieldError::new("url", format!("not a usable SMTP URL: {error}")))?
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|error| FieldError::new("from", format!("`{from}` is not an e-mail address: {error}")))?;
        let subject = subject.unwrap_or(DEFAULT_SUBJECT);
        if subject.trim().is_empty() || subject.contains(['\r', '\n']) {
            return Err(FieldError::new("subject", "must be one non-empty line"));
        }
        Ok(Self { transport, from, subject: subject.to_owned() })
    }
}

#[async_trait::async_trait]
impl Sender for SmtpSender {
    async fn send(&self, outbox_id: i64, message: &Message) -> Result<(), SendError> {
        let to = message
            .recipient
            .parse::<Mailbox>()
            .map_err(|_| SendError::permanent("the recipient is not an e-mail address"))?;
        let mail = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(&self.subject)
            // The same on every try, so a duplicate is recognisable.
            .message_id(Some(format!("<{}@{}>", super::idempotency_key(outbox_id), self.from.email.domain())))
            .header(ContentType::TEXT_PLAIN)
            .body(message.mail_text())
            .map_err(|error| SendError::permanent(format!("the e-mail could not be built: {error}")))?;
        self.transport.send(mail).await.map(|_| ()).map_err(|error| classify(&error))
    }
}

/// A 5xx answer (mailbox unknown, relay refused, ...) will not change on a
/// retry; a 4xx answer, a timeout or a lost connection may.
fn classify(error: &SmtpError) -> SendError {
    let reason = format!("SMTP: {error}");
    if error.is_permanent() || error.is_client() { SendError::permanent(reason) } else { SendError::retryable(reason) }
}
