//! The outbox worker: claims due rows, opens them, sends them and records
//! what happened, with exponential backoff between tries.
//!
//! Any number of workers (threads or hosts) may drain one database: a claim
//! leases its rows, so no two workers send the same row at once. A send that
//! succeeds but whose `mark_sent` is lost (crash, database error) is sent
//! again after the lease: delivery is at least once, never silently zero.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::join_all;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::Senders;
use super::message::unix_now;
use super::seal::Sealer;
use crate::store::{OutboxMessage, Store, StoreError, Timestamp};

/// How the worker paces itself. Times in seconds are store timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkerOptions {
    /// The longest wait between two drains when nobody wakes the worker.
    pub poll: Duration,
    /// How long a claimed row is reserved for this worker. Longer than the
    /// slowest send (webhook `timeout_ms`, SMTP's 60 s command timeout), or a
    /// slow send could be claimed and sent a second time.
    pub lease_secs: i64,
    /// Rows claimed (and sent concurrently) per drain step.
    pub batch: u32,
    /// Tries per row, the first included; a row that fails this often is abandoned.
    pub max_attempts: u32,
    /// The wait after the first failed try; it doubles with every further one...
    pub backoff_base_secs: i64,
    /// ...up to this.
    pub backoff_cap_secs: i64,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(5),
            lease_secs: 120,
            batch: 16,
            max_attempts: 6,
            backoff_base_secs: 10,
            backoff_cap_secs: 600,
        }
    }
}

/// The `[outbox]` table: the worker's pacing, in plain numbers. All
/// optional; the defaults are [`WorkerOptions::default`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    pub poll_ms: u64,
    pub lease_secs: i64,
    pub batch: u32,
    pub max_attempts: u32,
    pub backoff_base_secs: i64,
    pub backoff_cap_secs: i64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        let options = WorkerOptions::default();
        Self {
            poll_ms: u64::try_from(options.poll.as_millis()).unwrap_or(u64::MAX),
            lease_secs: options.lease_secs,
            batch: options.batch,
            max_attempts: options.max_attempts,
            backoff_base_secs: options.backoff_base_secs,
            backoff_cap_secs: options.backoff_cap_secs,
        }
    }
}

impl OutboxConfig {
    /// The worker's options, or the field that cannot work.
    pub fn options(&self) -> anyhow::Result<WorkerOptions> {
        let positive = [
            ("poll_ms", i64::try_from(self.poll_ms).unwrap_or(i64::MAX)),
            ("lease_secs", self.lease_secs),
            ("batch", i64::from(self.batch)),
            ("max_attempts", i64::from(self.max_attempts)),
            ("backoff_base_secs", self.backoff_base_secs),
        ];
        if let Some((field, _)) = positive.iter().find(|(_, value)| *value < 1) {
            anyhow::bail!("outbox.{field}: must be at least 1");
        }
        if self.backoff_cap_secs < self.backoff_base_secs {
            anyhow::bail!("outbox.backoff_cap_secs: must be at least backoff_base_secs");
        }
        Ok(WorkerOptions {
            poll: Duration::from_millis(self.poll_ms),
            lease_secs: self.lease_secs,
            batch: self.batch,
            max_attempts: self.max_attempts,
            backoff_base_secs: self.backoff_base_secs,
            backoff_cap_secs: self.backoff_cap_secs,
        })
    }
}

impl WorkerOptions {
    /// When a row that failed its `attempts`-th try is due again:
    /// `now + min(cap, base * 2^(attempts - 1))`.
    #[must_use]
    pub fn retry_at(&self, now: Timestamp, attempts: u32) -> Timestamp {
        let factor = 2_i64.saturating_pow(attempts.saturating_sub(1));
        now.saturating_add(self.backoff_base_secs.saturating_mul(factor).min(self.backoff_cap_secs))
    }
}

/// What one drain did with the rows it claimed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainReport {
    pub sent: usize,
    /// Failed, due again after the backoff.
    pub retried: usize,
    /// Failed for good: a permanent error, the last allowed try, or a payload
    /// that does not open.
    pub abandoned: usize,
}

impl DrainReport {
    /// Rows claimed by the drain.
    #[must_use]
    pub fn claimed(&self) -> usize {
        self.sent + self.retried + self.abandoned
    }
}

/// What became of one claimed row.
enum Fate {
    Sent,
    Retry { at: Timestamp, reason: String },
    Abandon { reason: String },
}

