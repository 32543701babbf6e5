//! Rules (a), (b) and the chain half of (d), for one entity: the versions
//! its answers report form a chain in which each version is the one before
//! with exactly one acknowledged operation applied.
//!
//! - (a) every answer that reports version v shows the same data;
//! - (b) version v is explained by one writer answering v: a verify (204
//!   always writes), a PUT whose merge makes v of v-1 (one that changes
//!   nothing may explain a v equal to v-1: a bump without a change loses
//!   nothing), or a deactivation. Two
//!   writers that cannot both be no-ops at v are two operations on one
//!   version; a PUT answering v must either be v's writer or change nothing
//!   on v's data; a version no success reports was written by nobody that
//!   said so;
//! - (d) no version follows the one that made the entity inactive.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::model::{self, State, Status};
use super::record::{Op, Record};
use super::report::Violation;

/// A writer's claim to have made version v out of v-1.
struct Claim<'a> {
    record: &'a Record,
    /// The state it makes of v-1; `None` for a made-up code that verified.
    state: Option<State>,
    /// It cannot be a no-op at v, so v must be its version.
    must: bool,
    /// Its state differs from v-1. A PUT that changes nothing may still
    /// have bumped the version (the spec does not forbid it), so it is a
    /// claim too, but only one that fits v's data explains v.
    changes: bool,
}

/// Checks one entity's history (its records in history order); answers
/// the replayed state at its last version, if the chain got that far.
pub fn check(entity: i64, records: &[&Record], out: &mut Vec<Violation>) -> Option<(i64, State)> {
    let mut say = |rule, class, evidence: String| out.push(Violation::new(rule, class, Some(entity), evidence));
    let Some(create) = records.iter().find(|record| matches!(record.op, Op::Create { .. })) else {
        say("b", "no create", "no create made this entity".to_owned());
        return None;
    };
    let mut answered: BTreeMap<i64, Vec<&Record>> = BTreeMap::new();
    for record in records.iter().filter(|record| record.acked()) {
        match record.version {
            Some(version) => answered.entry(version).or_default().push(record),
            None => {
                say("b", "a success without a version", format!("a success without a version: {}", record.describe()))
            }
        }
    }

    // (a): one version, one data.
    let mut observed: BTreeMap<i64, &Map<String, Value>> = BTreeMap::new();
    for (version, at) in &answered {
        let mut bodies = at.iter().filter_map(|record| record.body.as_ref().map(|body| (*record, body)));
        let Some((first, body)) = bodies.next() else { continue };
        observed.insert(*version, body);
        if let Some((other, other_body)) = bodies.find(|(_, other)| *other != body) {
            say(
                "a",
                "two data at one version",
                format!(
                    "v{version} answered with two data ({})\n{}\n{}",
                    model::diff(body, other_body),
                    first.describe(),
                    other.describe()
                ),
            );
        }
    }

    if create.version != Some(1) {
        say("b", "a create not at v1", format!("a create answered a version other than 1: {}", create.describe()));
    }
    let first = State {
        data: create.body.clone().unwrap_or_default(),
        status: if create.code == "201.1" { Status::Unverified } else { Status::Active },
    };
    // Only no-ops may answer the create's version.
    let at_create = answered.get(&1).map(Vec::as_slice).unwrap_or_default();
    for wrote in at_create.iter().filter_map(|record| claim(&first, observed.get(&1).copied(), record)) {
        if wrote.must {
            say(
                "b",
                "a write at the create's version",
                format!("a write answered the create's version: {}", wrote.record.describe()),
            );
        }
    }
    let mut states: Vec<(i64, State)> = vec![(1, first)];
    let mut unknown = false;
    let last = answered.keys().next_back().copied().unwrap_or(1);
    for version in 2..=last {
        let at = answered.get(&version).map(Vec::as_slice).unwrap_or_default();
        let obs = observed.get(&version).copied();
        let Some((_, prev)) = states.last().cloned() else { break };
        if at.is_empty() {
            say(
                "b",
                "a version no success reports",
                format!("v{version}: no success answer reports it (v{} is the last before)", version - 1),
            );
            unknown = true;
            continue;
        }
        if unknown {
            // After a gap, the next observed version is the new base.
            if let Some(obs) = obs {
                states.push((version, State { data: obs.clone(), status: prev.status }));
                unknown = false;
            }
            continue;
        }
        if prev.status == Status::Inactive {
            let deactivated = states.iter().find(|(_, state)| state.status == Status::Inactive).map_or(0, |(v, _)| *v);
            let writers: Vec<String> =
                at.iter().filter(|record| !matches!(record.op, Op::Get)).map(|record| record.describe()).collect();
            say(
                "d",
                "a version after the deactivation",
                format!("v{version} follows the deactivation at v{deactivated}:\n{}", writers.join("\n")),
            );
        }
        let next = step(version, &prev, obs, at, &states, &mut say);
        states.push((version, next));
    }
    if unknown { None } else { states.pop() }
}

