//! A fresh, private database per test, on either backend.
//!
//! - SQLite: a database file in a new temporary directory, removed with it.
//! - PostgreSQL: a new schema with a random name on the server the
//!   environment variable `PACTUM_TEST_POSTGRES` names (e.g.
//!   `postgres://postgres@127.0.0.1:5432/test`), reached through a URL whose
//!   `options` set the `search_path`, so every connection of the test (the
//!   store's, `pactum serve`'s, a raw one) works in that schema only. The
//!   schema is dropped when the [`TestDb`] is dropped, also when the test
//!   panics.
//!
//! PostgreSQL tests never pass silently: when the variable is unset,
//! [`TestDb::postgres`] writes a `NOT RUN` line to the real stderr (past the
//! harness's capture) and answers `None`; when it is set but the server
//! cannot be used, it panics.
//!
//! [`backend_tests!`] turns `async fn case(db: &TestDb)` functions into one
//! test per backend.

use std::io::Write;
use std::sync::Arc;

use pactum_host::store::{self, Store, VerificationPolicy};
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqlitePool, SqliteRow};
use sqlx::{Connection, FromRow};
use tempfile::TempDir;

/// The environment variable with the PostgreSQL server's URL.
pub const POSTGRES_URL_VAR: &str = "PACTUM_TEST_POSTGRES";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One test's database. Keep it alive for as long as the test uses it.
#[derive(Debug)]
pub struct TestDb {
    backend: Backend,
    url: String,
    /// SQLite: the directory holding the file.
    _dir: Option<TempDir>,
    /// PostgreSQL: the schema to drop at the end.
    schema: Option<Schema>,
}

#[derive(Debug)]
struct Schema {
    server: String,
    name: String,
}

impl TestDb {
    /// A fresh database on `backend`; `None` only for PostgreSQL when
    /// `PACTUM_TEST_POSTGRES` is unset (see [`TestDb::postgres`]).
    pub async fn new(backend: Backend, test: &str) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite()),
            Backend::Postgres => Self::postgres(test).await,
        }
    }

    /// A fresh SQLite database file (created when first opened).
    #[expect(clippy::panic, reason = "a test without a temporary directory cannot run")]
    pub fn sqlite() -> Self {
        let dir = TempDir::new().unwrap_or_else(|error| panic!("creating a temporary directory: {error}"));
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("pactum.db").display());
        Self { backend: Backend::Sqlite, url, _dir: Some(dir), schema: None }
    }

    /// A fresh, empty schema on the `PACTUM_TEST_POSTGRES` server. `test`
    /// names the test in the `NOT RUN` line when the variable is unset.
    ///
    /// Panics when the variable is set but the server cannot be reached or
    /// refuses to create the schema.
    #[expect(clippy::panic, reason = "a configured but unusable server must fail the test loudly")]
    pub async fn postgres(test: &str) -> Option<Self> {
        let Ok(server) = std::env::var(POSTGRES_URL_VAR) else {
            // Straight to the process's stderr: the harness captures only
            // `eprintln!`, and this line must show in every run.
            let _ = writeln!(
                std::io::stderr().lock(),
                "NOT RUN: {test} (PostgreSQL): {POSTGRES_URL_VAR} is not set; set it to e.g. \
                 postgres://postgres@127.0.0.1:5432/test to run the PostgreSQL tests"
            );
            return None;
        };
        let name =
            format!("pactum_test_{:016x}", getrandom::u64().unwrap_or_else(|error| panic!("getrandom: {error}")));
        let mut conn = PgConnection::connect(&server).await.unwrap_or_else(|error| {
            panic!("{POSTGRES_URL_VAR} is set to `{server}`, but that PostgreSQL server cannot be reached: {error}")
        });
        sqlx::query(&format!("CREATE SCHEMA {name}"))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|error| panic!("creating schema {name} on `{server}`: {error}"));
        let _ = conn.close().await;
        let separator = if server.contains('?') { '&' } else { '?' };
        let url = format!("{server}{separator}options=-c%20search_path%3D{name}");
        Some(Self { backend: Backend::Postgres, url, _dir: None, schema: Some(Schema { server, name }) })
    }

    #[must_use]
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database URL, for `store::open`, `pactum migrate --database` or a
    /// server configuration.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Opens the store (running the migrations), as a host does.
    #[expect(clippy::panic, reason = "test helper: a store that cannot open fails the test")]
    pub async fn open(&self, policy: VerificationPolicy) -> Arc<dyn Store> {
        store::open(&self.url, policy).await.unwrap_or_else(|error| panic!("opening {}: {error}", self.url))
    }

    /// A plain connection pool to the same database, to look at what the
    /// store's API does not show (audit, outbox, holds) or to forge rows.
    #[expect(clippy::panic, reason = "test helper: an unreachable database fails the test")]
    pub async fn raw(&self) -> Raw {
        let unreachable = |error: sqlx::Error| -> ! { panic!("connecting to {}: {error}", self.url) };
        let Some(schema) = &self.schema else {
            return Raw::Sqlite(SqlitePool::connect(&self.url).await.unwrap_or_else(|error| unreachable(error)));
        };
        let pool =
            PgPoolOptions::new().max_connections(2).connect(&self.url).await.unwrap_or_else(|error| unreachable(error));
        let current: String = sqlx::query_scalar("SELECT current_schema()")
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|error| panic!("reading the search path: {error}"));
        assert_eq!(current, schema.name, "the URL's search_path must reach every connection");
        Raw::Postgres(pool)
    }
}

