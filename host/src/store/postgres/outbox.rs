//! The transactional outbox: rows written in the same transaction as the
//! change they announce, drained by workers on any host. Delivery is at least once: a
//! claim leases rows by moving `next_attempt_at` past the lease, so a worker
//! that dies mid-send delays its rows instead of losing them.

use sqlx::PgConnection;

use crate::store::error::StoreError;
use crate::store::model::{OutboxMessage, Timestamp};
use crate::store::rows::{OutboxRow, claimed_messages};

crate::store::steps::outbox_steps!(sqlx::PgConnection);

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
