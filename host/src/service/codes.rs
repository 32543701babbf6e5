//! The service's half of verification codes: it draws them, hashes them
//! for the store, and seals the message for the outbox. The store decides
//! whether a code is sent; this only makes it.

use crate::delivery::{Message, Sealer};
use crate::store::{CodeIssuer, CodeMatcher, EntityId, IssuedCode, StoreError, Timestamp, VerificationPolicy};
use crate::verification::code::{self, Code};

/// The secret-bearing code maker, one per service.
pub struct CodeBook {
    secret: Vec<u8>,
    length: usize,
    policy: VerificationPolicy,
    sealer: Sealer,
}

impl std::fmt::Debug for CodeBook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeBook").field("length", &self.length).field("policy", &self.policy).finish_non_exhaustive()
    }
}

/// The scope a code's hash is bound to: one entity's one field, so a code
/// is worthless for any other pending change.
fn scope(entity: EntityId, field: &str) -> String {
    format!("{entity}/{field}")
}

impl CodeBook {
    #[must_use]
    pub fn new(secret: &[u8], length: usize, policy: VerificationPolicy) -> Self {
        Self { secret: secret.to_vec(), length, policy, sealer: Sealer::new(secret) }
    }

    #[must_use]
    pub fn policy(&self) -> &VerificationPolicy {
        &self.policy
    }

    #[must_use]
    pub fn sealer(&self) -> &Sealer {
        &self.sealer
    }

    /// Issues codes for a write at `now`.
    pub fn issuer(&self, now: Timestamp) -> impl CodeIssuer + '_ {
        move |entity: EntityId, request: &crate::store::VerificationRequest| {
            let fresh = Code::generate(self.length).map_err(|error| StoreError::CodeIssue(error.to_string()))?;
            let message = Message {
                entity,
                field: request.field.clone(),
                channel: request.channel,
                recipient: request.recipient.clone(),
                code: fresh.reveal().to_owned(),
                expires_at: now.saturating_add(self.policy.code_ttl_secs),
            };
            let payload = self.sealer.seal(&message).map_err(|error| StoreError::CodeIssue(error.to_string()))?;
            Ok(IssuedCode {
                code_hash: code::hash(&self.secret, &scope(entity, &request.field), fresh.reveal()).to_vec(),
                payload,
            })
        }
    }

    /// Checks `candidate` against stored hashes, in constant time.
    pub fn matcher<'a>(&'a self, candidate: &'a str) -> impl CodeMatcher + 'a {
        move |entity: EntityId, field: &str, stored: &[u8]| {
            code::matches(&self.secret, &scope(entity, field), candidate, stored)
        }
    }
}
