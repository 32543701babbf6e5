//! The bare baseline: the single-row UPDATE Pactum's store runs for a PUT
//! (`UPDATE entities SET data = ?, version = version + 1, updated_at = ?
//! WHERE id = ?`), one durable transaction each, on a copy of the same
//! database file, with the connection settings of the host's SQLite store
//! (WAL, `synchronous=FULL`, `BEGIN IMMEDIATE`, busy timeout 10 s, a pool of
//! at most 8 connections), from as many tasks as the load has connections.
//! No HTTP, no contract module, no reads, no audit row, and no group commit:
//! one fsync per update, the floor a durable update costs on this disk.

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::server::EMAIL_DOMAIN;
use crate::stats::Measure;

/// As in `host/src/store/sqlite/mod.rs`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_CONNECTIONS: u32 = 8;

/// Gives up on a task after this many failed transactions in a row.
const MAX_ERRORS: u64 = 100;

fn options(db: &Path) -> anyhow::Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(&format!("sqlite://{}", db.display()))?
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true))
}

/// Copies the database at `from` to `to` (a consistent snapshot, `VACUUM
/// INTO`), replacing `to`.
pub async fn copy_database(from: &Path, to: &Path) -> anyhow::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", to.display()));
    }
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options(from)?).await?;
    sqlx::query("VACUUM INTO ?").bind(to.display().to_string()).execute(&pool).await?;
    pool.close().await;
    Ok(())
}

/// (rows, smallest id, largest id) of `entities`, and the update audit rows.
pub async fn census(db: &Path) -> anyhow::Result<(i64, i64, i64, i64)> {
    let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options(db)?).await?;
    let (rows, low, high): (i64, i64, i64) =
        sqlx::query_as("SELECT count(*), coalesce(min(id), 0), coalesce(max(id), 0) FROM entities")
            .fetch_one(&pool)
            .await?;
    let updates: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit WHERE action = 'update'").fetch_one(&pool).await?;
    pool.close().await;
    Ok((rows, low, high, updates))
}

/// Runs the loop on `db` from `connections` tasks: `warmup` unmeasured,
/// then `duration` measured. Entity ids are drawn from `1..=entities`.
pub async fn run(
    db: &Path,
    entities: u64,
    connections: u32,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Measure> {
    let pool = SqlitePoolOptions::new()
        .max_connections(connections.clamp(1, MAX_CONNECTIONS))
        .connect_with(options(db)?)
        .await?;
    let started = Instant::now();
    let measured_from = started + warmup;
    let end = measured_from + duration;
    let mut tasks = Vec::new();
    for task in 0..connections.max(1) {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let mut random = XorShift::new(u64::from(task) + 1);
            let mut samples = Vec::new();
            let mut errors = 0u64;
            let mut failed_in_a_row = 0u64;
            let mut count = 0u64;
            loop {
                let begun = Instant::now();
                if begun >= end || failed_in_a_row >= MAX_ERRORS {
                    break;
                }
                count += 1;
                let id = random.below(entities.max(1)) + 1;
                let data = format!(r#"{{"email": "user{id}@{EMAIL_DOMAIN}", "name": "Bare {task}-{count}"}}"#);
                let outcome = update(&pool, id, &data).await;
                let done = Instant::now();
                match outcome {
                    Ok(()) => {
                        failed_in_a_row = 0;
                        if begun >= measured_from && done <= end {
                            samples.push(u64::try_from(done.duration_since(begun).as_micros()).unwrap_or(u64::MAX));
                        }
                    }
                    Err(_) => {
                        failed_in_a_row += 1;
                        if begun >= measured_from {
                            errors += 1;
                        }
                    }
                }
            }
            (samples, errors)
        }));
    }
    let mut samples = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (mut some, failed) = task.await.context("a baseline task failed")?;
        samples.append(&mut some);
        errors += failed;
    }
    pool.close().await;
    Ok(Measure::of_samples(samples, duration.as_secs_f64(), errors))
}

async fn update(pool: &sqlx::SqlitePool, id: u64, data: &str) -> Result<(), sqlx::Error> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs());
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("UPDATE entities SET data = ?, version = version + 1, updated_at = ? WHERE id = ?")
        .bind(data)
        .bind(i64::try_from(now).unwrap_or(i64::MAX))
        .bind(i64::try_from(id).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// xorshift64*: enough to spread ids, no dependency.
#[derive(Debug)]
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % bound.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_stay_in_range_and_spread() {
        let mut random = XorShift::new(1);
        let drawn: Vec<u64> = (0..1000).map(|_| random.below(10)).collect();
        assert!(drawn.iter().all(|id| *id < 10));
        assert!((0..10).all(|id| drawn.contains(&id)));
    }
}
