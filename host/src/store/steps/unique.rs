//! The unique-value steps that are the same SQL on both backends: who holds
//! a value, the check before a write, and releasing a pending hold. Taking a
//! hold differs (how each backend's upsert reports who won), so `claim`
//! is each backend's own.

/// Expands, in a backend's `unique` module, to `holder`, `check` and
/// `release_pending` over the backend's connection type.
macro_rules! unique_steps {
    ($Conn:ty) => {
        mod steps {
            use crate::store::error::StoreError;
            use crate::store::model::{Claim, EntityId, Timestamp};
            use crate::store::rows::{Holder, HolderRow};

            /// Who holds (`field`, `value`), if anyone; `live` says whether a pending
            /// hold's change is unexpired at `now`.
            pub(in crate::store) async fn holder(
                conn: &mut $Conn,
                field: &str,
                value: &str,
                now: Timestamp,
            ) -> Result<Option<Holder>, StoreError> {
                let row: Option<HolderRow> = sqlx::query_as(
                    "SELECT u.entity_id, u.pending, e.status,
                            EXISTS (SELECT 1 FROM pending_changes p
                                    WHERE p.entity_id = u.entity_id AND p.field = u.field
                                      AND p.unique_value = u.value AND p.expires_at > $1) AS live
                     FROM unique_values u JOIN entities e ON e.id = u.entity_id
                     WHERE u.field = $2 AND u.value = $3",
                )
                .bind(now)
                .bind(field)
                .bind(value)
                .fetch_optional(&mut *conn)
                .await?;
                row.map(Holder::try_from).transpose()
            }

            /// Fails with `UniqueTaken` if another entity holds any of `claims`.
            ///
            /// A pending hold whose change has expired no longer counts: that change is
            /// cancelled here, so an abandoned verification cannot block a value forever.
            /// The check takes no lock; the backend's `claim` is what decides a race.
            pub(in crate::store) async fn check(
                conn: &mut $Conn,
                owner: Option<EntityId>,
                claims: &[Claim],
                now: Timestamp,
            ) -> Result<(), StoreError> {
                for claim in claims {
                    let Some(holder) = holder(conn, &claim.field, &claim.value, now).await? else { continue };
                    if Some(holder.entity) == owner {
                        continue;
                    }
                    if holder.pending && !holder.live {
                        // The expired change behind this hold (if any: a hold without
                        // one is an orphan and just as dead), then the hold itself.
                        sqlx::query(
                            "DELETE FROM pending_changes WHERE entity_id = $1 AND field = $2 AND unique_value = $3",
                        )
                        .bind(holder.entity)
                        .bind(&claim.field)
                        .bind(&claim.value)
                        .execute(&mut *conn)
                        .await?;
                        release_pending(conn, holder.entity, &claim.field, &claim.value).await?;
                        continue;
                    }
                    return Err(holder.taken(&claim.field));
                }
                Ok(())
            }

            /// Releases a pending hold of `entity` (its change was replaced or cancelled).
            pub(in crate::store) async fn release_pending(
                conn: &mut $Conn,
                entity: EntityId,
                field: &str,
                value: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "DELETE FROM unique_values WHERE entity_id = $1 AND field = $2 AND value = $3 AND pending = TRUE",
                )
                .bind(entity)
                .bind(field)
                .bind(value)
                .execute(&mut *conn)
                .await?;
                Ok(())
            }
        }
        pub(super) use steps::{check, holder, release_pending};
    };
}

pub(in crate::store) use unique_steps;