/// Version `version` out of `prev`: picks its writer among `at` (the
/// successes reporting it) and answers the state it is taken to be.
fn step(
    version: i64,
    prev: &State,
    obs: Option<&Map<String, Value>>,
    at: &[&Record],
    states: &[(i64, State)],
    say: &mut impl FnMut(&'static str, &'static str, String),
) -> State {
    let claims: Vec<Claim<'_>> = at.iter().filter_map(|record| claim(prev, obs, record)).collect();
    let musts: Vec<&Claim<'_>> = claims.iter().filter(|claim| claim.must).collect();
    let fits = |claim: &&Claim<'_>| claim.state.as_ref().is_some_and(|state| obs.is_none_or(|obs| state.data == *obs));
    if musts.len() > 1 {
        let lines: Vec<String> = musts.iter().map(|claim| claim.record.describe()).collect();
        say(
            "b",
            "two writes answered one version",
            format!("v{version}: {} writes answered one version:\n{}", musts.len(), lines.join("\n")),
        );
    }
    let writer = if musts.is_empty() {
        // The writer fits v's data; failing that, the evidence names the
        // one that changes something (a no-op explains nothing).
        claims.iter().find(fits).or_else(|| claims.iter().find(|claim| claim.changes))
    } else {
        musts.iter().copied().find(fits).or_else(|| musts.first().copied())
    };
    let everyone = || at.iter().map(|record| record.describe()).collect::<Vec<_>>().join("\n");
    let next = match (writer.and_then(|writer| writer.state.clone()), obs) {
        (Some(expected), Some(obs)) => {
            if expected.data != *obs {
                let lost = provenance(states, &expected.data, obs);
                let verified_lost = expected.data.get(model::MOBILE) != obs.get(model::MOBILE);
                say(
                    "b",
                    if verified_lost { "a verified mobile undone" } else { "a lost update" },
                    format!(
                        "v{version} is not v{} with #{} applied: {}{lost}\nanswering v{version}:\n{}",
                        version - 1,
                        writer.map_or(0, |writer| writer.record.id),
                        model::diff(&expected.data, obs),
                        everyone()
                    ),
                );
            }
            State { data: obs.clone(), status: expected.status }
        }
        (Some(expected), None) => expected,
        (None, obs) => {
            let obs = obs.cloned().unwrap_or_else(|| prev.data.clone());
            // Only PUTs that change nothing answered v, yet v differs from
            // v-1: one of them wrote the data it decided on, a stale read.
            let no_ops = !claims.is_empty() && claims.iter().all(|claim| !claim.changes);
            say(
                "b",
                if no_ops {
                    "a lost update by a PUT that changes nothing"
                } else {
                    "no acknowledged operation explains a version"
                },
                format!(
                    "no acknowledged operation turns v{} into v{version} ({})\nanswering v{version}:\n{}",
                    version - 1,
                    model::diff(&prev.data, &obs),
                    everyone()
                ),
            );
            State { data: obs, status: prev.status }
        }
    };
    // A deactivation that is not v's writer is a no-op only on an inactive entity.
    for record in at.iter().filter(|record| matches!(record.op, Op::Delete)) {
        if next.status != Status::Inactive {
            say(
                "b",
                "a deactivation that did not deactivate",
                format!("a deactivation answered v{version}, which is not inactive: {}", record.describe()),
            );
        }
    }
    next
}

/// What `record` (a success answering v) claims about v, made of `prev`.
fn claim<'a>(prev: &State, obs: Option<&Map<String, Value>>, record: &'a Record) -> Option<Claim<'a>> {
    match &record.op {
        Op::Verify { value, .. } => Some(Claim {
            record,
            state: value.as_deref().map(|mobile| model::verified(prev, mobile)),
            must: true,
            changes: true,
        }),
        Op::Delete => (prev.status != Status::Inactive).then(|| Claim {
            record,
            state: Some(model::deactivated(prev)),
            must: false,
            changes: true,
        }),
        Op::Put { body, .. } => {
            let data = model::put(&prev.data, body);
            let no_op_at_v = obs.is_some_and(|obs| model::put(obs, body) == *obs);
            let changes = data != prev.data;
            Some(Claim { record, state: Some(State { data, status: prev.status }), must: !no_op_at_v, changes })
        }
        Op::Create { .. } | Op::Get => None,
    }
}

/// For each field in which `obs` differs from `expected`, the latest older
/// version that held `obs`'s value: the version a stale write decided on.
fn provenance(states: &[(i64, State)], expected: &Map<String, Value>, obs: &Map<String, Value>) -> String {
    let mut fields: Vec<&String> =
        expected.keys().chain(obs.keys()).filter(|field| expected.get(*field) != obs.get(*field)).collect();
    fields.sort();
    fields.dedup();
    let found: Vec<String> = fields
        .into_iter()
        .filter_map(|field| {
            let older = states.iter().rev().find(|(_, state)| state.data.get(field) == obs.get(field))?;
            Some(format!("{field} as at v{}", older.0))
        })
        .collect();
    if found.is_empty() { String::new() } else { format!(" ({}: a write decided on a stale read)", found.join(", ")) }
}
