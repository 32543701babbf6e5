//! The checker: every rule over the whole history and the database as the
//! run left it. Rule (e) is here: each final read reports the entity's last
//! version, and the database holds the replayed data and status.

use std::collections::BTreeMap;

use super::claims::{self, Snapshot};
use super::record::{FINAL, Record};
use super::report::Violation;
use super::{answers, chain, model, realtime};

#[derive(Debug)]
pub struct Outcome {
    pub violations: Vec<Violation>,
    pub entities: usize,
    /// Versions over all entities (the chain's links, creates included).
    pub versions: i64,
}

pub fn check(records: &[Record], snapshot: &Snapshot) -> Outcome {
    let mut out = answers::check(records);
    let mut by_entity: BTreeMap<i64, Vec<&Record>> = BTreeMap::new();
    for record in records {
        if let Some(id) = record.entity {
            by_entity.entry(id).or_default().push(record);
        }
    }
    let mut versions = 0;
    for (id, records) in &by_entity {
        let last = chain::check(*id, records, &mut out);
        realtime::check(*id, records, &mut out);
        let highest = records.iter().filter(|record| record.acked()).filter_map(|record| record.version).max();
        versions += highest.unwrap_or(0);
        let finals: Vec<&&Record> = records.iter().filter(|record| record.client == FINAL).collect();
        if finals.is_empty() {
            out.push(Violation::new("e", "no final read", Some(*id), "no final read".to_owned()));
        }
        for read in finals.iter().filter(|read| read.version != highest || !read.acked()) {
            let highest = highest.unwrap_or(0);
            out.push(Violation::new(
                "e",
                "the final read is not the last version",
                Some(*id),
                format!("the final read is not v{highest}: {}", read.describe()),
            ));
        }
        let (Some((version, state)), Some((status, data))) = (last, snapshot.entities.get(id)) else { continue };
        if *status != state.status.as_str() {
            out.push(Violation::new(
                "e",
                "the database's status is not the replay's",
                Some(*id),
                format!(
                    "the database says {status}; the replay of its operations to v{version} says {}",
                    state.status.as_str()
                ),
            ));
        }
        if *data != state.data {
            out.push(Violation::new(
                "e",
                "the database's data is not the last version's",
                Some(*id),
                format!("the database's data is not v{version}'s: {}", model::diff(&state.data, data)),
            ));
        }
    }
    out.extend(claims::check(snapshot, records));
    Outcome { violations: out, entities: by_entity.len(), versions }
}
