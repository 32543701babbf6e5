//! Unique values: one row per normalized (field, value), current or pending,
//! under a primary key. Holding a pending value blocks everyone else from it
//! until the pending change is verified, replaced, cancelled or expires.

use serde_json::Value;
use sqlx::SqliteConnection;

use crate::store::error::StoreError;
use crate::store::model::{Claim, EntityId, Timestamp};
use crate::store::rows::{Holder, HolderRow};

async fn holder(
    conn: &mut SqliteConnection,
    field: &str,
    value: &str,
    now: Timestamp,
) -> Result<Option<Holder>, StoreError> {
    let row: Option<HolderRow> = sqlx::query_as(
        "SELECT u.entity_id, u.pending, e.status,
                EXISTS (SELECT 1 FROM pending_changes p
                        WHERE p.entity_id = u.entity_id AND p.field = u.field
                          AND p.unique_value = u.value AND p.expires_at > ?) AS live
         FROM unique_values u JOIN entities e ON e.id = u.entity_id
         WHERE u.field = ? AND u.value = ?",
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
pub(super) async fn check(
    conn: &mut SqliteConnection,
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
            sqlx::query("DELETE FROM pending_changes WHERE entity_id = ? AND field = ? AND unique_value = ?")
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

/// Makes `entity` hold (`field`, `value`): as a pending value, or as the
/// field's current value, which also releases the field's old current value.
/// A pending hold by the same entity becomes current; a current one is never
/// demoted to pending.
///
/// Errors: `UniqueTaken` if another entity holds it (the primary key decides,
/// whatever was checked before).
pub(super) async fn claim(
    conn: &mut SqliteConnection,
    entity: EntityId,
    field: &str,
    value: &str,
    pending: bool,
) -> Result<(), StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO unique_values (field, value, entity_id, pending) VALUES (?, ?, ?, ?)
         ON CONFLICT (field, value) DO NOTHING",
    )
    .bind(field)
    .bind(value)
    .bind(entity)
    .bind(pending)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 0 {
        // Held already: fine if by this entity, a conflict otherwise. `now`
        // does not matter here: any hold by another entity is a conflict.
        match holder(conn, field, value, Timestamp::MIN).await? {
            Some(holder) if holder.entity == entity => {
                if !pending {
                    sqlx::query("UPDATE unique_values SET pending = 0 WHERE field = ? AND value = ?")
                        .bind(field)
                        .bind(value)
                        .execute(&mut *conn)
                        .await?;
                }
            }
            Some(holder) => return Err(holder.taken(field)),
            None => return Err(StoreError::Database(format!("unique value of `{field}` vanished while claimed"))),
        }
    }
    if !pending {
        sqlx::query("DELETE FROM unique_values WHERE entity_id = ? AND field = ? AND pending = 0 AND value <> ?")
            .bind(entity)
            .bind(field)
            .bind(value)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Releases the entity's current values of fields its new `data` no longer
/// has (cleared with `null`), out of `held`, the fields it held current
/// values of. Changed fields were released by [`claim`].
pub(super) async fn release_cleared(
    conn: &mut SqliteConnection,
    entity: EntityId,
    data: &Value,
    held: &[String],
) -> Result<(), StoreError> {
    for field in held.iter().filter(|field| data.get(field.as_str()).is_none_or(Value::is_null)) {
        sqlx::query("DELETE FROM unique_values WHERE entity_id = ? AND field = ? AND pending = 0")
            .bind(entity)
            .bind(field)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Releases a pending hold of `entity` (its change was replaced or cancelled).
pub(super) async fn release_pending(
    conn: &mut SqliteConnection,
    entity: EntityId,
    field: &str,
    value: &str,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM unique_values WHERE entity_id = ? AND field = ? AND value = ? AND pending = 1")
        .bind(entity)
        .bind(field)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
