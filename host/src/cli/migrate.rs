//! `pactum migrate --database URL`: runs the migrations of the backend the
//! URL names (`sqlite:` or `postgres:`) and prints the ones it applied. Each
//! host also migrates when it opens the store; running this first upgrades
//! a shared database once, before the hosts start.

use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The database URL, e.g. `sqlite:///var/lib/pactum/pactum.db?mode=rwc` or
    /// `postgres://pactum@db/pactum` (add `?options=-c%20search_path%3Dschema` for a schema).
    #[arg(long, value_name = "URL")]
    database: String,
}

pub fn run(args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    let applied =
        runtime.block_on(pactum_host::store::migrate(&args.database)).context("running the database migrations")?;
    #[expect(clippy::print_stdout, reason = "the applied migrations are the command's output")]
    {
        if applied.is_empty() {
            println!("the database is up to date; no migration applied");
        }
        for migration in &applied {
            println!("applied {:04} {}", migration.version, migration.description);
        }
    }
    Ok(ExitCode::SUCCESS)
}
