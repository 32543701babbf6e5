//! Unique values: one row per normalized (field, value), current or pending,
//! under a primary key shared by every writer and host. Holding a pending
//! value blocks everyone else from it until the pending change is verified,
//! replaced, cancelled or expires.
//!
//! What holds after every committed write: each row of `unique_values` is
//! either a current value the entity's data holds, or the `unique_value` of
//! one of its pending changes, and nothing else.

use serde_json::Value;

use super::conn::{Conn, args};
use super::error::StoreError;
use super::model::{Claim, EntityId, Timestamp};
use super::rows::{Holder, HolderRow};

/// Who holds (`field`, `value`), if anyone; `live` says whether a pending
/// hold's change is unexpired at `now`.
pub(super) async fn holder(
    conn: &mut Conn<'_>,
    field: &str,
    value: &str,
    now: Timestamp,
) -> Result<Option<Holder>, StoreError> {
    let row: Option<HolderRow> = conn
        .fetch_optional(
            "SELECT u.entity_id, u.pending, e.status,
                    EXISTS (SELECT 1 FROM pending_changes p
                            WHERE p.entity_id = u.entity_id AND p.field = u.field
                              AND p.unique_value = u.value AND p.expires_at > $1) AS live
             FROM unique_values u JOIN entities e ON e.id = u.entity_id
             WHERE u.field = $2 AND u.value = $3",
            args![now, field, value],
        )
        .await?;
    row.map(Holder::try_from).transpose()
}

/// Fails with `UniqueTaken` if another entity holds any of `claims`.
///
/// A pending hold whose change has expired no longer counts: that change is
/// cancelled here, so an abandoned verification cannot block a value forever.
/// The check takes no lock; [`claim`] is what decides a race.
pub(super) async fn check(
    conn: &mut Conn<'_>,
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
            conn.execute(
                "DELETE FROM pending_changes WHERE entity_id = $1 AND field = $2 AND unique_value = $3",
                args![holder.entity, &claim.field, &claim.value],
            )
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
/// Errors: `UniqueTaken` if another entity holds it. The primary key
/// decides, whatever was checked before: the upsert answers a row only when
/// the value is (now) this entity's. On PostgreSQL an insert that meets
/// another transaction's uncommitted claim waits for it, and `ON CONFLICT DO
/// UPDATE` locks the row it meets even when its `WHERE` leaves it unchanged,
/// so the holder read next cannot vanish before this transaction ends.
pub(super) async fn claim(
    conn: &mut Conn<'_>,
    entity: EntityId,
    field: &str,
    value: &str,
    pending: bool,
) -> Result<(), StoreError> {
    let held_by_us: Option<EntityId> = conn
        .scalar_optional(
            "INSERT INTO unique_values (field, value, entity_id, pending) VALUES ($1, $2, $3, $4)
             ON CONFLICT (field, value) DO UPDATE SET pending = (unique_values.pending AND excluded.pending)
             WHERE unique_values.entity_id = excluded.entity_id
             RETURNING entity_id",
            args![field, value, entity, pending],
        )
        .await?;
    if held_by_us.is_none() {
        // `now` does not matter here: any hold by another entity is a conflict.
        return Err(match holder(conn, field, value, Timestamp::MIN).await? {
            Some(holder) => holder.taken(field),
            None => StoreError::Database(format!("unique value of `{field}` vanished while claimed")),
        });
    }
    if !pending {
        conn.execute(
            "DELETE FROM unique_values WHERE entity_id = $1 AND field = $2 AND pending = FALSE AND value <> $3",
            args![entity, field, value],
        )
        .await?;
    }
    Ok(())
}

/// Releases the entity's current values of fields its new `data` no longer
/// has (cleared with `null`), out of `held`, the fields it held current
/// values of. Changed fields were released by [`claim`].
pub(super) async fn release_cleared(
    conn: &mut Conn<'_>,
    entity: EntityId,
    data: &Value,
    held: &[String],
) -> Result<(), StoreError> {
    for field in held.iter().filter(|field| data.get(field.as_str()).is_none_or(Value::is_null)) {
        conn.execute(
            "DELETE FROM unique_values WHERE entity_id = $1 AND field = $2 AND pending = FALSE",
            args![entity, field],
        )
        .await?;
    }
    Ok(())
}

/// Releases a pending hold of `entity` (its change was replaced or cancelled).
pub(super) async fn release_pending(
    conn: &mut Conn<'_>,
    entity: EntityId,
    field: &str,
    value: &str,
) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM unique_values WHERE entity_id = $1 AND field = $2 AND value = $3 AND pending = TRUE",
        args![entity, field, value],
    )
    .await?;
    Ok(())
}

/// Releases every pending hold of `entity` (its pending changes are cancelled).
pub(super) async fn release_all_pending(conn: &mut Conn<'_>, entity: EntityId) -> Result<(), StoreError> {
    conn.execute("DELETE FROM unique_values WHERE entity_id = $1 AND pending = TRUE", args![entity]).await?;
    Ok(())
}
