//! The development sender: writes the code to the log and keeps the last
//! few, so the demo page can show them (`/demo/codes`). The only place in
//! the host where a verification code may appear in plain text.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use pactum_core::Channel;
use serde::Serialize;

use super::message::{Message, rfc3339, unix_now};
use super::{SendError, Sender};
use crate::store::EntityId;

/// How many delivered codes `recent` keeps.
const KEPT: usize = 50;

/// One code the log sender delivered, as `/demo/codes` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveredCode {
    pub entity: EntityId,
    pub field: String,
    pub channel: Channel,
    pub recipient: String,
    pub code: String,
    /// RFC 3339, UTC.
    pub sent_at: String,
}

#[derive(Default)]
pub struct LogSender {
    recent: Mutex<VecDeque<DeliveredCode>>,
}

impl std::fmt::Debug for LogSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogSender").field("kept", &self.lock().len()).finish()
    }
}

impl LogSender {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The last delivered codes, newest first.
    #[must_use]
    pub fn recent(&self) -> Vec<DeliveredCode> {
        self.lock().iter().cloned().collect()
    }

    /// A panic elsewhere while holding the lock leaves a list that is still
    /// whole (every change is one push or truncate), so poisoning is ignored.
    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<DeliveredCode>> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait::async_trait]
impl Sender for LogSender {
    async fn send(&self, _outbox_id: i64, message: &Message) -> Result<(), SendError> {
        tracing::info!(
            entity = message.entity,
            field = %message.field,
            channel = %message.channel,
            recipient = %message.recipient,
            code = %message.code,
            "verification code (log sender: development only)"
        );
        let delivered = DeliveredCode {
            entity: message.entity,
            field: message.field.clone(),
            channel: message.channel,
            recipient: message.recipient.clone(),
            code: message.code.clone(),
            sent_at: rfc3339(unix_now()),
        };
        let mut recent = self.lock();
        recent.push_front(delivered);
        recent.truncate(KEPT);
        Ok(())
    }
}
