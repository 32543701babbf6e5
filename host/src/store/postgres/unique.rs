//! Unique values: one row per normalized (field, value), current or pending,
//! under a primary key shared by every host. Holding a pending value blocks
//! everyone else from it until the pending change is verified, replaced,
//! cancelled or expires.

use serde_json::Value;
use sqlx::PgConnection;

use crate::store::error::StoreError;
use crate::store::model::{EntityId, Timestamp};

crate::store::steps::unique_steps!(sqlx::PgConnection);

/// Makes `entity` hold (`field`, `value`): as a pending value, or as the
/// field's current value, which also releases the field's old current value.
/// A pending hold by the same entity becomes current; a current one is never
/// demoted to pending.
///
/// Errors: `UniqueTaken` if another entity holds it. The primary key
/// decides: an insert that meets another transaction's uncommitted claim
/// waits for it, and `ON CONFLICT DO UPDATE` locks the row it meets even
/// when its `WHERE` leaves it unchanged, so the holder read next cannot
/// vanish before this transaction ends.
pub(super) async fn claim(
    conn: &mut PgConnection,
    entity: EntityId,
    field: &str,
    value: &str,
    pending: bool,
) -> Result<(), StoreError> {
    let held_by_us: Option<EntityId> = sqlx::query_scalar(
        "INSERT INTO unique_values (field, value, entity_id, pending) VALUES ($1, $2, $3, $4)
         ON CONFLICT (field, value) DO UPDATE SET pending = unique_values.pending AND excluded.pending
         WHERE unique_values.entity_id = excluded.entity_id
         RETURNING entity_id",
    )
    .bind(field)
    .bind(value)
    .bind(entity)
    .bind(pending)
    .fetch_optional(&mut *conn)
    .await?;
    if held_by_us.is_none() {
        // `now` does not matter here: any hold by another entity is a conflict.
        return Err(match holder(conn, field, value, Timestamp::MIN).await? {
            Some(holder) => holder.taken(field),
            None => StoreError::Database(format!("unique value of `{field}` vanished while claimed")),
        });
    }
    if !pending {
        sqlx::query("DELETE FROM unique_values WHERE entity_id = $1 AND field = $2 AND NOT pending AND value <> $3")
            .bind(entity)
            .bind(field)
            .bind(value)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Releases the entity's current values of fields its new `data` no longer
/// has (cleared with `null`). Changed fields were released by [`claim`].
pub(super) async fn release_cleared(conn: &mut PgConnection, entity: EntityId, data: &Value) -> Result<(), StoreError> {
    let fields: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT field FROM unique_values WHERE entity_id = $1 AND NOT pending")
            .bind(entity)
            .fetch_all(&mut *conn)
            .await?;
    for field in fields.iter().filter(|field| data.get(field.as_str()).is_none_or(Value::is_null)) {
        sqlx::query("DELETE FROM unique_values WHERE entity_id = $1 AND field = $2 AND NOT pending")
            .bind(entity)
            .bind(field)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