#[derive(Debug)]
pub struct OutboxWorker {
    pub store: Arc<dyn Store>,
    pub senders: Senders,
    pub sealer: Sealer,
    pub options: WorkerOptions,
}

impl OutboxWorker {
    /// Claims one batch of rows due at `now`, sends them concurrently and
    /// records each result. `now` comes from the caller, so tests step
    /// through backoffs without waiting. Errors only if the claim fails; a
    /// failed mark is logged, and its row comes back after the lease.
    pub async fn drain_once(&self, now: Timestamp) -> Result<DrainReport, StoreError> {
        let rows = self.store.claim_outbox(now, self.options.lease_secs, self.options.batch).await?;
        let fates = join_all(rows.iter().map(|row| self.deliver(row, now))).await;
        let mut report = DrainReport::default();
        for (row, fate) in rows.iter().zip(fates) {
            match &fate {
                Fate::Sent => report.sent += 1,
                Fate::Retry { .. } => report.retried += 1,
                Fate::Abandon { .. } => report.abandoned += 1,
            }
            self.record(row, fate, now).await;
        }
        Ok(report)
    }

    /// Drains in a loop on its own task: at once, then whenever `wake` is
    /// notified (the HTTP layer calls `notify_one` after a commit that queued
    /// a code; a notification during a drain is kept for the next wait) or
    /// `poll` has passed, and again without waiting while batches come back
    /// full. Stops when `shutdown` is cancelled, after the drain in progress.
    #[must_use]
    pub fn spawn(self, wake: Arc<Notify>, shutdown: CancellationToken) -> JoinHandle<()> {
        tokio::spawn(async move {
            while !shutdown.is_cancelled() {
                let full = match self.drain_once(unix_now()).await {
                    Ok(report) => report.claimed() >= usize::try_from(self.options.batch).unwrap_or(usize::MAX),
                    Err(error) => {
                        tracing::error!(%error, "the outbox could not be claimed");
                        false
                    }
                };
                if full {
                    continue;
                }
                tokio::select! {
                    biased;
                    () = shutdown.cancelled() => break,
                    () = wake.notified() => {}
                    () = tokio::time::sleep(self.options.poll) => {}
                }
            }
        })
    }

    /// Opens and sends one row, deciding its fate. Never fails: every
    /// outcome is recorded on the row.
    async fn deliver(&self, row: &OutboxMessage, now: Timestamp) -> Fate {
        let message = match self.sealer.open(&row.payload) {
            Ok(message) => message,
            Err(error) => return Fate::Abandon { reason: format!("the payload cannot be opened: {error}") },
        };
        match self.senders.for_channel(message.channel).send(row.id, &message).await {
            Ok(()) => Fate::Sent,
            Err(error) if error.retryable && row.attempts < self.options.max_attempts => {
                Fate::Retry { at: self.options.retry_at(now, row.attempts), reason: error.reason }
            }
            Err(error) if error.retryable => {
                Fate::Abandon { reason: format!("{} (gave up after {} tries)", error.reason, row.attempts) }
            }
            Err(error) => Fate::Abandon { reason: error.reason },
        }
    }

    async fn record(&self, row: &OutboxMessage, fate: Fate, now: Timestamp) {
        let (id, entity, channel, attempts) = (row.id, row.entity_id, row.channel, row.attempts);
        let result = match fate {
            Fate::Sent => "sent",
            Fate::Retry { .. } => "retry",
            Fate::Abandon { .. } => "abandoned",
        };
        metrics::counter!(crate::telemetry::SENDS, "channel" => channel.as_str(), "result" => result).increment(1);
        let marked = match fate {
            Fate::Sent => self.store.mark_sent(id, now).await,
            Fate::Retry { at, reason } => {
                tracing::warn!(outbox = id, entity, %channel, attempts, retry_at = at, %reason, "verification message not sent; will retry");
                self.store.mark_failed(id, now, &reason, Some(at)).await
            }
            Fate::Abandon { reason } => {
                tracing::error!(outbox = id, entity, %channel, attempts, %reason, "verification message abandoned");
                self.store.mark_failed(id, now, &reason, None).await
            }
        };
        if let Err(error) = marked {
            tracing::error!(outbox = id, %error, "the outcome of a send could not be recorded; the row is due again after its lease");
        }
    }
}
