//! Group commit: every write runs on one connection, inside the
//! transaction of the current *batch*, in a savepoint of its own; one
//! `COMMIT` (one WAL fsync) then makes the whole batch durable, and only
//! then is each write answered.
//!
//! A write ([`Writer::begin`] ... [`Slot::finish`]) takes the writer's lock
//! (a FIFO mutex), opens the batch's transaction with `BEGIN IMMEDIATE` if
//! none is open, runs in `SAVEPOINT op`, and then either rolls its
//! savepoint back (its error changes nothing, as before) or keeps it and
//! waits for the batch's commit. (Kept savepoints nest; `ROLLBACK TO op`
//! always names the newest, the running write's, and `COMMIT` ends them
//! all.) The write that opens a batch spawns the
//! batch's one commit task, which queues for the lock behind the writes
//! already waiting and then commits them all; writes that come later queue
//! behind it and open the next batch. So under load a batch is every write
//! that queued while the previous one was being committed, and alone a
//! write commits right after itself, as before.
//!
//! Writes run one at a time on one connection, so each sees the ones
//! before it (committed or in the open batch): the check-then-write rules
//! hold exactly as under one `BEGIN IMMEDIATE` transaction per write. If the
//! commit fails, every write of the batch gets the error and none of them
//! is applied. A write whose future is dropped halfway is rolled back to
//! its savepoint by a task spawned when it is dropped.
//!
//! A dry run ([`Slot::discard`]) runs in its savepoint like any write and
//! is then rolled back to it, success or not, so the batch goes on as if it
//! had never run; its answer waits for the batch's commit like a kept
//! write's, since it was decided on the writes before it.
//!
//! Cancellation: an HTTP handler's future is dropped when its client goes
//! away, at any `.await`. Only the write's own operation runs in the
//! caller's future; every statement that changes the batch's state
//! (`BEGIN`, `SAVEPOINT`, `ROLLBACK TO`, `COMMIT`) runs in a spawned task
//! that owns the lock, and a kept write's bookkeeping does not await, so
//! the flags here always match the connection, and a caller that goes away
//! never interrupts a `COMMIT` the others wait for.

use std::future::Future;
use std::sync::Arc;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use crate::store::error::StoreError;
use crate::store::model::WriteMode;

/// The one write connection and its batch, shared by the store's clones.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    shared: Arc<Mutex<Batch>>,
}

/// What a waiting write learns: committed, or why not.
type Committed = Result<(), String>;

#[derive(Debug)]
struct Batch {
    /// `None` once the store is closed.
    conn: Option<SqliteConnection>,
    /// A transaction is open (`BEGIN IMMEDIATE` ran, no `COMMIT` yet).
    open: bool,
    /// A write holds `SAVEPOINT op`: set while it runs, and left set if it
    /// was dropped halfway.
    in_savepoint: bool,
    /// The writes of the open batch waiting for its commit.
    waiting: Vec<oneshot::Sender<Committed>>,
}

impl Writer {
    pub(super) async fn open(options: &SqliteConnectOptions) -> Result<Self, StoreError> {
        let conn = SqliteConnection::connect_with(options).await?;
        let batch = Batch { conn: Some(conn), open: false, in_savepoint: false, waiting: Vec::new() };
        Ok(Self { shared: Arc::new(Mutex::new(batch)) })
    }

    /// Starts a write: the lock, the batch's transaction, a savepoint.
    pub(super) async fn begin(&self) -> Result<Slot, StoreError> {
        let guard = Arc::clone(&self.shared).lock_owned().await;
        let mut slot = Slot { guard: Some(guard), shared: Arc::clone(&self.shared) };
        // A slot that fails to open, or whose caller is gone by then, is
        // dropped: its `Drop` rolls back and commits what others wrote.
        detached(async move {
            let prepared = match slot.guard.as_mut() {
                Some(batch) => batch.prepare(&slot.shared).await,
                None => Err(StoreError::Database("the write already finished".to_owned())),
            };
            prepared.map(|()| slot)
        })
        .await?
    }

    /// Commits what is open and closes the connection; later writes fail.
    pub(super) async fn close(&self) {
        let shared = Arc::clone(&self.shared);
        let _ = detached(async move {
            let mut batch = shared.lock().await;
            batch.commit().await;
            if let Some(conn) = batch.conn.take() {
                let _ = conn.close().await;
            }
        })
        .await;
    }
}

/// One write in progress, holding the writer's lock. Finish it with
/// [`Slot::finish`]; dropped unfinished, its work is rolled back.
#[derive(Debug)]
pub(super) struct Slot {
    guard: Option<OwnedMutexGuard<Batch>>,
    shared: Arc<Mutex<Batch>>,
}

