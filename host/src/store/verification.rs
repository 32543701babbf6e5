//! Pending changes: dispatching a code under the cooldown and window limit,
//! and cancelling one. Both run inside the caller's write transaction, after
//! the entity is read for writing, so the limits hold across connections and
//! hosts. Checking a code (2004) is `verify.rs`, which writes the entity: this
//! file is below `entities.rs`, never beside it.

use super::codes::CodeIssuer;
use super::conn::{Conn, args};
use super::error::StoreError;
use super::model::{Dispatch, EntityId, FieldDispatch, Timestamp, VerificationPolicy, VerificationRequest};
use super::{outbox, rules, unique};

/// Sends a code for `request` if the cooldown and window limit allow:
/// replaces the field's earlier pending change, holds `unique_value` as a
/// pending value, and queues the outbox row. A refusal records nothing.
pub(super) async fn dispatch(
    conn: &mut Conn<'_>,
    policy: &VerificationPolicy,
    entity: EntityId,
    now: Timestamp,
    request: &VerificationRequest,
    unique_value: Option<&str>,
    codes: &dyn CodeIssuer,
) -> Result<FieldDispatch, StoreError> {
    let answer = |dispatch| FieldDispatch { field: request.field.clone(), channel: request.channel, dispatch };

    // Dispatches older than both the cooldown and the window decide nothing.
    let horizon = now.saturating_sub(policy.window_secs.max(policy.cooldown_secs));
    conn.execute(
        "DELETE FROM verification_requests WHERE entity_id = $1 AND requested_at <= $2",
        args![entity, horizon],
    )
    .await?;
    let last_for_field: Option<Timestamp> = conn
        .scalar(
            "SELECT MAX(requested_at) FROM verification_requests WHERE entity_id = $1 AND field = $2",
            args![entity, &request.field],
        )
        .await?;
    let in_window: Vec<Timestamp> = conn
        .scalars(
            "SELECT requested_at FROM verification_requests WHERE entity_id = $1 AND requested_at > $2
             ORDER BY requested_at",
            args![entity, now.saturating_sub(policy.window_secs)],
        )
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
    let value = serde_json::to_string(&request.value)?;
    conn.execute(
        "INSERT INTO pending_changes
             (entity_id, field, channel, value, unique_value, code_hash, created_at, expires_at, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)",
        args![
            entity,
            &request.field,
            request.channel.as_str(),
            &value,
            unique_value,
            issued.code_hash.as_slice(),
            now,
            expires_at
        ],
    )
    .await?;
    conn.execute(
        "INSERT INTO verification_requests (entity_id, field, requested_at) VALUES ($1, $2, $3)",
        args![entity, &request.field, now],
    )
    .await?;
    outbox::enqueue(conn, entity, request.channel, &request.recipient, &issued.payload, now).await?;
    Ok(answer(Dispatch::Dispatched { expires_at }))
}

/// Cancels the entity's pending change of `field`, if any, and its hold.
pub(super) async fn cancel(conn: &mut Conn<'_>, entity: EntityId, field: &str) -> Result<(), StoreError> {
    let held: Option<Option<String>> = conn
        .scalar_optional(
            "DELETE FROM pending_changes WHERE entity_id = $1 AND field = $2 RETURNING unique_value",
            args![entity, field],
        )
        .await?;
    if let Some(Some(value)) = held {
        unique::release_pending(conn, entity, field, &value).await?;
    }
    Ok(())
}

/// Cancels the entity's pending change of `field` if it would write `value`
/// (the value the field is leaving): the code sent on create confirms the
/// value then in the data, and once the data moves on, that code must not
/// bring the old value back (nor, for a unique field, a value whose claim
/// the update released).
pub(super) async fn cancel_if_value(
    conn: &mut Conn<'_>,
    entity: EntityId,
    field: &str,
    value: &serde_json::Value,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(value)?;
    let held: Option<Option<String>> = conn
        .scalar_optional(
            "DELETE FROM pending_changes WHERE entity_id = $1 AND field = $2 AND value = $3 RETURNING unique_value",
            args![entity, field, &text],
        )
        .await?;
    if let Some(Some(value)) = held {
        unique::release_pending(conn, entity, field, &value).await?;
    }
    Ok(())
}

/// Cancels every pending change of the entity, and their holds.
pub(super) async fn cancel_all(conn: &mut Conn<'_>, entity: EntityId) -> Result<(), StoreError> {
    unique::release_all_pending(conn, entity).await?;
    conn.execute("DELETE FROM pending_changes WHERE entity_id = $1", args![entity]).await?;
    Ok(())
}
