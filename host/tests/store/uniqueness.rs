//! Unique values: conflicts name the holder, pending values block others
//! until they expire, and concurrent claims have exactly one winner.

use std::sync::Arc;

use pactum_host::store::{Dispatch, NoCodes, Status, Store, Update, VerifyOutcome};
use serde_json::json;

use crate::common::db::{TestDb, backend_tests};
use crate::fixtures::{
    APP, Codes, POLICY, T0, create, dispatch, holder, mobile_change, new_entity, update, update_current,
};

backend_tests!(
    a_unique_conflict_names_the_holder_and_its_status,
    a_pending_value_blocks_others_until_it_expires,
    concurrent_claims_of_one_value_have_exactly_one_winner,
);

async fn a_unique_conflict_names_the_holder_and_its_status(db: &TestDb) {
    let store = db.open(POLICY).await;
    let holder_id = create(store.as_ref(), json!({"mobile": "+4511111111"}), &[("mobile", "+4511111111")]).await;
    let other = create(store.as_ref(), json!({}), &[]).await;
    let claim = || update(other, T0 + 1, json!({"mobile": "+4511111111"}), &["/mobile"], &[("mobile", "+4511111111")]);

    let active = update_current(&*store, claim(), &NoCodes).await.unwrap_err();
    assert_eq!(holder(active), ("mobile".to_owned(), holder_id, Status::Active));

    // 1004 keeps the value and its hold; the conflict now names an inactive holder.
    let deactivated = store.deactivate(holder_id, APP, T0 + 2, Some(1)).await.unwrap();
    assert_eq!((deactivated.status, deactivated.version), (Status::Inactive, 2));
    assert_eq!(deactivated.data, json!({"mobile": "+4511111111"}));
    assert_eq!(store.deactivate(holder_id, APP, T0 + 3, None).await.unwrap().version, 2, "idempotent");
    let inactive = update_current(&*store, claim(), &NoCodes).await.unwrap_err();
    assert_eq!(holder(inactive), ("mobile".to_owned(), holder_id, Status::Inactive));

    let mut new = new_entity(json!({"email": "new@example.com"}), &[("email", "new@example.com")]);
    new.status = Status::Unverified;
    let unverified = store.create(new, &NoCodes).await.unwrap().entity.id;
    let claim =
        update(other, T0 + 4, json!({"email": "new@example.com"}), &["/email"], &[("email", "new@example.com")]);
    let error = update_current(&*store, claim, &NoCodes).await.unwrap_err();
    assert_eq!(holder(error), ("email".to_owned(), unverified, Status::Unverified));

    // Clearing a unique field releases its value.
    let cleared = update(unverified, T0 + 5, json!({}), &["/email"], &[]);
    update_current(&*store, cleared, &NoCodes).await.unwrap();
    let claim =
        update(other, T0 + 6, json!({"email": "new@example.com"}), &["/email"], &[("email", "new@example.com")]);
    update_current(&*store, claim, &NoCodes).await.unwrap();
}

async fn a_pending_value_blocks_others_until_it_expires(db: &TestDb) {
    let store = db.open(POLICY).await;
    let raw = db.raw().await;
    let first = create(store.as_ref(), json!({}), &[]).await;
    let second = create(store.as_ref(), json!({}), &[]).await;
    let written =
        update_current(&*store, mobile_change(first, T0, json!({}), "+4599999999"), &Codes("1111")).await.unwrap();
    assert_eq!(written.entity.data, json!({}), "the verified value is held back");

    let steal = || mobile_change(second, T0 + 599, json!({}), "+4599999999");
    let error = update_current(&*store, steal(), &Codes("2222")).await.unwrap_err();
    assert_eq!(holder(error), ("mobile".to_owned(), first, Status::Active));
    let plain = update(second, T0 + 1, json!({"mobile": "+4599999999"}), &["/mobile"], &[("mobile", "+4599999999")]);
    assert_eq!(holder(update_current(&*store, plain, &NoCodes).await.unwrap_err()).1, first);

    // Once the first code has expired its hold no longer counts: the second
    // entity takes the value and the stale change is cancelled.
    let late = Update { now: T0 + 600, ..steal() };
    assert!(matches!(
        dispatch(&update_current(&*store, late, &Codes("2222")).await.unwrap()),
        Some(Dispatch::Dispatched { .. })
    ));
    assert_eq!(raw.count(&format!("SELECT COUNT(*) FROM pending_changes WHERE entity_id = {first}")).await, 0);
    assert_eq!(store.verify(first, APP, T0 + 601, &Codes("1111")).await.unwrap(), VerifyOutcome::NotNeeded);
    let verified = store.verify(second, APP, T0 + 601, &Codes("2222")).await.unwrap();
    assert!(
        matches!(verified, VerifyOutcome::Verified { ref entity, .. } if entity.data == json!({"mobile": "+4599999999"}))
    );
}

async fn concurrent_claims_of_one_value_have_exactly_one_winner(db: &TestDb) {
    // Two stores with a pool each, as two hosts on one database would have.
    let hosts: [Arc<dyn Store>; 2] = [db.open(POLICY).await, db.open(POLICY).await];
    let mut ids = Vec::new();
    for host in hosts.iter().cycle().take(8) {
        ids.push(create(host.as_ref(), json!({}), &[]).await);
    }

    // One e-mail as a plain value, and one mobile as a pending value.
    let races = [
        |id| update(id, T0, json!({"email": "race@example.com"}), &["/email"], &[("email", "race@example.com")]),
        |id| mobile_change(id, T0, json!({}), "+4512345678"),
    ];
    for race in races {
        let tasks: Vec<_> = ids
            .iter()
            .zip(hosts.iter().cycle())
            .map(|(&id, host)| {
                let store = Arc::clone(host);
                tokio::spawn(async move { (id, update_current(&*store, race(id), &Codes("0000")).await) })
            })
            .collect();
        let mut winners = Vec::new();
        let mut losers = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (id, Ok(_)) => winners.push(id),
                (_, Err(error)) => losers.push(holder(error)),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one update wins");
        let winner = winners.first().copied().unwrap();
        assert_eq!(losers.len(), 7);
        assert!(losers.iter().all(|(_, holder, status)| *holder == winner && *status == Status::Active), "{losers:?}");
    }
}
