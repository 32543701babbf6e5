//! What the operations routes ask of the service: readiness, the store's
//! gauges for `/metrics`, a seeded entity's status for the demo, and
//! closing the store at shutdown. `http/` reaches the store only here.

use super::{Accounts, Problem, now};
use crate::store::{EntityId, Status};
use crate::telemetry::{OUTBOX_BACKLOG, OUTBOX_OLDEST_AGE, POOL_CONNECTIONS, POOL_MAX};

impl Accounts {
    /// Readiness: the database answers. The registry compiled every
    /// contract's module before the server listened, so a ready host has
    /// them; answers how many contracts it serves.
    pub async fn ready(&self) -> Result<usize, Problem> {
        match self.store.ping().await {
            Ok(()) => Ok(self.current().ids().count()),
            Err(error) => {
                tracing::warn!(%error, "readiness check: the database does not answer");
                Err(Problem::new("503").detail("the database does not answer").retry_after(1))
            }
        }
    }

    /// Reads what the store knows into its gauges, just before `/metrics`
    /// is rendered: the outbox backlog and the pool. A failed read keeps the
    /// previous values and says so in the log.
    pub async fn observe_store(&self) {
        let pool = self.store.pool_use();
        metrics::gauge!(POOL_CONNECTIONS, "state" => "open").set(f64::from(pool.open));
        metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(f64::from(pool.idle));
        metrics::gauge!(POOL_MAX).set(f64::from(pool.max));
        match self.store.outbox_backlog().await {
            Ok(backlog) => {
                let age = backlog.oldest_created_at.map_or(0, |created| now().saturating_sub(created).max(0));
                #[expect(clippy::cast_precision_loss, reason = "counts and seconds far below 2^53")]
                {
                    metrics::gauge!(OUTBOX_BACKLOG).set(backlog.waiting as f64);
                    metrics::gauge!(OUTBOX_OLDEST_AGE).set(age as f64);
                }
            }
            Err(error) => tracing::warn!(%error, "/metrics: the outbox backlog could not be read"),
        }
    }

    /// An entity's status, for the demo's picker; `None` once it cannot be read.
    pub async fn status_of(&self, id: EntityId) -> Option<Status> {
        self.store.get(id).await.ok().map(|entity| entity.status)
    }

    /// Closes the store's connections: the server's last step.
    pub async fn close(&self) {
        self.store.close().await;
    }
}
