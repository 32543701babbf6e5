//! Verification of changed e-mail addresses and mobile numbers: codes, and
//! (as they land) the outbox worker and the senders.

pub mod code;
