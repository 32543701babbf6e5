//! What the store keeps and what its operations take and answer. Plain data,
//! shared by every backend, so the HTTP layer never sees SQL types.

use std::collections::BTreeMap;
use std::fmt;

use pactum_core::Channel;
use pactum_core::wire::{WireClaim, WirePending};
use serde_json::Value;

/// An entity's dp-keyid. Assigned by the store, never reused.
pub type EntityId = i64;

/// Seconds since the Unix epoch, always from the caller's clock: the store has
/// no clock, so rules on time (cooldowns, windows, expiry, backoff) are
/// deterministic under test and agree across hosts that pass the same time.
pub type Timestamp = i64;

/// An entity's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Created under a contract with verified fields, waiting for its first
    /// verification. Counts as active for uniqueness (400.4, not 400.5).
    Unverified,
    Active,
    /// Deactivated (1004). Still holds its values and unique claims.
    Inactive,
}

impl Status {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unverified => "unverified",
            Self::Active => "active",
            Self::Inactive => "inactive",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "unverified" => Some(Self::Unverified),
            "active" => Some(Self::Active),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One stored entity, as a read (1002) or a write answers it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub id: EntityId,
    pub status: Status,
    /// The data object, verified values only (pending ones live apart).
    pub data: Value,
    /// Bumped whenever the data or the status changes: the ETag, and what
    /// `If-Match` is compared with.
    pub version: i64,
    /// External keys, ext-type -> ext-key (at most one per type).
    pub ext_keys: BTreeMap<String, String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A normalized unique value the entity will hold once the write commits:
/// the engine's [`WireClaim`] without the role, which only the HTTP layer
/// needs (to choose 400.2 / 400.4 / 400.5 / 400.14).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub field: String,
    pub value: String,
}

impl From<WireClaim> for Claim {
    fn from(claim: WireClaim) -> Self {
        Self { field: claim.field, value: claim.value }
    }
}

/// A verified field whose new value waits for a code: the engine's
/// [`WirePending`] plus where the code goes.
#[derive(Debug, Clone, PartialEq)]
pub struct VerificationRequest {
    pub field: String,
    pub channel: Channel,
    /// The normalized new value, applied to the data by a successful verify.
    pub value: Value,
    /// The address or number the code is sent to (usually `value` itself).
    pub recipient: String,
}

impl From<WirePending> for VerificationRequest {
    /// The recipient is the value itself when it is a string (an e-mail
    /// address, an E.164 number), its JSON text otherwise.
    fn from(pending: WirePending) -> Self {
        let recipient = match &pending.value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        Self { field: pending.field, channel: pending.channel, value: pending.value, recipient }
    }
}

/// 1001: a new entity, as the engine accepted it (`Operation::Create`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntity {
    /// The calling app's name, for the audit log.
    pub app: String,
    pub now: Timestamp,
    /// `Unverified` when `verifications` is not empty; `Inactive` is allowed
    /// for seeding and imports.
    pub status: Status,
    pub data: Value,
    /// ext-type -> ext-key; a map, so there is at most one per type.
    pub ext_keys: BTreeMap<String, String>,
    /// Every unique value of the new entity. All are held as current values:
    /// on create, verified fields are already written to the data.
    pub unique: Vec<Claim>,
    /// Codes to send for the verified fields. On create they confirm values
    /// already in the data, and a successful verify activates the entity.
    pub verifications: Vec<VerificationRequest>,
}

/// 1003: an accepted update of one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub entity: EntityId,
    pub app: String,
    pub now: Timestamp,
    /// The version the contract module decided on: the update commits
    /// only onto this version (else `VersionMismatch`, and nothing changes),
    /// so the data written is never built from a stale read.
    pub decided_on: i64,
    /// The whole new data object (the engine's `entity`, verified changes held back).
    pub data: Value,
    /// JSON Pointers of the members changed (the engine's `changed`), for the audit log.
    pub changed: Vec<String>,
    /// The engine's unique claims: changed unique values, pending ones
    /// included. A claim on a field listed in `verifications` is held as a
    /// pending value; every other claim becomes the field's current value.
    pub unique: Vec<Claim>,
    pub verifications: Vec<VerificationRequest>,
}

/// What a create or update does once its steps have run: commit them, or
/// (a dry run, `?dryRun=true`) roll them back. Either way the steps are the
/// same, in the same transaction: the same reads, uniqueness checks and
/// verification limits decide the same answer; a dry run keeps none of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteMode {
    #[default]
    Commit,
    DryRun,
}

/// The verification limits. Configuration, the same on every host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerificationPolicy {
    /// Minimum seconds between two codes for one entity and field (200.3).
    pub cooldown_secs: i64,
    /// The sliding window for `window_limit`, in seconds.
    pub window_secs: i64,
    /// Codes one entity may be sent within the window (200.2); 0 means no limit.
    pub window_limit: u32,
    /// How long a code stays valid.
    pub code_ttl_secs: i64,
    /// Wrong codes after which the pending change is cancelled.
    pub max_attempts: u32,
}

impl Default for VerificationPolicy {
    fn default() -> Self {
        Self { cooldown_secs: 120, window_secs: 24 * 60 * 60, window_limit: 5, code_ttl_secs: 15 * 60, max_attempts: 5 }
    }
}

/// What became of one requested verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dispatch {
    /// 200.1: a code was stored and queued for sending.
    Dispatched { expires_at: Timestamp },
    /// 200.2: the entity's window limit is reached; retry after this many seconds.
    LimitReached { retry_after: i64 },
    /// 200.3: a code for this field went out within the cooldown; retry after this many seconds.
    Cooldown { retry_after: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDispatch {
    pub field: String,
    pub channel: Channel,
    pub dispatch: Dispatch,
}

/// The answer to a committed create or update.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    /// The entity as committed.
    pub entity: Entity,
    /// One per requested verification, in request order.
    pub verifications: Vec<FieldDispatch>,
}

/// The answer to a verify (2004). Every variant is committed: attempts and
/// cancellations must stick even though the client gets an error status.
#[derive(Debug, Clone, PartialEq)]
pub enum VerifyOutcome {
    /// 204: `field`'s pending value is now the entity's value (and an
    /// unverified entity is active).
    Verified { entity: Entity, field: String },
    /// 403: the code matches no pending change. `attempts_left` is the most
    /// wrong codes any remaining pending change still tolerates; 0 means the
    /// attempts are used up and every pending change was cancelled.
    Mismatch { attempts_left: u32 },
    /// 403: the pending change(s) expired and were cancelled.
    Expired,
    /// 400.4 / 400.5 (or 400.2): the pending value was taken meanwhile; the
    /// pending change was cancelled.
    Taken { field: String, holder_id: EntityId, holder_status: Status },
    /// 501.2: nothing is pending and the entity is not waiting to be verified.
    NotNeeded,
    /// 501.3: the entity is unverified but has no code assigned.
    NoCode,
}

/// What waits in the outbox: rows neither sent nor abandoned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxBacklog {
    pub waiting: i64,
    /// `created_at` of the oldest waiting row.
    pub oldest_created_at: Option<Timestamp>,
}

/// The connection pool's state, for `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PoolUse {
    /// Connections open, idle or in use.
    pub open: u32,
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// One outbox row claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub entity_id: Option<EntityId>,
    pub channel: Channel,
    pub recipient: String,
    /// Opaque to the store: the caller's sealed (encrypted) message.
    pub payload: Vec<u8>,
    /// Claims so far, this one included.
    pub attempts: u32,
    pub created_at: Timestamp,
}
