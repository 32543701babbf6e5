//! The service's half of verification codes: it draws them, hashes them
//! for the store, and seals the message for the outbox. The store decides
//! whether a code is sent; this only makes it.

use crate::delivery::{Message, Sealer};
use crate::store::{
    CodeIssuer, CodeMatcher, EntityId, IssuedCode, StoreError, Timestamp, VerificationPolicy, VerificationRequest,
    WriteMode,
};
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
        move |entity: EntityId, request: &VerificationRequest| {
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

    /// Issues codes for a write at `now` as `mode` says: real ones, or, for
    /// a dry run, `DryRunCodes`, which draws none.
    pub fn issuer_for(&self, now: Timestamp, mode: WriteMode) -> Box<dyn CodeIssuer + '_> {
        match mode {
            WriteMode::Commit => Box::new(self.issuer(now)),
            WriteMode::DryRun => Box::new(DryRunCodes),
        }
    }

    /// Checks `candidate` against stored hashes, in constant time.
    pub fn matcher<'a>(&'a self, candidate: &'a str) -> impl CodeMatcher + 'a {
        move |entity: EntityId, field: &str, stored: &[u8]| {
            code::matches(&self.secret, &scope(entity, field), candidate, stored)
        }
    }
}

/// The issuer of a dry run. The store asks for a code only once it has
/// decided to send one (the cooldown and the window allowed it), and a dry
/// run's transaction is rolled back, so no code is needed: none is drawn,
/// hashed or sealed, and the rows that would hold it (the pending change,
/// the outbox row), written and rolled back like every other row of the
/// dry run, hold a blank hash that matches no code and an empty payload.
#[derive(Debug, Clone, Copy, Default)]
struct DryRunCodes;

impl CodeIssuer for DryRunCodes {
    fn issue(&self, _: EntityId, _: &VerificationRequest) -> Result<IssuedCode, StoreError> {
        Ok(IssuedCode { code_hash: vec![0; 32], payload: Vec::new() })
    }
}
