//! The decisions of a write that need no SQL: request checks, what the audit
//! row lists, and how a verify answers. Every backend reads the rows inside
//! its transaction, asks these, and writes what they decide, so the backends
//! answer alike by construction.

use serde_json::Value;

use super::codes::CodeMatcher;
use super::error::StoreError;
use super::model::{Dispatch, Entity, EntityId, FieldDispatch, Status, Timestamp, VerificationPolicy, VerifyOutcome};
use super::pointer;
use super::rows::PendingChange;

/// `If-Match`, or the version a decision was made on: the write applies
/// only to the version it names.
pub(super) fn check_version(current: &Entity, expected: Option<i64>) -> Result<(), StoreError> {
    match expected {
        Some(expected) if expected != current.version => Err(StoreError::VersionMismatch { current: current.version }),
        _ => Ok(()),
    }
}

/// An update's guard: the entity is still the version its decision was
/// made on, and is not deactivated (a deactivation bumps the version too;
/// the status is checked all the same, so the answer names the reason).
pub(super) fn check_writable(current: &Entity, decided_on: i64) -> Result<(), StoreError> {
    if current.status == Status::Inactive {
        return Err(StoreError::Inactive);
    }
    check_version(current, Some(decided_on))
}

/// The top-level members an update changes or clears, with the value each
/// held before: `(field, old value)`.
pub(super) fn left_values<'a>(before: &'a Value, after: &Value) -> Vec<(&'a str, &'a Value)> {
    before
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(field, old)| after.get(field.as_str()) != Some(*old))
        .map(|(field, old)| (field.as_str(), old))
        .collect()
}

pub(super) fn require_object(data: &Value) -> Result<(), StoreError> {
    if data.is_object() { Ok(()) } else { Err(StoreError::Invalid("entity data must be a JSON object".to_owned())) }
}

/// A new entity's members, as pointers, for its audit row.
pub(super) fn top_level_pointers(data: &Value) -> Result<Vec<String>, StoreError> {
    require_object(data)?;
    Ok(data.as_object().into_iter().flat_map(|members| members.keys()).map(|key| pointer(key)).collect())
}

/// The audit row's `pending`: the verified fields whose code went out.
pub(super) fn dispatched_pointers(dispatched: &[FieldDispatch]) -> Vec<String> {
    dispatched
        .iter()
        .filter(|field| matches!(field.dispatch, Dispatch::Dispatched { .. }))
        .map(|field| pointer(&field.field))
        .collect()
}

/// The entity's data and status once `field` is verified as `value`: the
/// value is written and an unverified entity becomes active.
pub(super) fn verified_state(entity: &Entity, field: &str, value: Value) -> Result<(Value, Status), StoreError> {
    let mut data = entity.data.clone();
    data.as_object_mut()
        .ok_or_else(|| StoreError::Database(format!("entity {} holds data that is not an object", entity.id)))?
        .insert(field.to_owned(), value);
    let status = match entity.status {
        Status::Unverified => Status::Active,
        other => other,
    };
    Ok((data, status))
}

/// The entity's pending changes split at `now`: (live, expired).
pub(super) fn split_expired(changes: Vec<PendingChange>, now: Timestamp) -> (Vec<PendingChange>, Vec<PendingChange>) {
    changes.into_iter().partition(|change| change.expires_at > now)
}

/// A verify's answer when no live change is left to check a code against.
pub(super) fn nothing_live(any_expired: bool, status: Status) -> VerifyOutcome {
    match (any_expired, status) {
        (true, _) => VerifyOutcome::Expired,
        (false, Status::Unverified) => VerifyOutcome::NoCode,
        (false, _) => VerifyOutcome::NotNeeded,
    }
}

/// What a code does to the live changes it was checked against.
#[derive(Debug)]
pub(super) enum Verdict {
    /// It matched this change, which is applied.
    Matched(PendingChange),
    /// It matched none: each of these takes one more attempt.
    Missed(Vec<PendingChange>),
}

/// Checks the code against every live change, not just up to the first
/// match, so the time taken does not tell which one matched.
pub(super) fn judge(entity: EntityId, live: Vec<PendingChange>, codes: &dyn CodeMatcher) -> Verdict {
    let matches: Vec<bool> =
        live.iter().map(|change| codes.matches(entity, &change.field, &change.code_hash)).collect();
    let (hits, misses): (Vec<_>, Vec<_>) = live.into_iter().zip(matches).partition(|(_, hit)| *hit);
    match hits.into_iter().next() {
        Some((change, _)) => Verdict::Matched(change),
        None => Verdict::Missed(misses.into_iter().map(|(change, _)| change).collect()),
    }
}

/// A change's attempts after one more wrong code, or `None` when that used
/// them up and the change is to be cancelled.
pub(super) fn attempts_after_miss(policy: &VerificationPolicy, change: &PendingChange) -> Option<i64> {
    let attempts = change.attempts.saturating_add(1);
    (attempts < i64::from(policy.max_attempts)).then_some(attempts)
}

/// The answer to a missed code, given the attempts of the changes that are
/// still pending after it: the most wrong codes any of them still tolerates.
pub(super) fn mismatch(policy: &VerificationPolicy, remaining_attempts: &[i64]) -> VerifyOutcome {
    let max = i64::from(policy.max_attempts);
    let left = remaining_attempts.iter().map(|attempts| max.saturating_sub(*attempts)).max().unwrap_or(0);
    VerifyOutcome::Mismatch { attempts_left: u32::try_from(left).unwrap_or(u32::MAX) }
}
