//! Rule (f), on the database itself once the run is over: the unique
//! claims (`unique_values`) are exactly each entity's current e-mail and
//! mobile plus each pending change's `unique_value`, held by that entity,
//! and no inactive entity has a pending change.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::model::{EMAIL, MOBILE};
use super::record::{Op, Record};
use super::report::Violation;
use crate::common::db::Raw;

/// The rows the check reads.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// id -> (status, data without nulls).
    pub entities: BTreeMap<i64, (String, Map<String, Value>)>,
    /// (entity, field, unique_value).
    pub pending: Vec<(i64, String, Option<String>)>,
    /// (field, value, entity, pending).
    pub claims: BTreeSet<(String, String, i64, bool)>,
}

pub async fn snapshot(raw: &Raw) -> Snapshot {
    let rows: Vec<(i64, String, String)> = raw.fetch_all("SELECT id, status, data FROM entities ORDER BY id").await;
    let entities = rows
        .into_iter()
        .map(|(id, status, data)| {
            let data: Map<String, Value> = serde_json::from_str(&data).unwrap();
            (id, (status, data.into_iter().filter(|(_, value)| !value.is_null()).collect()))
        })
        .collect();
    let pending =
        raw.fetch_all("SELECT entity_id, field, unique_value FROM pending_changes ORDER BY entity_id, field").await;
    let mut claims = BTreeSet::new();
    for pending in [false, true] {
        let flag = if pending { "TRUE" } else { "FALSE" };
        let rows: Vec<(String, String, i64)> =
            raw.fetch_all(&format!("SELECT field, value, entity_id FROM unique_values WHERE pending = {flag}")).await;
        claims.extend(rows.into_iter().map(|(field, value, entity)| (field, value, entity, pending)));
    }
    Snapshot { entities, pending, claims }
}

/// The claims the data and pending changes call for.
fn expected(snapshot: &Snapshot) -> BTreeSet<(String, String, i64, bool)> {
    let mut expected = BTreeSet::new();
    for (id, (_, data)) in &snapshot.entities {
        for field in [EMAIL, MOBILE] {
            if let Some(Value::String(value)) = data.get(field) {
                // The pool's values are already normal: lower case, E.164.
                expected.insert((field.to_owned(), value.to_lowercase(), *id, false));
            }
        }
    }
    for (id, field, value) in &snapshot.pending {
        if let Some(value) = value {
            expected.insert((field.clone(), value.clone(), *id, true));
        }
    }
    expected
}

/// How many of the last operations carrying a value a violation lists.
const TRAIL: usize = 3;

/// The last operations whose request carried `value` in `field` (a right
/// code carries the number it was sent for), on any entity.
fn trail(records: &[Record], field: &str, value: &str) -> String {
    let carries = |record: &&Record| match &record.op {
        Op::Create { body } | Op::Put { body, .. } => body.get(field).and_then(Value::as_str) == Some(value),
        Op::Verify { value: Some(sent), .. } => field == MOBILE && sent == value,
        _ => false,
    };
    let found: Vec<&Record> = records.iter().filter(carries).filter(|record| record.acked()).collect();
    let last = found.iter().skip(found.len().saturating_sub(TRAIL));
    let lines: Vec<String> = last.map(|record| format!("\n  {}", record.describe())).collect();
    format!("; the last successes carrying it:{}", lines.concat())
}

pub fn check(snapshot: &Snapshot, records: &[Record]) -> Vec<Violation> {
    let mut out = Vec::new();
    let expected = expected(snapshot);
    let shown = |(field, value, entity, pending): &(String, String, i64, bool)| {
        let pending = if *pending { " as pending" } else { "" };
        format!("({field}, {value}) held by entity {entity}{pending}{}", trail(records, field, value))
    };
    for missing in expected.difference(&snapshot.claims) {
        out.push(Violation::new(
            "f",
            "a value held without its claim",
            Some(missing.2),
            format!("no claim for {}", shown(missing)),
        ));
    }
    for stale in snapshot.claims.difference(&expected) {
        out.push(Violation::new(
            "f",
            "a claim no data or pending change holds",
            Some(stale.2),
            format!("a stale claim: {}", shown(stale)),
        ));
    }
    // One value in the data of two entities.
    let mut holders: BTreeMap<(&str, String), Vec<i64>> = BTreeMap::new();
    for (field, value, entity, _) in &expected {
        holders.entry((field.as_str(), value.clone())).or_default().push(*entity);
    }
    for ((field, value), entities) in holders.into_iter().filter(|(_, entities)| entities.len() > 1) {
        out.push(Violation::new(
            "f",
            "one value in the data of two entities",
            None,
            format!("({field}, {value}) is held by entities {entities:?}{}", trail(records, field, &value)),
        ));
    }
    for (id, field, _) in &snapshot.pending {
        match snapshot.entities.get(id) {
            Some((status, _)) if status == "inactive" => {
                out.push(Violation::new(
                    "f",
                    "a pending change on an inactive entity",
                    Some(*id),
                    format!("the inactive entity has a pending change of {field}"),
                ));
            }
            _ => {}
        }
    }
    out
}
