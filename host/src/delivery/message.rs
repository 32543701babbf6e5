//! The message a sender delivers: one code for one pending change, and the
//! texts every sender builds from it.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use pactum_core::Channel;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::store::{EntityId, Timestamp};

/// One verification code on its way to a recipient. It exists in plain form
/// only in memory: the outbox holds it sealed, and `Debug` hides the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub entity: EntityId,
    pub field: String,
    pub channel: Channel,
    /// The e-mail address or E.164 number.
    pub recipient: String,
    pub code: String,
    /// When the code stops working (seconds since the Unix epoch).
    pub expires_at: Timestamp,
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("entity", &self.entity)
            .field("field", &self.field)
            .field("channel", &self.channel)
            .field("recipient", &self.recipient)
            .field("code", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Message {
    /// The one-line text of an SMS (and of a webhook's `message`).
    #[must_use]
    pub fn short_text(&self) -> String {
        format!("Your code is {}", self.code)
    }

    /// The body of an e-mail: the code and when it stops working.
    #[must_use]
    pub fn mail_text(&self) -> String {
        format!(
            "Your verification code is {}.\n\nIt expires at {}.\nIf you did not ask for it, ignore this message.\n",
            self.code,
            rfc3339(self.expires_at)
        )
    }

    /// `expires_at` as RFC 3339 (UTC, whole seconds).
    #[must_use]
    pub fn expires_at_rfc3339(&self) -> String {
        rfc3339(self.expires_at)
    }
}

/// A Unix timestamp as RFC 3339 in UTC, e.g. `2026-11-28T12:15:00Z`. A time
/// outside years 0-9999 (which no clock of ours produces) is written as the
/// plain number rather than failing a send.
#[must_use]
pub fn rfc3339(timestamp: Timestamp) -> String {
    OffsetDateTime::from_unix_timestamp(timestamp)
        .ok()
        .and_then(|time| time.format(&Rfc3339).ok())
        .unwrap_or_else(|| timestamp.to_string())
}

/// The wall clock in seconds since the Unix epoch (0 for a clock set before
/// 1970). Only the edges read it: a sender stamping a delivery, the worker's
/// loop; everything below takes the time as an argument.
#[must_use]
pub(super) fn unix_now() -> Timestamp {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
    Timestamp::try_from(seconds).unwrap_or(Timestamp::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message() -> Message {
        Message {
            entity: 7,
            field: "mobile".to_owned(),
            channel: Channel::Sms,
            recipient: "+41791234567".to_owned(),
            code: "482913".to_owned(),
            expires_at: 1_795_867_200,
        }
    }

    #[test]
    fn texts_carry_the_code_and_the_expiry() {
        assert_eq!(message().short_text(), "Your code is 482913");
        assert!(message().mail_text().contains("482913"));
        assert!(message().mail_text().contains("2026-11-28T12:00:00Z"));
    }

    #[test]
    fn debug_hides_the_code() {
        let shown = format!("{:?}", message());
        assert!(!shown.contains("482913"), "{shown}");
        assert!(shown.contains("+41791234567"));
    }

    #[test]
    fn timestamps_out_of_range_stay_numbers() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(i64::MAX), i64::MAX.to_string());
    }
}
