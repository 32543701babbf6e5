//! Writes of one entity queue on this host, so they do not race each other
//! into retries.
//!
//! Correctness does not rest on this: every update commits only onto the
//! version its decision was made on (the store checks it in the write
//! transaction), so writes from other hosts, or from `pactum import` beside
//! `pactum serve`, are caught there and retried. What the queue adds is
//! throughput on a hot entity: without it, N concurrent writes of one
//! entity on one host would all decide on the same version, one would win
//! and N-1 would re-run their module call, N times over. With it they run
//! one after the other, each deciding on the version the previous one
//! committed, and none is refused for contention.
//!
//! The locks are striped: an entity's writes take the stripe of its id.
//! Two entities may share a stripe and then queue behind each other, which
//! costs a little latency and never correctness. A write holds exactly one
//! stripe, so there is no lock order to get wrong.

use tokio::sync::{Mutex, MutexGuard};

use crate::store::EntityId;

/// Enough stripes that unrelated entities rarely share one at the
/// connection counts a host serves (a few hundred in flight).
const STRIPES: usize = 1024;

#[derive(Debug)]
pub(super) struct WriteQueue {
    stripes: Vec<Mutex<()>>,
}

impl Default for WriteQueue {
    fn default() -> Self {
        Self { stripes: (0..STRIPES).map(|_| Mutex::new(())).collect() }
    }
}

impl WriteQueue {
    /// Waits until this host runs no other write of `entity` (tokio's mutex
    /// is fair: first come, first served).
    pub(super) async fn enter(&self, entity: EntityId) -> Option<MutexGuard<'_, ()>> {
        let stripe = usize::try_from(entity.rem_euclid(STRIPES as i64)).unwrap_or_default();
        match self.stripes.get(stripe) {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }
}
