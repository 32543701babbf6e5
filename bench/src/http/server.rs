//! The `pactum` binary under test: `pactum import` of a generated JSON lines
//! file (timed), and `pactum serve` on the demo setup (SQLite, WAL,
//! `synchronous=FULL`), stopped when dropped.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

/// How long `pactum serve` may take to print `listening on` (a debug build
/// compiles the contract modules first when its cache is cold).
const START_TIMEOUT: Duration = Duration::from_secs(180);

/// What the line before the address says; tests and scripts wait for it.
const LISTENING: &str = "listening on ";

/// The e-mail domain of the generated entities.
pub const EMAIL_DOMAIN: &str = "bench.test";

/// Writes `count` entities as `pactum import` lines: a name and a unique
/// e-mail, valid under the demo `profile` contract.
pub fn write_entities(path: &Path, count: u64) -> anyhow::Result<()> {
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut out = BufWriter::new(file);
    for number in 1..=count {
        writeln!(out, r#"{{"data": {{"name": "Bench User {number}", "email": "user{number}@{EMAIL_DOMAIN}"}}}}"#)?;
    }
    out.flush()?;
    Ok(())
}

/// How long an import took: the process from start to exit (module load
/// included), and the import's own figure for the lines.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImportTiming {
    pub entities: u64,
    /// `pactum import` from start to exit.
    pub wall_seconds: f64,
    /// The import's own summary: the lines' time.
    pub import_seconds: f64,
    pub lines_per_second: f64,
    /// The timing comes from an earlier run (`--reuse`).
    #[serde(default)]
    pub reused: bool,
}

/// Runs `pactum import` of `jsonl` into the demo setup in `data_dir`.
/// The progress bar shows when stderr is a terminal and `quiet` is off.
pub fn import(
    pactum: &Path,
    data_dir: &Path,
    jsonl: &Path,
    entities: u64,
    quiet: bool,
) -> anyhow::Result<ImportTiming> {
    let mut command = Command::new(pactum);
    command.arg("import").arg(jsonl).arg("--data-dir").arg(data_dir);
    if quiet {
        command.arg("--quiet");
    }
    let started = Instant::now();
    let output = command
        .stdin(Stdio::null())
        .stderr(if quiet { Stdio::piped() } else { Stdio::inherit() })
        .output()
        .with_context(|| format!("starting {} import", pactum.display()))?;
    let wall_seconds = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("`pactum import` failed ({}):\n{stdout}{}", output.status, String::from_utf8_lossy(&output.stderr));
    }
    let summary = stdout.lines().find(|line| line.starts_with("imported ")).unwrap_or_default();
    let (imported, rejected, import_seconds, lines_per_second) =
        parse_import_summary(summary).with_context(|| format!("unexpected `pactum import` output: {stdout}"))?;
    if imported != entities || rejected != 0 {
        bail!("`pactum import` imported {imported} of {entities} entities ({rejected} rejected): {stdout}");
    }
    Ok(ImportTiming { entities, wall_seconds, import_seconds, lines_per_second, reused: false })
}

/// `imported 300 entities, rejected 0 lines, in 1.2 s (250 lines/s)` ->
/// (imported, rejected, seconds, lines per second).
fn parse_import_summary(line: &str) -> Option<(u64, u64, f64, f64)> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let imported = words.get(1)?.parse().ok()?;
    let rejected = words.get(4)?.parse().ok()?;
    let seconds = words.get(7)?.parse().ok()?;
    let rate = words.get(9)?.trim_start_matches('(').parse().ok()?;
    Some((imported, rejected, seconds, rate))
}

/// A running `pactum serve`; killed when dropped.
#[derive(Debug)]
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:port`
    pub base: String,
    /// The demo app `webshop`'s API key (it may update).
    pub key: String,
    pub log: PathBuf,
}

impl Server {
    /// Starts `pactum serve --data-dir data_dir --listen 127.0.0.1:0` and
    /// waits for its `listening on` line. Its logs go to `log`.
    pub fn start(pactum: &Path, data_dir: &Path, log: &Path) -> anyhow::Result<Self> {
        let log_file = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
        let mut child = Command::new(pactum)
            .arg("serve")
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .with_context(|| format!("starting {} serve", pactum.display()))?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let (found, address) = mpsc::channel();
        // Reads the banner, hands over the address, then keeps draining
        // stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut found = Some(found);
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(base) = line.strip_prefix(LISTENING)
                    && let Some(sender) = found.take()
                {
                    let _ = sender.send(base.trim().to_owned());
                }
            }
        });
        let base = match address.recv_timeout(START_TIMEOUT) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let logs = std::fs::read_to_string(log).unwrap_or_default();
                bail!("`pactum serve` did not print `{LISTENING}...` within {START_TIMEOUT:?}; its log:\n{logs}");
            }
        };
        let keys_file = data_dir.join("demo-keys.json");
        let keys: std::collections::BTreeMap<String, String> = serde_json::from_str(
            &std::fs::read_to_string(&keys_file).with_context(|| format!("reading {}", keys_file.display()))?,
        )?;
        let key = keys.get("webshop").cloned().context("demo-keys.json has no `webshop` key")?;
        Ok(Self { child, base, key, log: log.to_owned() })
    }

    /// Stops the server: SIGTERM (a graceful shutdown), SIGKILL after 10 s.
    pub fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_import_summary_is_read() {
        let parsed = parse_import_summary("imported 300 entities, rejected 0 lines, in 1.2 s (250 lines/s)");
        assert_eq!(parsed, Some((300, 0, 1.2, 250.0)));
        assert_eq!(parse_import_summary("something else"), None);
    }
}