impl Slot {
    /// The connection, inside the write's savepoint.
    pub(super) fn conn(&mut self) -> Result<&mut SqliteConnection, StoreError> {
        self.guard.as_mut().ok_or_else(|| StoreError::Database("the write already finished".to_owned()))?.conn()
    }

    /// The batch and `outcome`'s value, to end the write with; an error
    /// rolls the write back and is answered at once, as for every ending.
    fn settle<T>(&mut self, outcome: Result<T, StoreError>) -> Result<(OwnedMutexGuard<Batch>, T), StoreError> {
        let Some(mut guard) = self.guard.take() else {
            return Err(StoreError::Database("the write already finished".to_owned()));
        };
        match outcome {
            Ok(value) => Ok((guard, value)),
            Err(error) => {
                spawn(async move { guard.rollback_op().await });
                Err(error)
            }
        }
    }

    /// Ends the write with its `outcome`: an error rolls the write back and
    /// is answered at once; a success is answered once its batch committed
    /// (or with the commit's error, and then nothing of it is applied).
    pub(super) async fn finish<T>(mut self, outcome: Result<T, StoreError>) -> Result<T, StoreError> {
        let (mut guard, value) = self.settle(outcome)?;
        // Kept: its savepoint stays open inside the batch (`COMMIT` ends
        // them all), which spares a round trip. Nothing here awaits, so a
        // caller that goes away now cannot leave the batch half-updated.
        let (done, committed) = oneshot::channel();
        guard.waiting.push(done);
        guard.in_savepoint = false;
        drop(guard);
        match committed.await {
            Ok(Ok(())) => Ok(value),
            Ok(Err(message)) => Err(StoreError::Database(message)),
            Err(_) => Err(StoreError::Database("the write's batch was dropped before it committed".to_owned())),
        }
    }
}

impl Slot {
    /// Ends the write as `mode` says: [`Slot::finish`], or [`Slot::discard`].
    pub(super) async fn end<T>(self, outcome: Result<T, StoreError>, mode: WriteMode) -> Result<T, StoreError> {
        match mode {
            WriteMode::Commit => self.finish(outcome).await,
            WriteMode::DryRun => self.discard(outcome).await,
        }
    }

    /// Ends a dry run: its savepoint is rolled back whatever the outcome, so
    /// the batch goes on as if it had never run. An error is answered at
    /// once, as by [`Slot::finish`]; a success once the batch committed,
    /// like a kept write: it was decided on the writes before it in the
    /// batch, and a real write would have been answered only once they are
    /// durable (if their commit fails, so does the dry run).
    pub(super) async fn discard<T>(mut self, outcome: Result<T, StoreError>) -> Result<T, StoreError> {
        let (mut guard, value) = self.settle(outcome)?;
        // In a task of its own, so a caller that goes away cannot leave the
        // savepoint half rolled back; the lock is released when it ends.
        let committed = detached(async move {
            guard.rollback_op().await;
            if !guard.open {
                // The rollback failed and took the batch with it.
                return None;
            }
            let (done, committed) = oneshot::channel();
            guard.waiting.push(done);
            Some(committed)
        })
        .await?;
        let Some(committed) = committed else {
            return Err(StoreError::Database("a dry run's rollback failed, and its batch with it".to_owned()));
        };
        match committed.await {
            Ok(Ok(())) => Ok(value),
            Ok(Err(message)) => Err(StoreError::Database(message)),
            Err(_) => Err(StoreError::Database("the write's batch was dropped before it committed".to_owned())),
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        // Dropped halfway (the caller went away): roll the write back.
        if let Some(mut guard) = self.guard.take() {
            spawn(async move { guard.rollback_op().await });
        }
    }
}

/// Takes the lock and commits the open batch. Spawned by the write that
/// opens the batch, it queues behind the writes already waiting for the
/// lock, so it commits them too.
async fn commit(shared: Arc<Mutex<Batch>>) {
    shared.lock().await.commit().await;
}

/// Runs `work` as a task of its own, so that dropping the caller cannot
/// interrupt it, and waits for it. Outside a tokio runtime (never inside a
/// store call) it runs in place.
async fn detached<T: Send + 'static>(work: impl Future<Output = T> + Send + 'static) -> Result<T, StoreError> {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(work).await.map_err(|error| StoreError::Database(format!("a write task failed: {error}")))
        }
        Err(_) => Ok(work.await),
    }
}

