//! The store against real databases, the same cases on SQLite (a file in a
//! temporary directory) and PostgreSQL (a schema of its own on the server
//! `PACTUM_TEST_POSTGRES` names): atomic updates, uniqueness over current
//! and pending values (also under concurrency), the verification limits and
//! checks, the outbox (also claimed from two pools), migrations and a
//! reopen. Times are injected, so every rule is tested to the second.
//!
//! Each case is an `async fn(&TestDb)`; `backend_tests!` makes it a
//! `<module>::sqlite::<case>` and a `<module>::postgres::<case>` test.

#![expect(clippy::unwrap_used, clippy::unreachable, reason = "test code: a failure should stop the test")]

#[path = "../common/mod.rs"]
mod common;

mod entities;
mod fixtures;
mod lifecycle;
mod outbox;
mod uniqueness;
mod verification;
