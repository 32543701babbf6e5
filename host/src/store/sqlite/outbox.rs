//! The transactional outbox: rows written in the same transaction as the
//! change they announce, drained by a worker. Delivery is at least once: a
//! claim leases rows by moving `next_attempt_at` past the lease, so a worker
//! that dies mid-send delays its rows instead of losing them.

use sqlx::SqliteConnection;

use crate::store::error::StoreError;
use crate::store::model::{EntityId, OutboxMessage, Timestamp};
use crate::store::rows::{OutboxRow, claimed_messages};

pub(super) async fn enqueue(
    conn: &mut SqliteConnection,
    entity: EntityId,
    channel: &str,
    recipient: &str,
    payload: &[u8],
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (entity_id, channel, recipient, payload, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(entity)
    .bind(channel)
    .bind(recipient)
    .bind(payload)
    .bind(now)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

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

/// Idempotent: marking a sent row sent again changes nothing.
pub(super) async fn mark_sent(conn: &mut SqliteConnection, id: i64, now: Timestamp) -> Result<(), StoreError> {
    let updated = sqlx::query("UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if updated == 0 { exists(conn, id).await } else { Ok(()) }
}

/// Due again at `retry_at`, or abandoned (never claimed again) without one.
pub(super) async fn mark_failed(
    conn: &mut SqliteConnection,
    id: i64,
    now: Timestamp,
    error: &str,
    retry_at: Option<Timestamp>,
) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE outbox SET last_error = ?,
                next_attempt_at = COALESCE(?, next_attempt_at),
                abandoned_at = CASE WHEN ? IS NULL THEN ? END
         WHERE id = ? AND sent_at IS NULL",
    )
    .bind(error)
    .bind(retry_at)
    .bind(retry_at)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 { exists(conn, id).await } else { Ok(()) }
}

async fn exists(conn: &mut SqliteConnection, id: i64) -> Result<(), StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM outbox WHERE id = ?").bind(id).fetch_optional(&mut *conn).await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}