/// Runs `work` as a task of its own, not waited for. Outside a tokio
/// runtime (never inside a store call: sqlx needs one) it is dropped.
fn spawn(work: impl Future<Output = ()> + Send + 'static) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(work);
    }
}

impl Batch {
    fn conn(&mut self) -> Result<&mut SqliteConnection, StoreError> {
        self.conn.as_mut().ok_or_else(|| StoreError::Database("the store is closed".to_owned()))
    }

    /// Rolls back a write left in its savepoint, opens the transaction if
    /// none is (and spawns its commit), and opens the new write's savepoint.
    async fn prepare(&mut self, shared: &Arc<Mutex<Batch>>) -> Result<(), StoreError> {
        if self.in_savepoint {
            self.rollback_op().await;
        }
        if self.open {
            self.conn()?.execute("SAVEPOINT op").await?;
        } else {
            // One round trip for both.
            if let Err(error) = self.conn()?.execute(sqlx::raw_sql("BEGIN IMMEDIATE; SAVEPOINT op")).await {
                // Whichever half ran, nothing is in the transaction yet.
                let _ = self.conn()?.execute("ROLLBACK").await;
                return Err(error.into());
            }
            self.open = true;
            spawn(commit(Arc::clone(shared)));
        }
        self.in_savepoint = true;
        Ok(())
    }

    /// Rolls the current write's savepoint back. If that fails the
    /// transaction is gone (SQLite rolls back the whole transaction on some
    /// errors), and so is the batch.
    async fn rollback_op(&mut self) {
        if !self.in_savepoint {
            return;
        }
        let rolled_back = match self.conn() {
            Ok(conn) => match conn.execute("ROLLBACK TO op").await {
                Ok(_) => conn.execute("RELEASE op").await.map(drop).map_err(StoreError::from),
                Err(error) => Err(error.into()),
            },
            Err(error) => Err(error),
        };
        self.in_savepoint = false;
        if let Err(error) = rolled_back {
            self.abort(&error.to_string()).await;
        }
    }

    /// Commits the open batch and answers its writes.
    async fn commit(&mut self) {
        self.rollback_op().await;
        if !self.open {
            return;
        }
        let committed = match self.conn() {
            Ok(conn) => conn.execute("COMMIT").await.map(drop).map_err(|error| error.to_string()),
            Err(error) => Err(error.to_string()),
        };
        match committed {
            Ok(()) => {
                self.open = false;
                #[expect(clippy::cast_precision_loss, reason = "a batch holds far fewer than 2^53 writes")]
                metrics::histogram!(crate::telemetry::GROUP_COMMIT_WRITES).record(self.waiting.len() as f64);
                for done in self.waiting.drain(..) {
                    let _ = done.send(Ok(()));
                }
            }
            Err(message) => self.abort(&format!("the batch's commit failed: {message}")).await,
        }
    }

    /// Rolls the whole batch back and fails its writes with `message`.
    async fn abort(&mut self, message: &str) {
        if let Ok(conn) = self.conn() {
            // Fails harmlessly if SQLite already rolled the transaction back.
            let _ = conn.execute("ROLLBACK").await;
        }
        self.open = false;
        self.in_savepoint = false;
        for done in self.waiting.drain(..) {
            let _ = done.send(Err(message.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use std::str::FromStr;
    use std::time::Duration;

    use sqlx::sqlite::{SqliteJournalMode, SqlitePool, SqliteSynchronous};

    use super::*;

    async fn setup() -> (tempfile::TempDir, Writer, SqlitePool) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let options = SqliteConnectOptions::from_str(&url)
            .unwrap()
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10));
        let pool =
            sqlx::sqlite::SqlitePoolOptions::new().max_connections(2).connect_with(options.clone()).await.unwrap();
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT NOT NULL)").execute(&pool).await.unwrap();
        (dir, Writer::open(&options).await.unwrap(), pool)
    }

    async fn insert(writer: &Writer, id: i64, fail: bool) -> Result<i64, StoreError> {
        let mut slot = writer.begin().await?;
        let outcome = async {
            sqlx::query("INSERT INTO t (id, note) VALUES (?, 'x')").bind(id).execute(slot.conn()?).await?;
            if fail { Err(StoreError::Invalid("refused after writing".to_owned())) } else { Ok(id) }
        }
        .await;
        slot.finish(outcome).await
    }

