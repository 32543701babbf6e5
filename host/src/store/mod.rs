//! Storage: entities, unique values, pending changes, verification limits,
//! the outbox and the audit log, behind one object-safe [`Store`] trait so
//! the HTTP layer holds an `Arc<dyn Store>` whatever the backend.
//!
//! Everything that must hold across hosts lives in the database and is
//! decided inside one write transaction: uniqueness (a unique index over
//! current *and* pending values), versions, the cooldown and window limit,
//! attempts, the outbox. The store has no clock (times come in) and no
//! secrets (codes are hashed and sealed by the caller's [`CodeIssuer`] and
//! checked by its [`CodeMatcher`]).
//!
//! Backends: [`SqliteStore`] (one host) and [`PostgresStore`] (any number
//! of hosts on one database), chosen by the database URL in [`open`]. Their
//! SQL differs where their engines do (locking, upserts, claiming outbox
//! rows); the steps whose SQL is the same are written once (`steps`), and
//! what they decide from the rows they read is shared (`decisions`,
//! `rules`, `rows`), so they answer alike.
//!
//! A create or update may be a dry run ([`WriteMode::DryRun`]): the same
//! steps in the same transaction, rolled back at the end instead of
//! committed, so it answers what the write would and keeps nothing. That is
//! only the backends' last step (`Slot::discard`, a PostgreSQL rollback):
//! the write path itself does not know it is a dry run.

mod codes;
mod conn;
mod decisions;
mod entities;
mod error;
mod migrations;
mod model;
mod outbox;
mod postgres;
mod rows;
pub mod rules;
mod sqlite;
mod unique;
mod verification;
mod verify;

use std::sync::Arc;

