//! What the README's two commands need besides Rust, found or installed
//! before they start, so a fresh Debian machine needs no hand step. As root
//! with apt-get, missing tools are installed in one apt run; otherwise the
//! command stops at once and prints the one command that installs them.
//!
//! The PostgreSQL tests get the server `PACTUM_TEST_POSTGRES` names, or a
//! cluster of their own (`pactum-test`, trust auth on 127.0.0.1, beside any
//! `main` cluster, which is never touched), so they never report `NOT RUN`.

use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    Serve,
    Test,
}

/// One required tool: what it is, how to tell it is there, its Debian package.
struct Tool {
    name: &'static str,
    package: &'static str,
    serve: bool,
    found: fn() -> bool,
}

const TOOLS: [Tool; 6] = [
    Tool { name: "node", package: "nodejs", serve: true, found: || on_path("node") },
    Tool { name: "npm", package: "npm", serve: true, found: || on_path("npm") },
    Tool { name: "chromium", package: "chromium", serve: false, found: || chromium().is_file() },
    Tool { name: "wrk", package: "wrk", serve: false, found: || on_path("wrk") },
    Tool { name: "python3 with venv and ensurepip", package: "python3-venv", serve: false, found: python_venv },
    // Only when the tests bring their own server (PACTUM_TEST_POSTGRES unset).
    Tool { name: "a PostgreSQL server", package: "postgresql", serve: false, found: postgres_found },
];

/// The oldest Node.js whose `node --test` has `--test-reporter` (18.15);
/// Debian 12 ships 18.20.
const NODE_MIN: (u32, u32) = (18, 15);
const CLUSTER: &str = "pactum-test";
pub const POSTGRES_VAR: &str = "PACTUM_TEST_POSTGRES";

/// Finds or installs what `task` needs; answers the environment its child
/// commands need (for `test`, `PACTUM_TEST_POSTGRES`).
pub fn ensure(task: Task) -> Result<Vec<(&'static str, String)>> {
    eprintln!("\n== setup for `cargo xtask {}`", if task == Task::Test { "test" } else { "serve" });
    if task == Task::Test
        && let Some(path) = std::env::var_os("PACTUM_CHROMIUM")
        && !PathBuf::from(&path).is_file()
    {
        bail!("PACTUM_CHROMIUM names {}, which is not a file; unset it to use Debian's chromium", path.display());
    }
    let needed: Vec<&Tool> = TOOLS.iter().filter(|tool| tool.serve || task == Task::Test).collect();
    let missing: Vec<&Tool> = needed.iter().copied().filter(|tool| !(tool.found)()).collect();
    for tool in &needed {
        let state = if missing.iter().any(|gone| gone.name == tool.name) { "missing" } else { "found" };
        eprintln!("{}: {state}", tool.name);
    }
    if !missing.is_empty() {
        install(&missing.iter().map(|tool| tool.package).collect::<Vec<_>>())?;
        if let Some(tool) = missing.iter().find(|tool| !(tool.found)()) {
            bail!("{} is still missing after installing {}", tool.name, tool.package);
        }
    }
    check_node()?;
    if task == Task::Serve {
        return Ok(Vec::new());
    }
    let url = match std::env::var(POSTGRES_VAR) {
        Ok(url) => {
            answers(&url)
                .with_context(|| format!("{POSTGRES_VAR} is set to `{url}`, but that server does not answer"))?;
            url
        }
        Err(_) => own_cluster()?,
    };
    eprintln!("PostgreSQL for the tests: {POSTGRES_VAR}={url}");
    Ok(vec![(POSTGRES_VAR, url)])
}

