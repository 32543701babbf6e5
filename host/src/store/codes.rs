//! The caller's half of verification codes. Drawing a code, hashing it and
//! sealing it for the sender need the server's secret and a CSPRNG, which the
//! store has neither of; the store only decides *whether* a code is sent and
//! keeps the hash. Both hooks run inside the write transaction, so they must
//! be quick and must not touch the store.

use super::error::StoreError;
use super::model::{EntityId, VerificationRequest};

/// What the caller hands back for a code the store decided to send.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The stored form of the code (e.g. an HMAC scoped to entity and field).
    pub code_hash: Vec<u8>,
    /// The outbox payload: the message with the code, sealed by the caller.
    /// Never the plain code.
    pub payload: Vec<u8>,
}

impl std::fmt::Debug for IssuedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IssuedCode(<redacted>)")
    }
}

/// Issues a code for one pending change. Called only when the cooldown and
/// window limit allow a dispatch, and after the entity has its id (so a
/// create can scope the hash to it too).
pub trait CodeIssuer: Send + Sync {
    fn issue(&self, entity: EntityId, request: &VerificationRequest) -> Result<IssuedCode, StoreError>;
}

impl<F> CodeIssuer for F
where
    F: Fn(EntityId, &VerificationRequest) -> Result<IssuedCode, StoreError> + Send + Sync,
{
    fn issue(&self, entity: EntityId, request: &VerificationRequest) -> Result<IssuedCode, StoreError> {
        self(entity, request)
    }
}

/// Checks the code a client sent against one pending change's stored hash.
/// Must compare in constant time (e.g. `subtle::ConstantTimeEq`); the store
/// asks about every live pending change, so which one matched does not show
/// in the timing either.
pub trait CodeMatcher: Send + Sync {
    fn matches(&self, entity: EntityId, field: &str, code_hash: &[u8]) -> bool;
}

impl<F> CodeMatcher for F
where
    F: Fn(EntityId, &str, &[u8]) -> bool + Send + Sync,
{
    fn matches(&self, entity: EntityId, field: &str, code_hash: &[u8]) -> bool {
        self(entity, field, code_hash)
    }
}

/// An issuer for writes that request no verification: it is never called,
/// and fails if it ever were.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoCodes;

impl CodeIssuer for NoCodes {
    fn issue(&self, _: EntityId, request: &VerificationRequest) -> Result<IssuedCode, StoreError> {
        Err(StoreError::CodeIssue(format!("no code issuer was given for `{}`", request.field)))
    }
}
