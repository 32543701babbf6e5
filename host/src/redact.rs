//! Outcomes as codes and pointers only: what a log line or a report may
//! show of a decision. Entity data, payload values and messages stay out
//! (they may be personal data; messages quote values), so the shadow log
//! (`service/shadow.rs`) and `pactum contract diff` can print decisions
//! without leaking them.

use pactum_core::wire::{Outcome, WireDecision, WireFieldError};

/// `decision 400 entity null changed [] errors [/birthDate 400]`, or
/// `failure 422.1 problems [...]`, or `loaded`.
#[must_use]
pub fn outcome(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Decision(decision) => decision_summary(decision),
        Outcome::Failure(failure) => format!("failure {} problems [{}]", failure.code, errors(&failure.problems)),
        Outcome::Loaded(_) => "loaded".to_owned(),
    }
}

fn decision_summary(decision: &WireDecision) -> String {
    let entity = if decision.entity.is_some() { "set" } else { "null" };
    let mut text = format!("decision {} entity {entity} changed [{}]", decision.code, decision.changed.join(", "));
    if !decision.pending.is_empty() {
        let pending: Vec<String> =
            decision.pending.iter().map(|pending| format!("{} {}", pending.field, pending.channel.as_str())).collect();
        text.push_str(&format!(" pending [{}]", pending.join(", ")));
    }
    if !decision.unique.is_empty() {
        let unique: Vec<&str> = decision.unique.iter().map(|claim| claim.field.as_str()).collect();
        text.push_str(&format!(" unique [{}]", unique.join(", ")));
    }
    text.push_str(&format!(" errors [{}]", errors(&decision.errors)));
    text
}

/// `pointer code` pairs, comma-separated; the root pointer is written `/`.
fn errors(errors: &[WireFieldError]) -> String {
    let pairs: Vec<String> = errors
        .iter()
        .map(|error| format!("{} {}", if error.pointer.is_empty() { "/" } else { &error.pointer }, error.code))
        .collect();
    pairs.join(", ")
}
