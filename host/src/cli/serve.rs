//! `pactum serve`: the API, the demo page and the outbox worker. With no
//! `--config` it runs the demo setup in `--data-dir` (see `crate::demo`).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use pactum_host::config::Config;
use pactum_host::reload::Source;
use pactum_host::server::{Service, bind, load_secret, shutdown_signal};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The configuration file (TOML, see docs/configuration.md). Without it,
    /// a demo setup is created in `--data-dir`.
    #[arg(long, env = "PACTUM_CONFIG")]
    config: Option<PathBuf>,
    /// Where the demo keeps its database, keys and secret.
    #[arg(long, default_value = ".pactum")]
    data_dir: PathBuf,
    /// The address to listen on (overrides `server.listen`); port 0 picks one.
    #[arg(long, env = "PACTUM_LISTEN")]
    listen: Option<SocketAddr>,
    /// The database URL (overrides `database.url` of `--config`).
    #[arg(long, env = "PACTUM_DATABASE_URL", requires = "config")]
    database_url: Option<String>,
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    super::init_logs();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let (service, config, data_dir, source) = match &args.config {
        Some(path) => {
            // flag > environment (clap reads both) > file > default.
            let mut config = Config::load(path)?;
            if let Some(url) = &args.database_url {
                config.database.url.clone_from(url);
            }
            let secret = load_secret(&config)?;
            let source = Source::File(path.clone());
            (Service::build(&config, &secret, None).await?, config, None, source)
        }
        None => {
            let listen = args.listen.unwrap_or(Config::parse("", std::path::Path::new("."))?.server.listen);
            let (service, setup) = pactum_host::demo::service(&args.data_dir, listen).await?;
            let source = Source::Contracts(setup.config.contracts.clone());
            (service, setup.config, Some(setup.data_dir), source)
        }
    };
    let (listener, address) = bind(args.listen.unwrap_or(config.server.listen)).await?;
    print_banner(&service, address, data_dir.as_deref())?;
    tokio::spawn(service.reloader(source).on_hangup());
    service.serve(listener, shutdown_signal()).await
}

fn print_banner(service: &Service, address: SocketAddr, data_dir: Option<&std::path::Path>) -> anyhow::Result<()> {
    let base = format!("http://{address}");
    let mut out = std::io::stdout().lock();
    writeln!(out, "Pactum {}", env!("CARGO_PKG_VERSION"))?;
    if service.state.demo.is_some() {
        writeln!(out, "  demo page   {base}/")?;
    }
    writeln!(out, "  API         {base}/userentity/...   (docs/http-api.md)")?;
    writeln!(out, "  OpenAPI     {base}/openapi.json")?;
    writeln!(out, "  health      {base}/healthz   metrics {base}/metrics")?;
    if let Some(dir) = data_dir {
        writeln!(out, "  data        {} (SQLite, keys, secret)", dir.display())?;
    }
    if let Some(demo) = &service.state.demo {
        for app in &demo.apps {
            writeln!(out, "  app {:<8} key {}   may {}", app.name, app.key, app.permissions.join(", "))?;
        }
        writeln!(out, "  codes sent by the log sender: {base}/demo/codes")?;
        writeln!(
            out,
            "  try: curl -X PUT -H 'Authorization: Bearer {}' -H 'Content-Type: application/json' \\\n         -d '{{\"name\": \"Ann B. Hansen\"}}' {base}/userentity/dp-keyid/1/data",
            demo.apps.first().map_or("", |app| app.key.as_str())
        )?;
    }
    // Tests and scripts wait for this line.
    writeln!(out, "listening on {base}")?;
    out.flush()?;
    Ok(())
}
