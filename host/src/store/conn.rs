//! One connection type for the one write path: a borrowed SQLite or
//! PostgreSQL connection, already inside the backend's transaction.
//!
//! Every step of a write (`entities`, `unique`, `verification`, `outbox`) is
//! a plain async function over [`Conn`], written once; the few statements
//! whose SQL differs between the engines (the row lock, the upsert that says
//! who won, `SKIP LOCKED`) branch on [`Conn::dialect`] in the step itself, so
//! the decide-and-commit logic cannot drift apart between backends.
//!
//! Why an enum rather than sqlx's `Any` driver: `Any` would make SQLite's
//! group-commit writer (`sqlite/group.rs`) an `AnyConnection` and route every
//! value through `AnyValue`; the enum keeps each backend's native connection
//! and types and costs one `match` per statement. Arguments are the handful
//! of types the schema stores ([`Arg`]); rows decode with the same
//! `FromRow` on both (`rows.rs`). All SQL uses `$N` parameters, which both
//! engines read by number.

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::{Decode, FromRow, Postgres, Sqlite, Type};

use super::error::StoreError;

/// Which SQL engine a [`Conn`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection inside a write (or read) transaction.
#[derive(Debug)]
pub(super) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

/// One bound parameter: the types the schema stores.
#[derive(Debug, Clone, Copy)]
pub(super) enum Arg<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
    Text(&'a str),
    OptText(Option<&'a str>),
    Bytes(&'a [u8]),
}

impl From<i64> for Arg<'_> {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<Option<i64>> for Arg<'_> {
    fn from(value: Option<i64>) -> Self {
        Self::OptInt(value)
    }
}

impl From<bool> for Arg<'_> {
    fn from(value: bool) -> Self {
        Self::Bool(value)
    }
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(value: &'a str) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(value: &'a String) -> Self {
        Self::Text(value)
    }
}

impl<'a> From<Option<&'a str>> for Arg<'a> {
    fn from(value: Option<&'a str>) -> Self {
        Self::OptText(value)
    }
}

impl<'a> From<&'a [u8]> for Arg<'a> {
    fn from(value: &'a [u8]) -> Self {
        Self::Bytes(value)
    }
}

/// `args![a, b, c]`: the parameters `$1, $2, $3` of a statement.
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        &[$($crate::store::conn::Arg::from($arg)),*]
    };
}
pub(super) use args;

/// Binds `args` onto any sqlx query builder (`query`, `query_as`,
/// `query_scalar`) of either engine: every builder has the same `bind`.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match *arg {
                Arg::Int(value) => query.bind(value),
                Arg::OptInt(value) => query.bind(value),
                Arg::Bool(value) => query.bind(value),
                Arg::Text(value) => query.bind(value),
                Arg::OptText(value) => query.bind(value),
                Arg::Bytes(value) => query.bind(value),
            };
        }
        query
    }};
}

/// A row type both engines decode (the `FromRow` derive is generic over rows).
pub(super) trait AnyRow: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> AnyRow for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// A single column value both engines decode.
pub(super) trait AnyScalar:
    for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Send + Unpin
{
}
impl<T> AnyScalar for T where
    T: for<'r> Decode<'r, Sqlite> + Type<Sqlite> + for<'r> Decode<'r, Postgres> + Type<Postgres> + Send + Unpin
{
}

impl Conn<'_> {
    pub(super) fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::Sqlite,
            Self::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs a statement; answers the rows it affected.
    pub(super) async fn execute(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<u64, StoreError> {
        Ok(match self {
            Self::Sqlite(conn) => bind_all!(sqlx::query(sql), args).execute(&mut **conn).await?.rows_affected(),
            Self::Postgres(conn) => bind_all!(sqlx::query(sql), args).execute(&mut **conn).await?.rows_affected(),
        })
    }

    pub(super) async fn fetch_optional<T: AnyRow>(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Self::Sqlite(conn) => bind_all!(sqlx::query_as(sql), args).fetch_optional(&mut **conn).await?,
            Self::Postgres(conn) => bind_all!(sqlx::query_as(sql), args).fetch_optional(&mut **conn).await?,
        })
    }

    pub(super) async fn fetch_all<T: AnyRow>(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Self::Sqlite(conn) => bind_all!(sqlx::query_as(sql), args).fetch_all(&mut **conn).await?,
            Self::Postgres(conn) => bind_all!(sqlx::query_as(sql), args).fetch_all(&mut **conn).await?,
        })
    }

    /// The first column of the first row, if there is a row.
    pub(super) async fn scalar_optional<T: AnyScalar>(
        &mut self,
        sql: &str,
        args: &[Arg<'_>],
    ) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Self::Sqlite(conn) => bind_all!(sqlx::query_scalar(sql), args).fetch_optional(&mut **conn).await?,
            Self::Postgres(conn) => bind_all!(sqlx::query_scalar(sql), args).fetch_optional(&mut **conn).await?,
        })
    }

    /// The first column of the one row a statement answers (an aggregate,
    /// an `INSERT ... RETURNING`); no row is a database error.
    pub(super) async fn scalar<T: AnyScalar>(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<T, StoreError> {
        self.scalar_optional(sql, args)
            .await?
            .ok_or_else(|| StoreError::Database(format!("no row from a statement that always answers one: {sql}")))
    }

    /// The first column of every row.
    pub(super) async fn scalars<T: AnyScalar>(&mut self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Self::Sqlite(conn) => bind_all!(sqlx::query_scalar(sql), args).fetch_all(&mut **conn).await?,
            Self::Postgres(conn) => bind_all!(sqlx::query_scalar(sql), args).fetch_all(&mut **conn).await?,
        })
    }
}
