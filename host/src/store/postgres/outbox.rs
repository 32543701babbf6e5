//! The transactional outbox: rows written in the same transaction as the
//! change they announce, drained by workers on any host. Delivery is at least once: a
//! claim leases rows by moving `next_attempt_at` past the lease, so a worker
//! that dies mid-send delays its rows instead of losing them.

use sqlx::PgConnection;

use crate::store::error::StoreError;
use crate::store::model::{EntityId, OutboxMessage, Timestamp};
use crate::store::rows::{OutboxRow, claimed_messages};

pub(super) async fn enqueue(
    conn: &mut PgConnection,
    entity: EntityId,
    channel: &str,
    recipient: &str,
    payload: &[u8],
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (entity_id, channel, recipient, payload, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
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

/// Leases up to `limit` due rows, oldest due first. Rows another worker is
/// claiming right now are skipped, not waited for (`SKIP LOCKED`), so
/// workers on several hosts each get different rows and none blocks.
pub(super) async fn claim(
    conn: &mut PgConnection,
    now: Timestamp,
    lease_secs: i64,
    limit: u32,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows: Vec<OutboxRow> = sqlx::query_as(
        "WITH due AS (SELECT id FROM outbox
                      WHERE sent_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= $2
                      ORDER BY next_attempt_at, id LIMIT $3
                      FOR UPDATE SKIP LOCKED)
         UPDATE outbox SET attempts = outbox.attempts + 1, next_attempt_at = $1
         FROM due WHERE outbox.id = due.id
         RETURNING outbox.id, outbox.entity_id, outbox.channel, outbox.recipient, outbox.payload,
                   outbox.attempts, outbox.created_at",
    )
    .bind(now.saturating_add(lease_secs))
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await?;
    Ok(claimed_messages(rows))
}

/// Idempotent: marking a sent row sent again changes nothing.
pub(super) async fn mark_sent(conn: &mut PgConnection, id: i64, now: Timestamp) -> Result<(), StoreError> {
    let updated = sqlx::query("UPDATE outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if updated == 0 { exists(conn, id).await } else { Ok(()) }
}

/// Due again at `retry_at`, or abandoned (never claimed again) without one.
pub(super) async fn mark_failed(
    conn: &mut PgConnection,
    id: i64,
    now: Timestamp,
    error: &str,
    retry_at: Option<Timestamp>,
) -> Result<(), StoreError> {
    let updated = sqlx::query(
        "UPDATE outbox SET last_error = $1,
                next_attempt_at = COALESCE($2, next_attempt_at),
                abandoned_at = CASE WHEN $3 IS NULL THEN $4 END
         WHERE id = $5 AND sent_at IS NULL",
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

async fn exists(conn: &mut PgConnection, id: i64) -> Result<(), StoreError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM outbox WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}
