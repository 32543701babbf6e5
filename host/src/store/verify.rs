//! Verify (endpoint 2004), in the caller's write transaction: expired
//! pending changes are cancelled, the code is checked against the live
//! ones, and a match is applied onto the entity's current row (read for
//! writing here), re-checking its unique claim. Apart from
//! `verification.rs` because it writes the entity (`entities.rs`), which
//! itself dispatches and cancels pending changes.

use super::codes::CodeMatcher;
use super::conn::{Conn, args};
use super::decisions::{self, Verdict};
use super::error::StoreError;
use super::model::{Entity, EntityId, Status, Timestamp, VerificationPolicy, VerifyOutcome};
use super::rows::{PendingChange, PendingRow};
use super::verification::{cancel, cancel_all};
use super::{entities, pointer, unique};

/// Verifies `id` with the code `codes` matches. Expired changes are
/// cancelled first; the code is then checked against every live one, and
/// the match (if any) is applied.
pub(super) async fn verify(
    conn: &mut Conn<'_>,
    policy: &VerificationPolicy,
    id: EntityId,
    app: &str,
    now: Timestamp,
    codes: &dyn CodeMatcher,
) -> Result<VerifyOutcome, StoreError> {
    let (entity, _) = entities::load_for_write(conn, id).await?;
    if entity.status == Status::Inactive {
        // Deactivation cancels every pending change in its own transaction,
        // so there is none to find; should one be left, it is cancelled
        // rather than written into an inactive entity.
        cancel_all(conn, id).await?;
        return Ok(VerifyOutcome::NotNeeded);
    }
    let rows: Vec<PendingRow> = conn
        .fetch_all(
            "SELECT field, value, unique_value, code_hash, expires_at, attempts
             FROM pending_changes WHERE entity_id = $1 ORDER BY field",
            args![id],
        )
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
        Verdict::Matched(change) => apply(conn, entity, change, app, now).await,
        Verdict::Missed(changes) => mismatch(conn, policy, id, &changes).await,
    }
}

/// The code matched: the pending value becomes the entity's value.
async fn apply(
    conn: &mut Conn<'_>,
    entity: Entity,
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
    conn.execute("DELETE FROM pending_changes WHERE entity_id = $1 AND field = $2", args![entity.id, &change.field])
        .await?;
    let entity = entities::apply_verified(conn, entity, &change.field, change.value, now).await?;
    entities::audit(conn, now, app, entity.id, "verify", &[pointer(&change.field)], &[]).await?;
    Ok(VerifyOutcome::Verified { entity, field: change.field })
}

/// No code matched: one more attempt on every live change; those that used
/// up their attempts are cancelled.
async fn mismatch(
    conn: &mut Conn<'_>,
    policy: &VerificationPolicy,
    id: EntityId,
    changes: &[PendingChange],
) -> Result<VerifyOutcome, StoreError> {
    let mut remaining = Vec::with_capacity(changes.len());
    for change in changes {
        match decisions::attempts_after_miss(policy, change) {
            None => cancel(conn, id, &change.field).await?,
            Some(attempts) => {
                conn.execute(
                    "UPDATE pending_changes SET attempts = $1 WHERE entity_id = $2 AND field = $3",
                    args![attempts, id, &change.field],
                )
                .await?;
                remaining.push(attempts);
            }
        }
    }
    Ok(decisions::mismatch(policy, &remaining))
}
