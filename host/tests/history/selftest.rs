//! The checker on hand-made histories, without a server: it accepts a
//! correct one and catches each kind of breach it exists for.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::checker;
use super::claims::Snapshot;
use super::record::{FINAL, Op, Record};

const M: &str = "+4528100001";

/// One record on entity 1: `at` is (invoked, completed) in ms.
fn rec(op: Op, at: (u64, u64), code: &str, version: Option<i64>, body: Option<Value>) -> Record {
    let status = code.split('.').next().unwrap().parse().unwrap();
    Record {
        id: 0,
        client: 0,
        host: "A".to_owned(),
        entity: Some(1),
        op,
        invoked_us: at.0 * 1000,
        completed_us: at.1 * 1000,
        status,
        code: code.to_owned(),
        version,
        body: body.map(|body| body.as_object().unwrap().clone()),
        error: None,
    }
}

fn put(body: Value) -> Op {
    Op::Put { body, if_match: None }
}

fn create() -> Record {
    rec(Op::Create { body: json!({"name": "a"}) }, (0, 1), "201", Some(1), Some(json!({"name": "a"})))
}

fn final_read(version: i64, body: Value) -> Record {
    Record { client: FINAL, ..rec(Op::Get, (900, 901), "200", Some(version), Some(body)) }
}

/// Entity 1 in the database with `status` and `data`, holding `claims`.
fn snapshot(status: &str, data: Value, claims: &[(&str, &str, bool)]) -> Snapshot {
    let entities = [(1, (status.to_owned(), data.as_object().unwrap().clone()))].into();
    let claims: BTreeSet<_> =
        claims.iter().map(|(field, value, pending)| ((*field).to_owned(), (*value).to_owned(), 1, *pending)).collect();
    Snapshot { entities, pending: Vec::new(), claims }
}

/// The rules and classes the checker reports for `records`, ids assigned.
fn found(mut records: Vec<Record>, snapshot: &Snapshot) -> Vec<(&'static str, &'static str)> {
    for (id, record) in records.iter_mut().enumerate() {
        record.id = id;
    }
    checker::check(&records, snapshot).violations.iter().map(|violation| (violation.rule, violation.class)).collect()
}

#[test]
fn a_linearizable_history_passes() {
    let end = json!({"name": "a", "city": "x", "mobile": M});
    let records = vec![
        create(),
        rec(put(json!({"city": "x"})), (10, 20), "200", Some(2), Some(json!({"name": "a", "city": "x"}))),
        // Pending only: the version stays.
        rec(put(json!({"mobile": M})), (15, 30), "200.1", Some(2), Some(json!({"name": "a", "city": "x"}))),
        rec(Op::Verify { code: "1".into(), value: Some(M.into()) }, (40, 50), "204", Some(3), None),
        rec(Op::Verify { code: "2".into(), value: None }, (45, 55), "403", None, None),
        rec(Op::Get, (60, 61), "200", Some(3), Some(end.clone())),
        rec(Op::Delete, (70, 80), "200", Some(4), Some(end.clone())),
        rec(put(json!({"city": "y"})), (90, 91), "409.3", None, None),
        final_read(4, end.clone()),
    ];
    assert_eq!(found(records, &snapshot("inactive", end, &[("mobile", M, false)])), []);
}

#[test]
fn a_lost_update_is_caught() {
    let records = vec![
        create(),
        rec(put(json!({"city": "x"})), (10, 20), "200", Some(2), Some(json!({"name": "a", "city": "x"}))),
        // Decided on v1: the city is gone.
        rec(put(json!({"note": "y"})), (10, 25), "200", Some(3), Some(json!({"name": "a", "note": "y"}))),
        final_read(3, json!({"name": "a", "note": "y"})),
    ];
    assert_eq!(found(records, &snapshot("active", json!({"name": "a", "note": "y"}), &[])), [("b", "a lost update")]);
}