    async fn ids(pool: &SqlitePool) -> Vec<i64> {
        sqlx::query_scalar("SELECT id FROM t ORDER BY id").fetch_all(pool).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_are_visible_once_answered_and_failed_ones_change_nothing() {
        let (_dir, writer, pool) = setup().await;
        let tasks: Vec<_> = (1..=200)
            .map(|id| {
                let writer = writer.clone();
                let pool = pool.clone();
                tokio::spawn(async move {
                    let outcome = insert(&writer, id, id % 10 == 0).await;
                    if outcome.is_ok() {
                        // Answered only after the commit: another connection sees it.
                        let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM t WHERE id = ?")
                            .bind(id)
                            .fetch_one(&pool)
                            .await
                            .unwrap();
                        assert_eq!(seen, 1, "write {id} answered before it was visible");
                    }
                    outcome
                })
            })
            .collect();
        for (index, task) in tasks.into_iter().enumerate() {
            let id = i64::try_from(index).unwrap() + 1;
            let outcome = task.await.unwrap();
            assert_eq!(outcome.is_ok(), id % 10 != 0, "write {id}: {outcome:?}");
        }
        let expected: Vec<i64> = (1..=200).filter(|id| id % 10 != 0).collect();
        assert_eq!(ids(&pool).await, expected);
    }

    /// A dry run: the write runs, then is rolled back whatever its outcome.
    async fn dry_insert(writer: &Writer, id: i64, fail: bool) -> Result<i64, StoreError> {
        let mut slot = writer.begin().await?;
        let outcome = async {
            sqlx::query("INSERT INTO t (id, note) VALUES (?, 'dry')").bind(id).execute(slot.conn()?).await?;
            let seen: i64 =
                sqlx::query_scalar("SELECT count(*) FROM t WHERE id = ?").bind(id).fetch_one(slot.conn()?).await?;
            if fail || seen != 1 { Err(StoreError::Invalid("refused after writing".to_owned())) } else { Ok(id) }
        }
        .await;
        slot.end(outcome, WriteMode::DryRun).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn dry_runs_in_a_batch_answer_their_outcome_and_leave_nothing() {
        let (_dir, writer, pool) = setup().await;
        let tasks: Vec<_> = (1..=120)
            .map(|id| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    match id % 3 {
                        0 => dry_insert(&writer, id, id % 2 == 0).await,
                        _ => insert(&writer, id, false).await,
                    }
                })
            })
            .collect();
        for (index, task) in tasks.into_iter().enumerate() {
            let id = i64::try_from(index).unwrap() + 1;
            let outcome = task.await.unwrap();
            let failed_dry_run = id % 3 == 0 && id % 2 == 0;
            assert_eq!(outcome.is_ok(), !failed_dry_run, "write {id}: {outcome:?}");
        }
        let expected: Vec<i64> = (1..=120).filter(|id| id % 3 != 0).collect();
        assert_eq!(ids(&pool).await, expected, "every kept write is stored, no dry run is");
        // A dry run of a value a kept write then takes sees nothing of it.
        assert_eq!(dry_insert(&writer, 3, false).await.unwrap(), 3);
        assert_eq!(insert(&writer, 3, false).await.unwrap(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_dropped_halfway_is_rolled_back_and_the_writer_goes_on() {
        let (_dir, writer, pool) = setup().await;
        let mut slot = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO t (id, note) VALUES (1, 'dropped')").execute(slot.conn().unwrap()).await.unwrap();
        drop(slot);
        assert_eq!(insert(&writer, 2, false).await.unwrap(), 2);
        assert_eq!(ids(&pool).await, vec![2]);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_cancelled_at_any_point_leave_a_working_writer_and_no_lost_answer() {
        let (_dir, writer, pool) = setup().await;
        let mut answered = Vec::new();
        for round in 0..40i64 {
            // Many writers at once, each cut off after a different time.
            let tasks: Vec<_> = (0..8i64)
                .map(|n| {
                    let writer = writer.clone();
                    let id = round * 100 + n;
                    let budget = Duration::from_micros(u64::try_from((round * 8 + n) % 40).unwrap() * 50);
                    tokio::spawn(async move { (id, tokio::time::timeout(budget, insert(&writer, id, false)).await) })
                })
                .collect();
            for task in tasks {
                if let (id, Ok(Ok(_))) = task.await.unwrap() {
                    answered.push(id);
                }
            }
        }
        // The writer still works, and every answered write is stored.
        assert_eq!(insert(&writer, 999_999, false).await.unwrap(), 999_999);
        let stored = ids(&pool).await;
        for id in &answered {
            assert!(stored.contains(id), "write {id} was answered but is not stored");
        }
        assert!(stored.contains(&999_999));
        writer.close().await;
        assert!(insert(&writer, 1_000_000, false).await.is_err(), "a closed writer refuses writes");
    }
}
