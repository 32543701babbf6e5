//! What the run prints: the operation counts by kind and answer, and the
//! checker's result with the first pieces of evidence of each rule.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::record::Record;

/// How many violations of one class are printed in full.
const SHOWN_PER_CLASS: usize = 2;

/// One broken invariant, with its evidence.
#[derive(Debug, Clone)]
pub struct Violation {
    /// `answers`, `a` .. `f`: the invariants, as the test names them.
    pub rule: &'static str,
    /// What kind of breach, e.g. "a lost update".
    pub class: &'static str,
    pub entity: Option<i64>,
    pub evidence: String,
}

impl Violation {
    pub fn new(rule: &'static str, class: &'static str, entity: Option<i64>, evidence: String) -> Self {
        Self { rule, class, entity, evidence }
    }
}

/// What each rule checks, for the summary.
pub fn rule_name(rule: &str) -> &'static str {
    match rule {
        "answers" => "every answer is one the spec documents for its operation",
        "a" => "(a) answers reporting one version show the same data",
        "b" => "(b) each version is the one before with exactly one acknowledged operation applied",
        "c" => "(c) an operation invoked after another completed sees its version or a later one",
        "d" => "(d) nothing is written after a deactivation",
        "e" => "(e) the final read is the last version, and the database holds its data and status",
        "f" => "(f) unique claims are exactly the current and pending values",
        _ => "?",
    }
}

/// The counts: per operation kind, each answer code and how often.
pub fn counts(records: &[Record]) -> String {
    let mut by_kind: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for record in records {
        let code = if record.status == 0 { "no answer".to_owned() } else { record.code.clone() };
        *by_kind.entry(record.kind()).or_default().entry(code).or_default() += 1;
    }
    let mut text = String::new();
    for (kind, codes) in &by_kind {
        let total: usize = codes.values().sum();
        let codes: Vec<String> = codes.iter().map(|(code, count)| format!("{code} x{count}")).collect();
        let _ = writeln!(text, "  {kind:<28} {total:>6}: {}", codes.join(", "));
    }
    text
}

/// The result: per rule and class the number of violations and the first
/// few in full.
pub fn violations(violations: &[Violation]) -> String {
    if violations.is_empty() {
        return "  no violation\n".to_owned();
    }
    let mut by_rule: BTreeMap<&str, BTreeMap<&str, Vec<&Violation>>> = BTreeMap::new();
    for violation in violations {
        by_rule.entry(violation.rule).or_default().entry(violation.class).or_default().push(violation);
    }
    let mut text = String::new();
    for (rule, classes) in &by_rule {
        let total: usize = classes.values().map(Vec::len).sum();
        let _ = writeln!(text, "  {total} violation(s) of {}", rule_name(rule));
        for (class, found) in classes {
            let _ = writeln!(text, "    {} x {class}", found.len());
            for violation in found.iter().take(SHOWN_PER_CLASS) {
                let entity = violation.entity.map_or_else(String::new, |id| format!("entity {id}: "));
                let _ = writeln!(text, "      - {entity}{}", violation.evidence.replace('\n', "\n        "));
            }
        }
    }
    text
}
