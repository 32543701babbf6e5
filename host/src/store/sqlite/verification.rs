//! Pending changes on SQLite: the shared steps (`store::steps`). An update
//! reads its entity with `load`: the batch's write transaction already holds
//! the database's one write lock.

crate::store::steps::verification_steps!(sqlx::SqliteConnection, load_for_write = load);
