//! The SQLite backend: the embedded default.
//!
//! Every write runs in `BEGIN IMMEDIATE`, which takes the database's write
//! lock up front. A deferred transaction would read first and upgrade to a
//! writer later, and two such readers upgrading at once fail with
//! SQLITE_BUSY whatever the busy timeout; taking the lock first makes
//! writers simply queue (up to the busy timeout) and makes every
//! check-then-write inside the transaction race-free. The unique indexes stay
//! the backstop.

mod entities;
mod outbox;
mod unique;
mod verification;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, Sqlite, Transaction};

use super::Store;
use super::codes::{CodeIssuer, CodeMatcher};
use super::error::StoreError;
use super::migrations::{self, AppliedMigration};
use super::model::Written;
use super::model::{Entity, EntityId, NewEntity, OutboxMessage, Timestamp, Update, VerificationPolicy, VerifyOutcome};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a write waits for another connection's write lock before it
/// fails. Write transactions are short (no I/O but the database's), so a
/// long wait means overload, not contention.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// WAL lets reads run beside the one writer; a few connections are enough.
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

/// The SQLite store. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    policy: VerificationPolicy,
}

impl SqliteStore {
    /// Opens (with `?mode=rwc`, creates) the database at `url`, e.g.
    /// `sqlite:///var/lib/pactum/pactum.db?mode=rwc`, and runs the embedded
    /// migrations.
    pub async fn open(url: &str, policy: VerificationPolicy) -> Result<Self, StoreError> {
        let pool = SqlitePoolOptions::new().max_connections(MAX_CONNECTIONS).connect_with(options(url)?).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool, policy })
    }

    /// Runs the migrations `url`'s database lacks; answers those it ran.
    pub(super) async fn migrate(url: &str) -> Result<Vec<AppliedMigration>, StoreError> {
        let mut conn = SqliteConnection::connect_with(&options(url)?).await?;
        let before = migrations::applied_versions(&mut conn).await?;
        MIGRATOR.run(&mut conn).await?;
        conn.close().await?;
        Ok(migrations::newly_applied(&MIGRATOR, &before))
    }

    /// A write transaction holding the write lock from its first statement.
    async fn write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

// Each method opens its transaction, runs the operation on it, and commits
// only on success: an early `?` drops the transaction, which rolls it back.
#[async_trait::async_trait]
impl Store for SqliteStore {
    async fn create(&self, entity: NewEntity, codes: &dyn CodeIssuer) -> Result<Written, StoreError> {
        let mut tx = self.write().await?;
        let written = entities::create(&mut tx, &self.policy, entity, codes).await?;
        tx.commit().await?;
        Ok(written)
    }

    async fn get(&self, id: EntityId) -> Result<Entity, StoreError> {
        // A read transaction, so the entity and its keys are one snapshot.
        let mut tx = self.pool.begin().await?;
        let entity = entities::load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(entity)
    }

    async fn find_by_ext_key(&self, ext_type: &str, ext_key: &str) -> Result<Entity, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = entities::find_ext_key(&mut tx, ext_type, ext_key).await?.ok_or(StoreError::NotFound)?;
        let entity = entities::load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(entity)
    }

    async fn update(&self, update: Update, codes: &dyn CodeIssuer) -> Result<Written, StoreError> {
        let mut tx = self.write().await?;
        let written = entities::update(&mut tx, &self.policy, update, codes).await?;
        tx.commit().await?;
        Ok(written)
    }

    async fn deactivate(
        &self,
        id: EntityId,
        app: &str,
        now: Timestamp,
        expected_version: Option<i64>,
    ) -> Result<Entity, StoreError> {
        let mut tx = self.write().await?;
        let entity = entities::deactivate(&mut tx, id, app, now, expected_version).await?;
        tx.commit().await?;
        Ok(entity)
    }

    async fn verify(
        &self,
        id: EntityId,
        app: &str,
        now: Timestamp,
        codes: &dyn CodeMatcher,
    ) -> Result<VerifyOutcome, StoreError> {
        let mut tx = self.write().await?;
        let outcome = verification::verify(&mut tx, &self.policy, id, app, now, codes).await?;
        // Committed whatever the outcome: attempts and cancellations stick.
        tx.commit().await?;
        Ok(outcome)
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease_secs: i64,
        limit: u32,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut tx = self.write().await?;
        let claimed = outbox::claim(&mut tx, now, lease_secs, limit).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn mark_sent(&self, id: i64, now: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        outbox::mark_sent(&mut tx, id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn mark_failed(
        &self,
        id: i64,
        now: Timestamp,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        outbox::mark_failed(&mut tx, id, now, error, retry_at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
