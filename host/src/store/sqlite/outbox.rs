//! The transactional outbox: rows written in the same transaction as the
//! change they announce, drained by a worker. Delivery is at least once: a
//! claim leases rows by moving `next_attempt_at` past the lease, so a worker
//! that dies mid-send delays its rows instead of losing them.

use sqlx::SqliteConnection;

use crate::store::error::StoreError;
use crate::store::model::{OutboxMessage, Timestamp};
use crate::store::rows::{OutboxRow, claimed_messages};

crate::store::steps::outbox_steps!(sqlx::SqliteConnection);

/// Leases up to `limit` due rows, oldest due first. One statement under the
/// write lock, so two workers never get the same row (PostgreSQL uses
/// `FOR UPDATE SKIP LOCKED` for the same guarantee across hosts).
pub(super) async fn claim(
    conn: &mut SqliteConnection,
    now: Timestamp,
    lease_secs: i64,
    limit: u32,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?
         WHERE id IN (SELECT id FROM outbox
                      WHERE sent_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= ?
                      ORDER BY next_attempt_at, id LIMIT ?)
         RETURNING id, entity_id, channel, recipient, payload, attempts, created_at",
    )
    .bind(now.saturating_add(lease_secs))
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    Ok(claimed_messages(rows))
}
