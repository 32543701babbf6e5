//! Running a backend's embedded migrations explicitly (`pactum migrate`)
//! and telling which ones ran. Opening a store runs them too; running them
//! first lets an operator upgrade the schema once, before N hosts start.

use std::collections::BTreeSet;

use sqlx::migrate::{Migrate, Migrator};

use super::error::StoreError;

/// A migration that was applied by this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    pub version: i64,
    pub description: String,
}

/// The versions already applied, read under the migration lock (creating
/// the bookkeeping table if needed).
pub(super) async fn applied_versions<C: Migrate>(conn: &mut C) -> Result<BTreeSet<i64>, StoreError> {
    conn.lock().await?;
    conn.ensure_migrations_table().await?;
    let applied = conn.list_applied_migrations().await?;
    conn.unlock().await?;
    Ok(applied.into_iter().map(|migration| migration.version).collect())
}

/// The migrations of `migrator` that were not in `before`: those the run
/// after it applied (or, if another host migrated at the same moment, those
/// the two applied together).
pub(super) fn newly_applied(migrator: &Migrator, before: &BTreeSet<i64>) -> Vec<AppliedMigration> {
    migrator
        .iter()
        .filter(|migration| !migration.migration_type.is_down_migration() && !before.contains(&migration.version))
        .map(|migration| AppliedMigration {
            version: migration.version,
            description: migration.description.to_string(),
        })
        .collect()
}
