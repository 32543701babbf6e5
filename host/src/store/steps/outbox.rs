//! The outbox's steps that are the same SQL on both backends: queueing a
//! message and recording how its send went. Claiming differs (PostgreSQL
//! skips rows other hosts hold locked), so each backend writes its own.

/// Expands, in a backend's `outbox` module, to `enqueue`, `mark_sent` and
/// `mark_failed` over the backend's connection type.
macro_rules! outbox_steps {
    ($Conn:ty) => {
        mod steps {
            use crate::store::error::StoreError;
            use crate::store::model::{EntityId, Timestamp};

            /// Queues a message in the caller's transaction: it is sent only if
            /// the change it announces commits.
            pub(in crate::store) async fn enqueue(
                conn: &mut $Conn,
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

            /// Idempotent: marking a sent row sent again changes nothing.
            pub(in crate::store) async fn mark_sent(
                conn: &mut $Conn,
                id: i64,
                now: Timestamp,
            ) -> Result<(), StoreError> {
                let updated = sqlx::query("UPDATE outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL")
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if updated == 0 { exists(conn, id).await } else { Ok(()) }
            }

            /// Due again at `retry_at`, or abandoned (never claimed again) without one.
            pub(in crate::store) async fn mark_failed(
                conn: &mut $Conn,
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

            async fn exists(conn: &mut $Conn, id: i64) -> Result<(), StoreError> {
                let found: Option<i64> = sqlx::query_scalar("SELECT id FROM outbox WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                found.map(|_| ()).ok_or(StoreError::NotFound)
            }
        }
        pub(super) use steps::{enqueue, mark_failed, mark_sent};
    };
}

pub(in crate::store) use outbox_steps;
