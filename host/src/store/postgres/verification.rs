//! Pending changes on PostgreSQL: the shared steps (`store::steps`). They
//! read the entity with `lock`, which locks its row first, so two hosts
//! never read the same dispatch times or attempts and both write on them.

crate::store::steps::verification_steps!(sqlx::PgConnection, load_for_write = lock);