pub use codes::{CodeIssuer, CodeMatcher, IssuedCode, NoCodes};
pub use error::StoreError;
pub use migrations::AppliedMigration;
pub use model::{
    Claim, Dispatch, Entity, EntityId, FieldDispatch, NewEntity, OutboxBacklog, OutboxMessage, PoolUse, Status,
    Timestamp, Update, VerificationPolicy, VerificationRequest, VerifyOutcome, WriteMode, Written,
};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// The storage operations the HTTP layer and the outbox worker need. Every
/// write is one transaction: it commits whole or changes nothing.
#[async_trait::async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// 1001: stores a new entity with its external keys and unique values,
    /// and dispatches the codes it asks for.
    ///
    /// Errors: `UniqueTaken`, `ExtKeyTaken`, `Invalid`, `CodeIssue`.
    async fn create(&self, entity: NewEntity, codes: &dyn CodeIssuer) -> Result<Written, StoreError> {
        self.create_as(entity, codes, WriteMode::Commit).await
    }

    /// [`Store::create`], committed or (`WriteMode::DryRun`) run whole in its
    /// transaction and rolled back: the same answer, nothing kept. (On
    /// PostgreSQL the identity values a rolled-back insert drew stay drawn,
    /// as after any rollback, so a dry run's dp-keyid is not reserved.)
    async fn create_as(
        &self,
        entity: NewEntity,
        codes: &dyn CodeIssuer,
        mode: WriteMode,
    ) -> Result<Written, StoreError>;

    /// 1002 by dp-keyid. Errors: `NotFound`.
    async fn get(&self, id: EntityId) -> Result<Entity, StoreError>;

    /// 1002 by external key. Errors: `NotFound`.
    async fn find_by_ext_key(&self, ext_type: &str, ext_key: &str) -> Result<Entity, StoreError>;

    /// 1003: writes the new data, moves the entity's unique values, and for
    /// each verification applies the cooldown and window limit and, when
    /// allowed, stores the pending change and its outbox row; plus an audit
    /// row. A refused verification (200.2 / 200.3) records nothing for its
    /// field, but the rest of the update commits.
    ///
    /// Errors: `NotFound`, `VersionMismatch`, `UniqueTaken`, `Invalid`, `CodeIssue`.
    async fn update(&self, update: Update, codes: &dyn CodeIssuer) -> Result<Written, StoreError> {
        self.update_as(update, codes, WriteMode::Commit).await
    }

    /// [`Store::update`], committed or (`WriteMode::DryRun`) run whole in its
    /// transaction and rolled back: the same checks under the same locks
    /// decide the same answer, and no row of it stays (no data, version,
    /// hold, pending change, dispatch record, outbox or audit row).
    async fn update_as(&self, update: Update, codes: &dyn CodeIssuer, mode: WriteMode) -> Result<Written, StoreError>;

    /// 1004: sets the status to inactive. Values and their unique rows stay;
    /// pending changes are cancelled. Idempotent.
    ///
    /// Errors: `NotFound`, `VersionMismatch`.
    async fn deactivate(
        &self,
        id: EntityId,
        app: &str,
        now: Timestamp,
        expected_version: Option<i64>,
    ) -> Result<Entity, StoreError>;

    /// 2004: checks a code against the entity's live pending changes and
    /// applies the one it matches. See [`VerifyOutcome`] for the answers.
    ///
    /// Errors: `NotFound`.
    async fn verify(
        &self,
        id: EntityId,
        app: &str,
        now: Timestamp,
        codes: &dyn CodeMatcher,
    ) -> Result<VerifyOutcome, StoreError>;

    /// Claims up to `limit` due outbox rows for `lease_secs`: they are not due
    /// again until then, so a worker that dies mid-send only delays them.
    async fn claim_outbox(&self, now: Timestamp, lease_secs: i64, limit: u32)
    -> Result<Vec<OutboxMessage>, StoreError>;

    /// Marks a claimed row sent. Errors: `NotFound`.
    async fn mark_sent(&self, id: i64, now: Timestamp) -> Result<(), StoreError>;

    /// Records a failed send: due again at `retry_at` (the caller's backoff),
    /// or abandoned when `retry_at` is `None`. Errors: `NotFound`.
    async fn mark_failed(
        &self,
        id: i64,
        now: Timestamp,
        error: &str,
        retry_at: Option<Timestamp>,
    ) -> Result<(), StoreError>;

    /// Whether the database answers (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// What waits in the outbox (for `/metrics`).
    async fn outbox_backlog(&self) -> Result<OutboxBacklog, StoreError>;

    /// The read pool's connections (for `/metrics`).
    fn pool_use(&self) -> PoolUse;

    /// Closes the connections, waiting for operations in flight.
    async fn close(&self);
}

/// A pool's connections, the same way for both backends.
fn pool_use<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) -> PoolUse {
    let idle = u32::try_from(pool.num_idle()).unwrap_or(u32::MAX);
    PoolUse { open: pool.size(), idle, max: pool.options().get_max_connections() }
}

/// Opens the store a database URL names, running its migrations:
/// `sqlite://path?mode=rwc`, or `postgres://…` / `postgresql://…` (whose
/// `options` parameter, e.g. `?options=-c%20search_path%3Dpactum`, applies
/// to every connection).
pub async fn open(url: &str, policy: VerificationPolicy) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match Backend::of(url)? {
        Backend::Sqlite => Arc::new(SqliteStore::open(url, policy).await?),
        Backend::Postgres => Arc::new(PostgresStore::open(url, policy).await?),
    })
}

/// Runs the migrations of the backend a database URL names (as [`open`]
/// does) and answers those this run applied, oldest first.
pub async fn migrate(url: &str) -> Result<Vec<AppliedMigration>, StoreError> {
    match Backend::of(url)? {
        Backend::Sqlite => SqliteStore::migrate(url).await,
        Backend::Postgres => PostgresStore::migrate(url).await,
    }
}

/// The backend a database URL names, by its scheme.
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn of(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::Invalid("the database URL must start with `sqlite:` or `postgres:`".to_owned()))
        }
    }
}

/// The JSON Pointer of a top-level field, as the engine's `changed` lists it.
fn pointer(field: &str) -> String {
    format!("/{}", field.replace('~', "~0").replace('/', "~1"))
}