impl Drop for TestDb {
    /// Drops the PostgreSQL schema, on a thread of its own: `Drop` cannot
    /// await, and the test's runtime may be the one being dropped.
    fn drop(&mut self) {
        let Some(Schema { server, name }) = self.schema.take() else { return };
        let dropped = std::thread::spawn(move || -> Result<(), String> {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|error| error.to_string())?;
            runtime.block_on(async {
                let mut conn = PgConnection::connect(&server).await.map_err(|error| error.to_string())?;
                // A connection a panicking test left in a transaction must
                // not hang the run.
                sqlx::query("SET lock_timeout = '10s'").execute(&mut conn).await.map_err(|error| error.to_string())?;
                sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                    .execute(&mut conn)
                    .await
                    .map_err(|error| format!("dropping schema {name}: {error}"))?;
                conn.close().await.map_err(|error| error.to_string())
            })
        })
        .join();
        if let Ok(Err(error)) | Err(error) = dropped.map_err(|_| "the cleanup thread panicked".to_owned()) {
            let _ = writeln!(std::io::stderr().lock(), "test database cleanup failed: {error}");
        }
    }
}

/// A plain pool on the test's database. SQL given to it must be valid in
/// both dialects: no bind parameters (inline the numbers), `FALSE`/`TRUE`
/// for flags, JSON compared as the text it is stored as.
#[derive(Debug)]
pub enum Raw {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A row type both backends can decode, e.g. a tuple `(String, i64, bool)`.
pub trait AnyRow: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl<T> AnyRow for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl Raw {
    #[expect(clippy::panic, reason = "test helper: failed SQL fails the test")]
    pub async fn execute(&self, sql: &str) {
        let done = match self {
            Self::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            Self::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        };
        done.unwrap_or_else(|error| panic!("{sql}: {error}"));
    }

    #[expect(clippy::panic, reason = "test helper: failed SQL fails the test")]
    pub async fn fetch_all<T: AnyRow>(&self, sql: &str) -> Vec<T> {
        let rows = match self {
            Self::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
            Self::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        };
        rows.unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// The query's only row.
    #[expect(clippy::panic, reason = "test helper: failed SQL fails the test")]
    pub async fn fetch_one<T: AnyRow>(&self, sql: &str) -> T {
        let row = match self {
            Self::Sqlite(pool) => sqlx::query_as(sql).fetch_one(pool).await,
            Self::Postgres(pool) => sqlx::query_as(sql).fetch_one(pool).await,
        };
        row.unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// A `SELECT COUNT(*) ...`.
    pub async fn count(&self, sql: &str) -> i64 {
        let (count,): (i64,) = self.fetch_one(sql).await;
        count
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(pool) => pool.close().await,
            Self::Postgres(pool) => pool.close().await,
        }
    }
}

/// For each `async fn case(db: &TestDb)` in the calling module, generates
/// the tests `sqlite::case` and `postgres::case` (which reports `NOT RUN`
/// and returns when `PACTUM_TEST_POSTGRES` is unset). Every test runs on a
/// multi-threaded runtime, so spawned tasks really race.
macro_rules! backend_tests {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let db = $crate::common::db::TestDb::sqlite();
                    super::$case(&db).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let test = concat!(module_path!(), "::", stringify!($case));
                    let Some(db) = $crate::common::db::TestDb::postgres(test).await else { return };
                    super::$case(&db).await;
                }
            )+
        }
    };
}
pub(crate) use backend_tests;
