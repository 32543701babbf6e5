//! Unique values: one row per normalized (field, value), current or pending,
//! under a primary key. Holding a pending value blocks everyone else from it
//! until the pending change is verified, replaced, cancelled or expires.

use serde_json::Value;
use sqlx::SqliteConnection;

use crate::store::error::StoreError;
use crate::store::model::{EntityId, Timestamp};

crate::store::steps::unique_steps!(sqlx::SqliteConnection);

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
