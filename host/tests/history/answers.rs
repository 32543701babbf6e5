//! The answers each operation may get. A success is checked against the
//! model; a refusal must have changed nothing (a version it wrote anyway
//! would have no acknowledged writer, which the chain reports); anything
//! else is a violation by itself.

use super::record::{Op, Record};
use super::report::Violation;

/// Successes: the operation took effect (or was a no-op on the state it saw).
fn successes(op: &Op) -> &'static [&'static str] {
    match op {
        Op::Create { .. } => &["201", "201.1"],
        // With no cooldown and no window limit every changed mobile number
        // gets its code: never 200.2 or 200.3.
        Op::Put { .. } => &["200", "200.1"],
        // Only a code the gateway received can verify.
        Op::Verify { value: Some(_), .. } => &["204"],
        Op::Verify { value: None, .. } => &[],
        Op::Delete | Op::Get => &["200"],
    }
}

/// Refusals the spec documents for the operation in this run. `503` is a
/// write given up under contention (the issue allows a bounded retry, then
/// a documented 409/503).
fn refusals(op: &Op) -> &'static [&'static str] {
    match op {
        // e-mail taken; mobile taken by an active / inactive entity.
        Op::Create { .. } => &["400.2", "400.4", "400.5", "503"],
        Op::Put { if_match: None, .. } => &["400.2", "400.4", "400.5", "409.3", "503", "503.1"],
        // If-Match named a version that is no longer the current one.
        Op::Put { if_match: Some(_), .. } => &["400.2", "400.4", "400.5", "409.1", "409.3", "503"],
        // Wrong or replaced code; nothing (left) to verify, also after a
        // deactivation; the pending number was taken meanwhile.
        Op::Verify { .. } => &["403", "501.2", "501.3", "400.4", "400.5", "409.3", "503"],
        Op::Delete => &["503"],
        Op::Get => &[],
    }
}

/// Every record whose answer is neither a success nor a refusal of its op.
pub fn check(records: &[Record]) -> Vec<Violation> {
    records
        .iter()
        .filter(|record| {
            let code = record.code.as_str();
            record.status == 0 || !(successes(&record.op).contains(&code) || refusals(&record.op).contains(&code))
        })
        .map(|record| {
            Violation::new(
                "answers",
                "an answer not documented for its operation",
                record.entity,
                format!("an answer not expected: {}", record.describe()),
            )
        })
        .collect()
}
