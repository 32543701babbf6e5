//! The dispatch rules (200.1 / 200.2 / 200.3) as a pure function of the
//! recorded dispatch times, so every backend decides alike: the backend only
//! reads the times inside its write transaction and records the dispatch.

use super::model::{Dispatch, Timestamp, VerificationPolicy};

/// Decides whether a code for one entity and field may go out at `now`.
///
/// `last_for_field` is the latest dispatch for this entity and field;
/// `in_window` are the entity's dispatches (all fields) after
/// `now - window_secs`, oldest first. Returns `None` to dispatch.
///
/// When both the cooldown and the window limit apply, the answer is the one
/// with the later retry time, so `Retry-After` is never too early.
#[must_use]
pub fn refusal(
    policy: &VerificationPolicy,
    now: Timestamp,
    last_for_field: Option<Timestamp>,
    in_window: &[Timestamp],
) -> Option<Dispatch> {
    let cooldown = last_for_field
        .map(|last| last.saturating_add(policy.cooldown_secs).saturating_sub(now))
        .filter(|wait| *wait > 0)
        .map(|retry_after| Dispatch::Cooldown { retry_after });

    // The window frees up when enough of the oldest dispatches leave it that
    // fewer than `window_limit` remain: the one at `len - limit` is the last
    // that has to go.
    let limit = usize::try_from(policy.window_limit).unwrap_or(usize::MAX);
    let limited = (limit > 0 && in_window.len() >= limit)
        .then(|| in_window.get(in_window.len() - limit))
        .flatten()
        .map(|oldest| oldest.saturating_add(policy.window_secs).saturating_sub(now).max(1))
        .map(|retry_after| Dispatch::LimitReached { retry_after });

    match (cooldown, limited) {
        (Some(Dispatch::Cooldown { retry_after: wait }), Some(Dispatch::LimitReached { retry_after: limit_wait }))
            if limit_wait > wait =>
        {
            limited
        }
        (Some(cooldown), _) => Some(cooldown),
        (None, limited) => limited,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: VerificationPolicy = VerificationPolicy {
        cooldown_secs: 120,
        window_secs: 1000,
        window_limit: 3,
        code_ttl_secs: 600,
        max_attempts: 3,
    };

    #[test]
    fn first_request_is_dispatched() {
        assert_eq!(refusal(&POLICY, 10_000, None, &[]), None);
    }

    #[test]
    fn cooldown_counts_down_from_the_last_dispatch_of_the_field() {
        assert_eq!(refusal(&POLICY, 10_030, Some(10_000), &[10_000]), Some(Dispatch::Cooldown { retry_after: 90 }));
        assert_eq!(refusal(&POLICY, 10_120, Some(10_000), &[10_000]), None);
    }

    #[test]
    fn the_window_frees_up_when_its_oldest_dispatch_leaves() {
        let window = [9_100, 9_500, 9_900];
        assert_eq!(refusal(&POLICY, 10_000, None, &window), Some(Dispatch::LimitReached { retry_after: 100 }));
        // Four in the window (a lowered limit): two must leave.
        let window = [9_100, 9_200, 9_500, 9_900];
        assert_eq!(refusal(&POLICY, 10_000, None, &window), Some(Dispatch::LimitReached { retry_after: 200 }));
    }

    #[test]
    fn the_later_retry_wins_when_both_apply() {
        let window = [9_100, 9_500, 9_950];
        // Cooldown 70 s, window 100 s: the window.
        assert_eq!(refusal(&POLICY, 10_000, Some(9_950), &window), Some(Dispatch::LimitReached { retry_after: 100 }));
        // Cooldown 110 s, window 5 s: the cooldown.
        let window = [9_005, 9_500, 9_990];
        assert_eq!(refusal(&POLICY, 10_000, Some(9_990), &window), Some(Dispatch::Cooldown { retry_after: 110 }));
    }

    #[test]
    fn a_zero_limit_means_no_limit() {
        let policy = VerificationPolicy { window_limit: 0, ..POLICY };
        assert_eq!(refusal(&policy, 10_000, None, &[9_000, 9_500, 9_900, 9_950]), None);
    }
}
