//! The store's steps whose SQL is the same on both backends, written once.
//!
//! Each is a macro that a backend expands in its own module over its own
//! connection type (`SqliteConnection`, `PgConnection`), so the code is
//! checked and compiled per backend exactly as if written there. Macros,
//! not functions generic over `sqlx::Database`: those need a bound per
//! bound type and a higher-ranked `Executor` bound on every function, which
//! would bury the SQL. The statements use `$N` parameters and `TRUE`, which
//! SQLite and PostgreSQL both read alike.
//!
//! The steps refer to their backend's other modules (`entities`, `outbox`,
//! `unique`) by relative path, so every backend has modules of those names.

mod entities;
mod outbox;
mod unique;
mod verification;

pub(super) use entities::entities_steps;
pub(super) use outbox::outbox_steps;
pub(super) use unique::unique_steps;
pub(super) use verification::verification_steps;
