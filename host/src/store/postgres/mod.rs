//! The PostgreSQL backend: one database shared by any number of hosts.
//!
//! Writes run in READ COMMITTED, named explicitly so a server default does
//! not change the behaviour, and serialize per entity instead of per
//! database: an update, deactivate or verify first locks the entity's row
//! (`SELECT ... FOR UPDATE`), so its version check, cooldown and window
//! limit, and attempts are decided while no other host can write that
//! entity. Across entities the unique indexes decide: a claim that meets a
//! concurrent claim of the same value waits for it and loses if it commits.
//! Outbox claims skip rows another worker has locked (`SKIP LOCKED`).
//!
//! A dry run (`WriteMode::DryRun`) runs a create or update's same steps in
//! the same write transaction and rolls it back instead of committing it.
//!
//! Reads run in one REPEATABLE READ snapshot, so an entity and its external
//! keys are read as of one moment.

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Postgres, Transaction};

use super::codes::{CodeIssuer, CodeMatcher};
use super::conn::Conn;
use super::error::StoreError;
use super::migrations::{self, AppliedMigration};
use super::model::{
    Entity, EntityId, NewEntity, OutboxBacklog, OutboxMessage, PoolUse, Timestamp, Update, VerificationPolicy,
    VerifyOutcome, WriteMode, Written,
};
use super::{Store, entities, outbox, verify};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections per host. Transactions are short, and N hosts share the
/// server's `max_connections` (100 by default).
const MAX_CONNECTIONS: u32 = 10;

const WRITE: &str = "BEGIN ISOLATION LEVEL READ COMMITTED";
const READ: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// The PostgreSQL store. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    policy: VerificationPolicy,
}

impl PostgresStore {
    /// Connects to `url`, e.g. `postgres://pactum@db.internal/pactum`, and
    /// runs the embedded migrations. The URL's `options` parameter reaches
    /// every connection, so `?options=-c%20search_path%3Dtenant_a` keeps the
    /// store in its own schema (which must exist).
    pub async fn open(url: &str, policy: VerificationPolicy) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().max_connections(MAX_CONNECTIONS).connect_with(options(url)?).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool, policy })
    }

    /// Runs the migrations `url`'s database lacks; answers those it ran.
    pub(super) async fn migrate(url: &str) -> Result<Vec<AppliedMigration>, StoreError> {
        let mut conn = PgConnection::connect_with(&options(url)?).await?;
        let before = migrations::applied_versions(&mut conn).await?;
        MIGRATOR.run(&mut conn).await?;
        conn.close().await?;
        Ok(migrations::newly_applied(&MIGRATOR, &before))
    }

    async fn write(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin_with(WRITE).await?)
    }

    async fn read(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin_with(READ).await?)
    }
}

/// Ends a write's transaction as `mode` says: committed, or (a dry run)
/// rolled back, which releases its row locks and unique-index entries as a
/// failed write's would. The answer waits for either.
async fn end(tx: Transaction<'static, Postgres>, mode: WriteMode) -> Result<(), StoreError> {
    match mode {
        WriteMode::Commit => tx.commit().await?,
        WriteMode::DryRun => tx.rollback().await?,
    }
    Ok(())
}

fn options(url: &str) -> Result<PgConnectOptions, StoreError> {
    Ok(PgConnectOptions::from_str(url)?.application_name("pactum"))
}

// Each method opens its transaction, runs the operation on it, and commits
// only on success: an early `?` drops the transaction, which rolls it back.
#[async_trait::async_trait]
impl Store for PostgresStore {
    async fn create_as(
        &self,
        entity: NewEntity,
        codes: &dyn CodeIssuer,
        mode: WriteMode,
    ) -> Result<Written, StoreError> {
        let mut tx = self.write().await?;
        let written = entities::create(&mut Conn::Postgres(&mut tx), &self.policy, entity, codes).await?;
        end(tx, mode).await?;
        Ok(written)
    }

    async fn get(&self, id: EntityId) -> Result<Entity, StoreError> {
        let mut tx = self.read().await?;
        let entity = entities::load(&mut Conn::Postgres(&mut tx), id).await?;
        tx.commit().await?;
        Ok(entity)
    }

    async fn find_by_ext_key(&self, ext_type: &str, ext_key: &str) -> Result<Entity, StoreError> {
        let mut tx = self.read().await?;
        let mut conn = Conn::Postgres(&mut tx);
        let id = entities::find_ext_key(&mut conn, ext_type, ext_key).await?.ok_or(StoreError::NotFound)?;
        let entity = entities::load(&mut conn, id).await?;
        tx.commit().await?;
        Ok(entity)
    }

    async fn update_as(&self, update: Update, codes: &dyn CodeIssuer, mode: WriteMode) -> Result<Written, StoreError> {
        let mut tx = self.write().await?;
        let written = entities::update(&mut Conn::Postgres(&mut tx), &self.policy, update, codes).await?;
        end(tx, mode).await?;
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
        let entity = entities::deactivate(&mut Conn::Postgres(&mut tx), id, app, now, expected_version).await?;
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
        let outcome = verify::verify(&mut Conn::Postgres(&mut tx), &self.policy, id, app, now, codes).await?;
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
        let claimed = outbox::claim(&mut Conn::Postgres(&mut tx), now, lease_secs, limit).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn mark_sent(&self, id: i64, now: Timestamp) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        outbox::mark_sent(&mut Conn::Postgres(&mut tx), id, now).await?;
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
        outbox::mark_failed(&mut Conn::Postgres(&mut tx), id, now, error, retry_at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn outbox_backlog(&self) -> Result<OutboxBacklog, StoreError> {
        let mut tx = self.read().await?;
        let backlog = outbox::backlog(&mut Conn::Postgres(&mut tx)).await?;
        tx.commit().await?;
        Ok(backlog)
    }

    fn pool_use(&self) -> PoolUse {
        super::pool_use(&self.pool)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
