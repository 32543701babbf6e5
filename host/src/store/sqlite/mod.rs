//! The SQLite backend: the embedded default.
//!
//! Every write runs on one write connection, in `BEGIN IMMEDIATE`, which
//! takes the database's write lock up front (a deferred transaction would
//! read first and upgrade later, and two such upgrades at once fail with
//! SQLITE_BUSY whatever the busy timeout; another process's writer simply
//! queues, up to the busy timeout). Writes are **group-committed**
//! (`group.rs`): they run one after the other, each in a savepoint of the
//! current batch's transaction, and one `COMMIT` (one fsync) makes the batch
//! durable before any of its writes is answered. Each write sees the ones
//! before it, so every check-then-write stays race-free; a failed write is
//! rolled back to its savepoint and changes nothing. The unique indexes stay
//! the backstop. Reads use a pool of connections beside the writer (WAL).

mod group;

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::codes::{CodeIssuer, CodeMatcher};
use super::conn::Conn;
use super::error::StoreError;
use super::migrations::{self, AppliedMigration};
use super::model::{
    Entity, EntityId, NewEntity, OutboxBacklog, OutboxMessage, PoolUse, Timestamp, Update, VerificationPolicy,
    VerifyOutcome, WriteMode, Written,
};
use super::{Store, entities, outbox, verify};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a write waits for another connection's write lock before it
/// fails. Write transactions are short (no I/O but the database's), so a
/// long wait means overload, not contention.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// WAL lets reads run beside the one writer; a few connections are enough.
/// (The write connection is one more, outside the pool.)
const MAX_CONNECTIONS: u32 = 8;

fn options(url: &str) -> Result<SqliteConnectOptions, StoreError> {
    Ok(SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a commit is on disk (the WAL is synced) before it returns,
        // so an acknowledged update survives a power loss. NORMAL would
        // only survive a process crash.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true))
}

/// The SQLite store. Cheap to clone (the pool and the writer are shared).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: group::Writer,
    policy: VerificationPolicy,
}

impl SqliteStore {
    /// Opens (with `?mode=rwc`, creates) the database at `url`, e.g.
    /// `sqlite:///var/lib/pactum/pactum.db?mode=rwc`, and runs the embedded
    /// migrations.
    pub async fn open(url: &str, policy: VerificationPolicy) -> Result<Self, StoreError> {
        let pool = SqlitePoolOptions::new().max_connections(MAX_CONNECTIONS).connect_with(options(url)?).await?;
        MIGRATOR.run(&pool).await?;
        let writer = group::Writer::open(&options(url)?).await?;
        Ok(Self { pool, writer, policy })
    }

    /// Runs the migrations `url`'s database lacks; answers those it ran.
    pub(super) async fn migrate(url: &str) -> Result<Vec<AppliedMigration>, StoreError> {
        let mut conn = SqliteConnection::connect_with(&options(url)?).await?;
        let before = migrations::applied_versions(&mut conn).await?;
        MIGRATOR.run(&mut conn).await?;
        conn.close().await?;
        Ok(migrations::newly_applied(&MIGRATOR, &before))
    }
}

// Each write runs its operation in a slot of the writer's batch and hands the
// outcome to `finish`: an error rolls the operation back (and is answered at
// once), a success is answered after the batch's commit. A dry run's slot is
// rolled back to its savepoint whatever the outcome (`Slot::discard`).
#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn create_as(
        &self,
        entity: NewEntity,
        codes: &dyn CodeIssuer,
        mode: WriteMode,
    ) -> Result<Written, StoreError> {
        let mut slot = self.writer.begin().await?;
        let outcome =
            async { entities::create(&mut Conn::Sqlite(slot.conn()?), &self.policy, entity, codes).await }.await;
        slot.end(outcome, mode).await
    }

    async fn get(&self, id: EntityId) -> Result<Entity, StoreError> {
        // A read transaction, so the entity and its keys are one snapshot.
        let mut tx = self.pool.begin().await?;
        let entity = entities::load(&mut Conn::Sqlite(&mut tx), id).await?;
        tx.commit().await?;
        Ok(entity)
    }

    async fn find_by_ext_key(&self, ext_type: &str, ext_key: &str) -> Result<Entity, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut conn = Conn::Sqlite(&mut tx);
        let id = entities::find_ext_key(&mut conn, ext_type, ext_key).await?.ok_or(StoreError::NotFound)?;
        let entity = entities::load(&mut conn, id).await?;
        tx.commit().await?;
        Ok(entity)
    }

    async fn update_as(&self, update: Update, codes: &dyn CodeIssuer, mode: WriteMode) -> Result<Written, StoreError> {
        let mut slot = self.writer.begin().await?;
        let outcome =
            async { entities::update(&mut Conn::Sqlite(slot.conn()?), &self.policy, update, codes).await }.await;
        slot.end(outcome, mode).await
    }

    async fn deactivate(
        &self,
        id: EntityId,
        app: &str,
        now: Timestamp,
        expected_version: Option<i64>,
    ) -> Result<Entity, StoreError> {
        let mut slot = self.writer.begin().await?;
        let outcome =
            async { entities::deactivate(&mut Conn::Sqlite(slot.conn()?), id, app, now, expected_version).await }.await;
        slot.finish(outcome).await
    }

    async fn verify(
        &self,
        id: EntityId,
        app: &str,
        now: Timestamp,
        codes: &dyn CodeMatcher,
    ) -> Result<VerifyOutcome, StoreError> {
        let mut slot = self.writer.begin().await?;
        // Committed whatever the outcome: attempts and cancellations stick.
        let outcome =
            async { verify::verify(&mut Conn::Sqlite(slot.conn()?), &self.policy, id, app, now, codes).await }.await;
        slot.finish(outcome).await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_secs: i64,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut slot = self.writer.begin().await?;
        let outcome = async { outbox::claim(&mut Conn::Sqlite(slot.conn()?), now, lease_secs, limit).await }.await;
        slot.finish(outcome).await
    }

    async fn mark_sent(&self, id: i64, now: Timestamp) -> Result<(), StoreError> {
        let mut slot = self.writer.begin().await?;
        let outcome = async { outbox::mark_sent(&mut Conn::Sqlite(slot.conn()?), id, now).await }.await;
        slot.finish(outcome).await
    }

    async fn mark_failed(
        &self,
        id: i64,
        now: Timestamp,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let mut slot = self.writer.begin().await?;
        let outcome =
            async { outbox::mark_failed(&mut Conn::Sqlite(slot.conn()?), id, now, error, retry_at).await }.await;
        slot.finish(outcome).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn outbox_backlog(&self) -> Result<OutboxBacklog, StoreError> {
        let mut tx = self.pool.begin().await?;
        let backlog = outbox::backlog(&mut Conn::Sqlite(&mut tx)).await?;
        tx.commit().await?;
        Ok(backlog)
    }

    fn pool_use(&self) -> PoolUse {
        super::pool_use(&self.pool)
    }

    async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}
