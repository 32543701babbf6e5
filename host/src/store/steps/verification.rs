//! Pending changes: dispatching a code under the cooldown and window limit,
//! and checking one (2004), the same SQL on both backends. Both run inside
//! the caller's write transaction, after the entity is read for writing, so
//! the limits and attempts hold across connections and hosts.

/// Expands, in a backend's `verification` module, to `dispatch`, `cancel`,
/// `cancel_all` and `verify` over the backend's connection type, reading the
/// entity to write with `entities::$load_for_write` (PostgreSQL locks its
/// row; on SQLite the write transaction already holds the database's lock).
macro_rules! verification_steps {
    ($Conn:ty, load_for_write = $load_for_write:ident) => {
        mod steps {
            use super::super::{entities, outbox, unique};
            use crate::store::codes::{CodeIssuer, CodeMatcher};
            use crate::store::decisions::{self, Verdict};
            use crate::store::error::StoreError;
            use crate::store::model::{
                Dispatch, Entity, EntityId, FieldDispatch, Timestamp, VerificationPolicy, VerificationRequest,
                VerifyOutcome,
            };
            use crate::store::rows::{PendingChange, PendingRow};
            use crate::store::{pointer, rules};

            /// Sends a code for `request` if the cooldown and window limit allow:
            /// replaces the field's earlier pending change, holds `unique_value` as a
            /// pending value, and queues the outbox row. A refusal records nothing.
            pub(in crate::store) async fn dispatch(
                conn: &mut $Conn,
                policy: &VerificationPolicy,
                entity: EntityId,
                now: Timestamp,
                request: &VerificationRequest,
                unique_value: Option<&str>,
                codes: &dyn CodeIssuer,
            ) -> Result<FieldDispatch, StoreError> {
                let answer = |dispatch| FieldDispatch { field: request.field.clone(), channel: request.channel.clone(), dispatch };

                // Dispatches older than both the cooldown and the window decide nothing.
                let horizon = now.saturating_sub(policy.window_secs.max(policy.cooldown_secs));
                sqlx::query("DELETE FROM verification_requests WHERE entity_id = $1 AND requested_at <= $2")
                    .bind(entity)
                    .bind(horizon)
                    .execute(&mut *conn)
                    .await?;
                let last_for_field: Option<Timestamp> =
                    sqlx::query_scalar("SELECT MAX(requested_at) FROM verification_requests WHERE entity_id = $1 AND field = $2")
                        .bind(entity)
                        .bind(&request.field)
                        .fetch_one(&mut *conn)
                        .await?;
                let in_window: Vec<Timestamp> = sqlx::query_scalar(
                    "SELECT requested_at FROM verification_requests WHERE entity_id = $1 AND requested_at > $2
                     ORDER BY requested_at",
                )
                .bind(entity)
                .bind(now.saturating_sub(policy.window_secs))
                .fetch_all(&mut *conn)
                .await?;
                if let Some(refusal) = rules::refusal(policy, now, last_for_field, &in_window) {
                    return Ok(answer(refusal));
                }

                let issued = codes.issue(entity, request)?;
                cancel(conn, entity, &request.field).await?;
                if let Some(value) = unique_value {
                    unique::claim(conn, entity, &request.field, value, true).await?;
                }
                let expires_at = now.saturating_add(policy.code_ttl_secs);
                sqlx::query(
                    "INSERT INTO pending_changes
                         (entity_id, field, channel, value, unique_value, code_hash, created_at, expires_at, attempts)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
                )
                .bind(entity)
                .bind(&request.field)
                .bind(&request.channel)
                .bind(serde_json::to_string(&request.value)?)
                .bind(unique_value)
                .bind(&issued.code_hash)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *conn)
                .await?;
                sqlx::query("INSERT INTO verification_requests (entity_id, field, requested_at) VALUES ($1, $2, $3)")
                    .bind(entity)
                    .bind(&request.field)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?;
                outbox::enqueue(conn, entity, &request.channel, &request.recipient, &issued.payload, now).await?;
                Ok(answer(Dispatch::Dispatched { expires_at }))
            }

            /// Cancels the entity's pending change of `field`, if any, and its hold.
            pub(in crate::store) async fn cancel(conn: &mut $Conn, entity: EntityId, field: &str) -> Result<(), StoreError> {
                let held: Option<Option<String>> =
                    sqlx::query_scalar("DELETE FROM pending_changes WHERE entity_id = $1 AND field = $2 RETURNING unique_value")
                        .bind(entity)
                        .bind(field)
                        .fetch_optional(&mut *conn)
                        .await?;
                if let Some(Some(value)) = held {
                    unique::release_pending(conn, entity, field, &value).await?;
                }
                Ok(())
            }

            /// Cancels every pending change of the entity.
            pub(in crate::store) async fn cancel_all(conn: &mut $Conn, entity: EntityId) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM unique_values WHERE entity_id = $1 AND pending = TRUE").bind(entity).execute(&mut *conn).await?;
                sqlx::query("DELETE FROM pending_changes WHERE entity_id = $1").bind(entity).execute(&mut *conn).await?;
                Ok(())
            }

            /// Verifies (endpoint 2004). Expired changes are cancelled first; the code is then checked
            /// against every live one, and the match (if any) is applied.
            pub(in crate::store) async fn verify(
                conn: &mut $Conn,
                policy: &VerificationPolicy,
                id: EntityId,
                app: &str,
                now: Timestamp,
                codes: &dyn CodeMatcher,
            ) -> Result<VerifyOutcome, StoreError> {
                let entity = entities::$load_for_write(conn, id).await?;
                let rows: Vec<PendingRow> = sqlx::query_as(
                    "SELECT field, value, unique_value, code_hash, expires_at, attempts
                     FROM pending_changes WHERE entity_id = $1 ORDER BY field",
                )
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
                let changes = rows.into_iter().map(PendingChange::try_from).collect::<Result<Vec<_>, _>>()?;
                let (live, expired) = decisions::split_expired(changes, now);
                for change in &expired {
                    cancel(conn, id, &change.field).await?;
                }
                if live.is_empty() {
                    return Ok(decisions::nothing_live(!expired.is_empty(), entity.status));
                }
                match decisions::judge(id, live, codes) {
                    Verdict::Matched(change) => apply(conn, &entity, change, app, now).await,
                    Verdict::Missed(changes) => mismatch(conn, policy, id, &changes).await,
                }
            }

            /// The code matched: the pending value becomes the entity's value.
            async fn apply(
                conn: &mut $Conn,
                entity: &Entity,
                change: PendingChange,
                app: &str,
                now: Timestamp,
            ) -> Result<VerifyOutcome, StoreError> {
                if let Some(value) = &change.unique_value {
                    // Its pending hold normally guarantees the value; re-checked all the
                    // same, since the hold is what the unique index answers for.
                    match unique::claim(conn, entity.id, &change.field, value, false).await {
                        Err(StoreError::UniqueTaken { field, holder_id, holder_status }) => {
                            cancel(conn, entity.id, &change.field).await?;
                            return Ok(VerifyOutcome::Taken { field, holder_id, holder_status });
                        }
                        other => other?,
                    }
                }
                sqlx::query("DELETE FROM pending_changes WHERE entity_id = $1 AND field = $2")
                    .bind(entity.id)
                    .bind(&change.field)
                    .execute(&mut *conn)
                    .await?;
                entities::apply_verified(conn, entity, &change.field, change.value, now).await?;
                entities::audit(conn, now, app, entity.id, "verify", &[pointer(&change.field)], &[]).await?;
                Ok(VerifyOutcome::Verified { entity: entities::load(conn, entity.id).await?, field: change.field })
            }

            /// No code matched: one more attempt on every live change; those that used
            /// up their attempts are cancelled.
            async fn mismatch(
                conn: &mut $Conn,
                policy: &VerificationPolicy,
                id: EntityId,
                changes: &[PendingChange],
            ) -> Result<VerifyOutcome, StoreError> {
                let mut remaining = Vec::with_capacity(changes.len());
                for change in changes {
                    match decisions::attempts_after_miss(policy, change) {
                        None => cancel(conn, id, &change.field).await?,
                        Some(attempts) => {
                            sqlx::query("UPDATE pending_changes SET attempts = $1 WHERE entity_id = $2 AND field = $3")
                                .bind(attempts)
                                .bind(id)
                                .bind(&change.field)
                                .execute(&mut *conn)
                                .await?;
                            remaining.push(attempts);
                        }
                    }
                }
                Ok(decisions::mismatch(policy, &remaining))
            }
        }
        pub(super) use steps::{cancel_all, dispatch, verify};
    };
}

pub(in crate::store) use verification_steps;
