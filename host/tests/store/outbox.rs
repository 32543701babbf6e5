//! The outbox: claims lease rows, sends and failures are recorded, and two
//! pools (two hosts) claiming at once never get the same row.

use std::collections::BTreeSet;
use std::sync::Arc;

use pactum_host::store::{OutboxBacklog, Store, StoreError};
use serde_json::json;
use tokio::sync::Barrier;

use crate::common::db::{TestDb, backend_tests};
use crate::fixtures::{Codes, POLICY, T0, create, mobile_change, update_current};

backend_tests!(
    the_outbox_is_claimed_sent_and_retried_with_backoff,
    two_pools_claiming_at_once_never_claim_the_same_row,
);

async fn the_outbox_is_claimed_sent_and_retried_with_backoff(db: &TestDb) {
    let store = db.open(POLICY).await;
    let a = create(store.as_ref(), json!({}), &[]).await;
    let b = create(store.as_ref(), json!({}), &[]).await;
    let c = create(store.as_ref(), json!({}), &[]).await;
    for (id, mobile) in [(a, "+4511111111"), (b, "+4522222222"), (c, "+4533333333")] {
        update_current(&*store, mobile_change(id, T0, json!({}), mobile), &Codes("1")).await.unwrap();
    }

    let backlog = store.outbox_backlog().await.unwrap();
    assert_eq!(backlog.waiting, 3, "three rows wait: {backlog:?}");
    assert!(backlog.oldest_created_at.is_some());

    let claimed = store.claim_outbox(T0, 60, 2).await.unwrap();
    let summary: Vec<_> = claimed.iter().map(|m| (m.entity_id, m.recipient.as_str(), m.attempts)).collect();
    assert_eq!(summary, vec![(Some(a), "+4511111111", 1), (Some(b), "+4522222222", 1)]);
    assert_eq!(claimed.first().map(|m| m.payload.clone()), Some(b"sealed:+4511111111".to_vec()));
    // Leased: a second worker gets only the third row.
    let rest = store.claim_outbox(T0, 60, 10).await.unwrap();
    assert_eq!(rest.iter().map(|m| m.entity_id).collect::<Vec<_>>(), vec![Some(c)]);

    let (first, second) = (claimed.first().unwrap().id, claimed.get(1).unwrap().id);
    store.mark_sent(first, T0 + 1).await.unwrap();
    store.mark_sent(first, T0 + 2).await.unwrap();
    store.mark_failed(second, T0 + 1, "gateway timeout", Some(T0 + 300)).await.unwrap();
    // The third row's worker died: its lease runs out at T0 + 60.
    assert!(store.claim_outbox(T0 + 59, 60, 10).await.unwrap().is_empty());
    let retried = store.claim_outbox(T0 + 60, 60, 10).await.unwrap();
    assert_eq!(retried.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), vec![(rest.first().unwrap().id, 2)]);
    store.mark_sent(rest.first().unwrap().id, T0 + 61).await.unwrap();
    // The failed row comes back at its backoff time, then is abandoned.
    let backoff = store.claim_outbox(T0 + 300, 60, 10).await.unwrap();
    assert_eq!(backoff.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), vec![(second, 2)]);
    store.mark_failed(second, T0 + 301, "rejected", None).await.unwrap();
    assert!(store.claim_outbox(T0 + 100_000, 60, 10).await.unwrap().is_empty());
    // Sent and abandoned rows wait no more.
    assert_eq!(store.outbox_backlog().await.unwrap(), OutboxBacklog { waiting: 0, oldest_created_at: None });
    let pool = store.pool_use();
    assert!(pool.max >= 1 && pool.open <= pool.max && pool.idle <= pool.open, "{pool:?}");

    assert!(matches!(store.mark_sent(9_999, T0).await, Err(StoreError::NotFound)));
    assert!(matches!(store.mark_failed(9_999, T0, "x", None).await, Err(StoreError::NotFound)));
}

async fn two_pools_claiming_at_once_never_claim_the_same_row(db: &TestDb) {
    const ROWS: usize = 60;
    let setup = db.open(POLICY).await;
    for n in 0..ROWS {
        let id = create(setup.as_ref(), json!({}), &[]).await;
        update_current(&*setup, mobile_change(id, T0, json!({}), &format!("+45{n:08}")), &Codes("1")).await.unwrap();
    }
    setup.close().await;

    // Two stores, each with its own pool, as two hosts would have; each
    // drains in small batches, marking what it claimed as sent.
    let hosts: [Arc<dyn Store>; 2] = [db.open(POLICY).await, db.open(POLICY).await];
    let start = Arc::new(Barrier::new(hosts.len()));
    let workers: Vec<_> = hosts
        .iter()
        .map(|host| {
            let host = Arc::clone(host);
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                let mut claimed = Vec::new();
                loop {
                    let batch = host.claim_outbox(T0, 600, 3).await.unwrap();
                    if batch.is_empty() {
                        break claimed;
                    }
                    for message in batch {
                        host.mark_sent(message.id, T0 + 1).await.unwrap();
                        claimed.push(message.id);
                    }
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        // Which worker gets how many is up to the scheduler (on SQLite one
        // may take them all while the other waits on the write lock); what
        // must hold is that no row is claimed twice.
        all.extend(worker.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len(), "a row was claimed twice");
    assert_eq!(all.len(), ROWS, "every row was claimed once");
}
