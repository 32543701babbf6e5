//! The transactional outbox: rows written in the same transaction as the
//! change they announce, drained by workers on any host. Delivery is at
//! least once: a claim leases rows by moving `next_attempt_at` past the
//! lease, so a worker that dies mid-send delays its rows instead of losing
//! them.

use pactum_core::Channel;

use super::conn::{Conn, Dialect, args};
use super::error::StoreError;
use super::model::{EntityId, OutboxBacklog, OutboxMessage, Timestamp};
use super::rows::{OutboxRow, claimed_messages};

/// Queues a message in the caller's transaction: it is sent only if the
/// change it announces commits.
pub(super) async fn enqueue(
    conn: &mut Conn<'_>,
    entity: EntityId,
    channel: Channel,
    recipient: &str,
    payload: &[u8],
    now: Timestamp,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO outbox (entity_id, channel, recipient, payload, created_at, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
        args![entity, channel.as_str(), recipient, payload, now],
    )
    .await?;
    Ok(())
}

/// Leases up to `limit` due rows, oldest due first. Two workers never get
/// the same row: on SQLite the one writer excludes the other; on PostgreSQL
/// rows another worker is claiming right now are skipped, not waited for
/// (`SKIP LOCKED`), so workers on several hosts each get different rows and
/// none blocks.
pub(super) async fn claim(
    conn: &mut Conn<'_>,
    now: Timestamp,
    lease_secs: i64,
    limit: u32,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let sql = match conn.dialect() {
        Dialect::Sqlite => {
            "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $1
             WHERE id IN (SELECT id FROM outbox
                          WHERE sent_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= $2
                          ORDER BY next_attempt_at, id LIMIT $3)
             RETURNING id, entity_id, channel, recipient, payload, attempts, created_at"
        }
        Dialect::Postgres => {
            "WITH due AS (SELECT id FROM outbox
                          WHERE sent_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= $2
                          ORDER BY next_attempt_at, id LIMIT $3
                          FOR UPDATE SKIP LOCKED)
             UPDATE outbox SET attempts = outbox.attempts + 1, next_attempt_at = $1
             FROM due WHERE outbox.id = due.id
             RETURNING outbox.id, outbox.entity_id, outbox.channel, outbox.recipient, outbox.payload,
                       outbox.attempts, outbox.created_at"
        }
    };
    let rows: Vec<OutboxRow> =
        conn.fetch_all(sql, args![now.saturating_add(lease_secs), now, i64::from(limit)]).await?;
    Ok(claimed_messages(rows))
}

/// How many rows wait to be sent, and since when.
pub(super) async fn backlog(conn: &mut Conn<'_>) -> Result<OutboxBacklog, StoreError> {
    const WAITING: &str = "sent_at IS NULL AND abandoned_at IS NULL";
    let waiting: i64 = conn.scalar(&format!("SELECT count(*) FROM outbox WHERE {WAITING}"), args![]).await?;
    let oldest: Vec<i64> = conn
        .scalars(&format!("SELECT created_at FROM outbox WHERE {WAITING} ORDER BY created_at LIMIT 1"), args![])
        .await?;
    Ok(OutboxBacklog { waiting, oldest_created_at: oldest.first().copied() })
}

/// Idempotent: marking a sent row sent again changes nothing.
pub(super) async fn mark_sent(conn: &mut Conn<'_>, id: i64, now: Timestamp) -> Result<(), StoreError> {
    let updated =
        conn.execute("UPDATE outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL", args![now, id]).await?;
    if updated == 0 { exists(conn, id).await } else { Ok(()) }
}

/// Due again at `retry_at`, or abandoned (never claimed again) without one.
pub(super) async fn mark_failed(
    conn: &mut Conn<'_>,
    id: i64,
    now: Timestamp,
    error: &str,
    retry_at: Option<Timestamp>,
) -> Result<(), StoreError> {
    let updated = conn
        .execute(
            "UPDATE outbox SET last_error = $1,
                    next_attempt_at = COALESCE($2, next_attempt_at),
                    abandoned_at = CASE WHEN $3 IS NULL THEN $4 END
             WHERE id = $5 AND sent_at IS NULL",
            args![error, retry_at, retry_at, now, id],
        )
        .await?;
    if updated == 0 { exists(conn, id).await } else { Ok(()) }
}

async fn exists(conn: &mut Conn<'_>, id: i64) -> Result<(), StoreError> {
    let found: Option<i64> = conn.scalar_optional("SELECT id FROM outbox WHERE id = $1", args![id]).await?;
    found.map(|_| ()).ok_or(StoreError::NotFound)
}
