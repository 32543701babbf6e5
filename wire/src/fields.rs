//! The two small vocabularies a decision uses: the channel a verification
//! code goes out on, and the role of a unique field. One type each, from
//! the contract's `x-pactum-*` keywords through the wire to the store and
//! the senders.

use serde::{Deserialize, Serialize};

/// The channel a verified field's code goes out on (`x-pactum-verify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    /// Both channels, in a fixed order.
    pub const ALL: [Self; 2] = [Self::Sms, Self::Email];

    /// The name on the wire, in the contract and in the database.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    /// The channel named `name`, if any.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|channel| channel.as_str() == name)
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a field is, for the sub codes tied to it (400.2-400.5, 400.13)
/// and the uniqueness index (`x-pactum-role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Email,
    Mobile,
}

impl Role {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Mobile => "mobile",
        }
    }
}