#[test]
fn an_undone_verification_is_caught() {
    let records = vec![
        create(),
        rec(Op::Verify { code: "1".into(), value: Some(M.into()) }, (10, 20), "204", Some(2), None),
        rec(put(json!({"city": "x"})), (10, 25), "200", Some(3), Some(json!({"name": "a", "city": "x"}))),
        final_read(3, json!({"name": "a", "city": "x"})),
    ];
    let data = json!({"name": "a", "city": "x"});
    assert_eq!(
        found(records, &snapshot("active", data, &[("mobile", M, false)])),
        [("b", "a verified mobile undone"), ("f", "a claim no data or pending change holds"),]
    );
}

#[test]
fn a_write_after_a_deactivation_is_caught() {
    let records = vec![
        create(),
        rec(Op::Delete, (10, 20), "200", Some(2), Some(json!({"name": "a"}))),
        rec(put(json!({"city": "x"})), (30, 40), "200", Some(3), Some(json!({"name": "a", "city": "x"}))),
        final_read(3, json!({"name": "a", "city": "x"})),
    ];
    let data = json!({"name": "a", "city": "x"});
    assert_eq!(
        found(records, &snapshot("inactive", data, &[])),
        [("d", "a version after the deactivation"), ("d", "a write succeeded after a deactivation had answered"),]
    );
}

#[test]
fn a_stale_read_is_caught() {
    let records = vec![
        create(),
        rec(put(json!({"city": "x"})), (10, 20), "200", Some(2), Some(json!({"name": "a", "city": "x"}))),
        rec(Op::Get, (30, 31), "200", Some(1), Some(json!({"name": "a"}))),
        final_read(2, json!({"name": "a", "city": "x"})),
    ];
    let data = json!({"name": "a", "city": "x"});
    assert_eq!(found(records, &snapshot("active", data, &[])), [("c", "an older version answered after a newer one")]);
}

#[test]
fn claims_must_be_exactly_the_data_and_pending_values() {
    let data = json!({"name": "a", "email": "a@x.test"});
    let records = vec![
        rec(Op::Create { body: data.clone() }, (0, 1), "201", Some(1), Some(data.clone())),
        final_read(1, data.clone()),
    ];
    // The e-mail unclaimed, a mobile claimed that nothing holds.
    let snapshot = Snapshot {
        pending: vec![(1, "mobile".to_owned(), None)],
        ..snapshot("inactive", data, &[("mobile", M, true)])
    };
    assert_eq!(
        found(records, &snapshot),
        [
            ("e", "the database's status is not the replay's"),
            ("f", "a value held without its claim"),
            ("f", "a claim no data or pending change holds"),
            ("f", "a pending change on an inactive entity"),
        ]
    );
}

#[test]
fn a_stale_write_by_a_put_that_changes_nothing_is_caught() {
    let records = vec![
        create(),
        rec(put(json!({"city": "x"})), (10, 20), "200", Some(2), Some(json!({"name": "a", "city": "x"}))),
        // Pending only, yet it wrote v1's data back.
        rec(put(json!({"mobile": M})), (10, 25), "200.1", Some(3), Some(json!({"name": "a"}))),
        final_read(3, json!({"name": "a"})),
    ];
    assert_eq!(
        found(records, &snapshot("active", json!({"name": "a"}), &[])),
        [("b", "a lost update by a PUT that changes nothing")]
    );
}

#[test]
fn two_data_at_one_version_are_caught() {
    let data = json!({"name": "a", "city": "x"});
    let records = vec![
        create(),
        rec(put(json!({"city": "x"})), (10, 20), "200", Some(2), Some(data.clone())),
        rec(Op::Get, (30, 31), "200", Some(2), Some(json!({"name": "a"}))),
        final_read(2, data.clone()),
    ];
    assert_eq!(found(records, &snapshot("active", data, &[])), [("a", "two data at one version")]);
}

#[test]
fn a_version_bumped_without_a_change_loses_nothing() {
    let records = vec![
        create(),
        rec(put(json!({"mobile": M})), (10, 20), "200.1", Some(2), Some(json!({"name": "a"}))),
        final_read(2, json!({"name": "a"})),
    ];
    assert_eq!(found(records, &snapshot("active", json!({"name": "a"}), &[])), []);
}