/// The Chromium the browser tests drive: `$PACTUM_CHROMIUM` or Debian's.
fn chromium() -> PathBuf {
    std::env::var_os("PACTUM_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

fn succeeds(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// schemathesis's tiny check makes a venv, which needs both modules
/// (Debian splits them off into python3-venv).
fn python_venv() -> bool {
    succeeds("python3", &["-c", "import venv, ensurepip"])
}

fn postgres_found() -> bool {
    std::env::var_os(POSTGRES_VAR).is_some() || (on_path("pg_createcluster") && newest_postgres().is_some())
}

/// The newest PostgreSQL server installed (`/usr/lib/postgresql/<version>/bin/postgres`).
fn newest_postgres() -> Option<u32> {
    std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|version| PathBuf::from(format!("/usr/lib/postgresql/{version}/bin/postgres")).is_file())
        .max()
}

fn is_root() -> bool {
    output("id", &["-u"]).is_some_and(|uid| uid.trim() == "0")
}

/// One `apt-get update` and one `apt-get install` as root on Debian;
/// elsewhere, stops with the command to run.
fn install(packages: &[&str]) -> Result<()> {
    let list = packages.join(" ");
    if !on_path("apt-get") {
        bail!("missing tools; install these (Debian's package names): {list}");
    }
    if !is_root() {
        bail!("missing tools; install them with:\n\n    sudo apt-get install -y {list}\n\nthen run the command again");
    }
    for args in [vec!["update", "-q"], [&["install", "-y", "-q"][..], packages].concat()] {
        let env = [("DEBIAN_FRONTEND", "noninteractive".to_owned())];
        super::ci::run_env("setup: apt", Path::new("/"), "apt-get", &args, &env)?;
    }
    Ok(())
}

/// `www/`'s build and tests run on Node.js 18.15 and later.
fn check_node() -> Result<()> {
    let version = output("node", &["--version"]).context("`node --version` failed")?;
    let mut parts = version.trim().trim_start_matches('v').split('.').map(|part| part.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    eprintln!("node version: {}", version.trim());
    if found < NODE_MIN {
        bail!(
            "Node.js {} is too old: www/'s build and browser tests need {}.{} or later (Debian 12's nodejs package is 18.20)",
            version.trim(),
            NODE_MIN.0,
            NODE_MIN.1
        );
    }
    Ok(())
}

/// Whether the server of a `postgres://user@host:port/db` URL takes TCP
/// connections; a URL without a host (a Unix socket) is left to the tests.
fn answers(url: &str) -> Result<()> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    if host_port.is_empty() {
        return Ok(());
    }
    let with_port = if host_port.ends_with(']') || !host_port.contains(':') {
        format!("{host_port}:5432")
    } else {
        host_port.to_owned()
    };
    let addresses = with_port.to_socket_addrs().with_context(|| format!("resolving {with_port}"))?;
    for address in addresses {
        if TcpStream::connect_timeout(&address, Duration::from_secs(3)).is_ok() {
            return Ok(());
        }
    }
    bail!("nothing answers on {with_port}")
}

/// One line of `pg_lsclusters --no-header`.
struct Cluster {
    version: String,
    name: String,
    port: u16,
    online: bool,
}

fn clusters() -> Vec<Cluster> {
    output("pg_lsclusters", &["--no-header"])
        .unwrap_or_default()
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            Some(Cluster {
                version: (*fields.first()?).to_owned(),
                name: (*fields.get(1)?).to_owned(),
                port: fields.get(2)?.parse().ok()?,
                online: fields.get(3)?.starts_with("online"),
            })
        })
        .collect()
}

/// The `pactum-test` cluster, created and started when needed (as root),
/// and its URL.
fn own_cluster() -> Result<String> {
    let all = clusters();
    let (version, port, online) = match all.iter().find(|cluster| cluster.name == CLUSTER) {
        Some(cluster) => (cluster.version.clone(), cluster.port, cluster.online),
        None => {
            let version = newest_postgres().context("no PostgreSQL server under /usr/lib/postgresql")?.to_string();
            // Past 5432 (the machine's main cluster) and any other cluster's port.
            let port = (5433..5533)
                .find(|port| {
                    all.iter().all(|cluster| cluster.port != *port) && TcpListener::bind(("127.0.0.1", *port)).is_ok()
                })
                .context("no free port in 5433..5533 for the test cluster")?;
            let port_text = port.to_string();
            let args = [&version, CLUSTER, "--port", &port_text, "--", "--auth=trust"];
            if !is_root() {
                bail!(
                    "the PostgreSQL tests need a server; create one with:\n\n    sudo pg_createcluster {} --start\n\nor set {POSTGRES_VAR} to one you can use",
                    args.join(" ")
                );
            }
            super::ci::run("setup: test cluster", Path::new("/"), "pg_createcluster", &args)?;
            (version, port, false)
        }
    };
    if !online {
        if !is_root() {
            bail!(
                "the PostgreSQL test cluster is down; start it with:\n\n    sudo pg_ctlcluster {version} {CLUSTER} start"
            );
        }
        // Without systemd (containers), pg_ctlcluster would hand over to a
        // systemctl that cannot start anything.
        let mut args = vec![version.as_str(), CLUSTER, "start"];
        if !Path::new("/run/systemd/system").exists() {
            args.insert(0, "--skip-systemctl-redirect");
        }
        super::ci::run("setup: start the test cluster", Path::new("/"), "pg_ctlcluster", &args)?;
    }
    let port_text = port.to_string();
    for _ in 0..30 {
        if succeeds("pg_isready", &["-q", "-h", "127.0.0.1", "-p", &port_text]) {
            return Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"));
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    bail!("the PostgreSQL test cluster ({version}/{CLUSTER}, port {port}) did not come up in 30 s")
}
