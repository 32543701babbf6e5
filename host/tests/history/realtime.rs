//! Rules (c) and the real-time half of (d), for one entity:
//!
//! - (c) if A completed before B was invoked, B's version is at least A's
//!   (no answer goes back to a version older than one already answered);
//! - (d) once a deactivation has answered, no PUT or verify invoked after
//!   it succeeds (a PUT must answer 409.3).

use super::record::{Op, Record};
use super::report::Violation;

pub fn check(entity: i64, records: &[&Record], out: &mut Vec<Violation>) {
    order(entity, records, out);
    after_deactivation(entity, records, out);
}

fn order(entity: i64, records: &[&Record], out: &mut Vec<Violation>) {
    let versioned: Vec<(&Record, i64)> =
        records.iter().filter(|record| record.acked()).filter_map(|record| Some((*record, record.version?))).collect();
    let mut by_completion = versioned.clone();
    by_completion.sort_by_key(|(record, _)| record.completed_us);
    let mut by_invocation = versioned;
    by_invocation.sort_by_key(|(record, _)| record.invoked_us);
    // Sweep: `latest` is the highest version among the answers completed
    // before the current record was invoked.
    let mut completed = by_completion.iter().peekable();
    let mut latest: Option<(&Record, i64)> = None;
    for (record, version) in by_invocation {
        while let Some((done, done_version)) = completed.next_if(|(done, _)| done.completed_us < record.invoked_us) {
            if latest.is_none_or(|(_, best)| *done_version > best) {
                latest = Some((done, *done_version));
            }
        }
        if let Some((before, before_version)) = latest
            && version < before_version
        {
            out.push(Violation::new(
                "c",
                "an older version answered after a newer one",
                Some(entity),
                format!(
                    "v{version} answered after v{before_version} had been:\n{}\n{}",
                    before.describe(),
                    record.describe()
                ),
            ));
        }
    }
}

fn after_deactivation(entity: i64, records: &[&Record], out: &mut Vec<Violation>) {
    let Some(deactivation) = records
        .iter()
        .filter(|record| matches!(record.op, Op::Delete) && record.acked())
        .min_by_key(|record| record.completed_us)
    else {
        return;
    };
    for record in records {
        let write = matches!(record.op, Op::Put { .. } | Op::Verify { .. });
        if write && record.acked() && record.invoked_us > deactivation.completed_us {
            out.push(Violation::new(
                "d",
                "a write succeeded after a deactivation had answered",
                Some(entity),
                format!(
                    "a write succeeded after the deactivation:\n{}\n{}",
                    deactivation.describe(),
                    record.describe()
                ),
            ));
        }
    }
}
