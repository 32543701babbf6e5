//! Rows as every backend reads them, and their decoding into the models.
//!
//! The schemas of both dialects store the same things in the same shapes
//! (JSON as text, times and counters as 64-bit integers, flags as booleans),
//! so one `FromRow` per row kind decodes SQLite and PostgreSQL alike; only
//! the SQL that selects them differs per backend.

use std::collections::BTreeMap;

use pactum_core::Channel;
use serde_json::Value;

use super::error::StoreError;
use super::model::{Entity, EntityId, OutboxMessage, Status, Timestamp};

/// `SELECT status, data, version, created_at, updated_at FROM entities`.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct EntityRow {
    status: String,
    data: String,
    version: i64,
    created_at: Timestamp,
    updated_at: Timestamp,
}

impl EntityRow {
    pub(super) fn into_entity(self, id: EntityId, ext_keys: BTreeMap<String, String>) -> Result<Entity, StoreError> {
        Ok(Entity {
            id,
            status: parse_status(&self.status)?,
            data: serde_json::from_str(&self.data)?,
            version: self.version,
            ext_keys,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}

pub(super) fn parse_status(text: &str) -> Result<Status, StoreError> {
    Status::parse(text).ok_or_else(|| StoreError::Database(format!("unknown stored status `{text}`")))
}

/// Who holds a unique value, and whether that hold still counts:
/// `SELECT u.entity_id, u.pending, e.status, <live> AS live`.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct HolderRow {
    entity_id: EntityId,
    status: String,
    pending: bool,
    live: bool,
}

#[derive(Debug)]
pub(super) struct Holder {
    pub(super) entity: EntityId,
    pub(super) status: Status,
    pub(super) pending: bool,
    /// For a pending hold: whether its pending change is still unexpired.
    pub(super) live: bool,
}

impl Holder {
    /// The conflict a claim of `field` by another entity answers.
    pub(super) fn taken(&self, field: &str) -> StoreError {
        StoreError::UniqueTaken { field: field.to_owned(), holder_id: self.entity, holder_status: self.status }
    }
}

impl TryFrom<HolderRow> for Holder {
    type Error = StoreError;

    fn try_from(row: HolderRow) -> Result<Self, StoreError> {
        Ok(Self { entity: row.entity_id, status: parse_status(&row.status)?, pending: row.pending, live: row.live })
    }
}

/// `SELECT field, value, unique_value, code_hash, expires_at, attempts FROM pending_changes`.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct PendingRow {
    field: String,
    value: String,
    unique_value: Option<String>,
    code_hash: Vec<u8>,
    expires_at: Timestamp,
    attempts: i64,
}

/// A verified field's new value waiting for its code.
#[derive(Debug)]
pub(super) struct PendingChange {
    pub(super) field: String,
    pub(super) value: Value,
    /// The pending hold in `unique_values`, if the field is unique.
    pub(super) unique_value: Option<String>,
    pub(super) code_hash: Vec<u8>,
    pub(super) expires_at: Timestamp,
    pub(super) attempts: i64,
}

impl TryFrom<PendingRow> for PendingChange {
    type Error = StoreError;

    fn try_from(row: PendingRow) -> Result<Self, StoreError> {
        Ok(Self {
            field: row.field,
            value: serde_json::from_str(&row.value)?,
            unique_value: row.unique_value,
            code_hash: row.code_hash,
            expires_at: row.expires_at,
            attempts: row.attempts,
        })
    }
}

/// `RETURNING id, entity_id, channel, recipient, payload, attempts, created_at`.
#[derive(Debug, sqlx::FromRow)]
pub(super) struct OutboxRow {
    id: i64,
    entity_id: Option<EntityId>,
    channel: String,
    recipient: String,
    payload: Vec<u8>,
    attempts: i64,
    created_at: Timestamp,
}

impl TryFrom<OutboxRow> for OutboxMessage {
    type Error = StoreError;

    fn try_from(row: OutboxRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: row.id,
            entity_id: row.entity_id,
            channel: parse_channel(&row.channel)?,
            recipient: row.recipient,
            payload: row.payload,
            attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
            created_at: row.created_at,
        })
    }
}

/// The store writes only [`Channel::as_str`], so another text is a damaged
/// row, read like an unknown status.
fn parse_channel(text: &str) -> Result<Channel, StoreError> {
    Channel::parse(text).ok_or_else(|| StoreError::Database(format!("unknown stored channel `{text}`")))
}

/// Claimed rows in the order they were written: `RETURNING` promises no order.
/// A damaged row is logged and left leased rather than failing the claim,
/// so it cannot hold back the rows claimed with it.
pub(super) fn claimed_messages(rows: Vec<OutboxRow>) -> Vec<OutboxMessage> {
    let mut messages: Vec<OutboxMessage> = rows
        .into_iter()
        .filter_map(|row| {
            let id = row.id;
            OutboxMessage::try_from(row)
                .map_err(|error| tracing::error!(outbox = id, %error, "an outbox row cannot be read; not sent"))
                .ok()
        })
        .collect();
    messages.sort_by_key(|message| message.id);
    messages
}
