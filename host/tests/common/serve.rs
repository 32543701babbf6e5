//! A `pactum serve` child process, for the tests that need the real binary:
//! several hosts on one database, `kill -9`, everything a process logs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The line `pactum serve` prints once it accepts connections.
const LISTENING: &str = "listening on ";
/// A debug build compiles the built-in module at start: allow for a slow,
/// busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// One `pactum serve` process on a free port of 127.0.0.1, its stdout and
/// stderr in files (a file never fills up and blocks the process the way an
/// unread pipe does). Killed with SIGKILL when dropped.
pub struct ServeProcess {
    pub name: String,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    child: Child,
}

impl ServeProcess {
    /// Starts `pactum serve --config <config>` with `RUST_LOG=<rust_log>`,
    /// writing `<dir>/<name>.stdout.log` and `<name>.stderr.log` (appended
    /// to, so a restarted host keeps its earlier output), and waits for it
    /// to listen. Panics with its stderr if it exits first.
    pub fn start(name: &str, dir: &Path, config: &Path, rust_log: &str) -> Self {
        Self::start_with(name, dir, config, rust_log, &[])
    }

    /// [`Self::start`] with extra environment variables.
    pub fn start_with(name: &str, dir: &Path, config: &Path, rust_log: &str, environment: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pactum"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--config"])
            .arg(config)
            .env("RUST_LOG", rust_log)
            // The configuration names the secret; nothing from the caller's
            // environment may override it.
            .env_remove("PACTUM_SECRET")
            .envs(environment.iter().copied());
        Self::launch(name, dir, command)
    }

    /// Runs `command` (a `pactum serve` however started) with its output in
    /// `<dir>/<name>.{stdout,stderr}.log`, and waits for it to listen.
    #[expect(clippy::expect_used, clippy::panic, reason = "test helper: a host that cannot start fails the test")]
    pub fn launch(name: &str, dir: &Path, mut command: Command) -> Self {
        let stdout = dir.join(format!("{name}.stdout.log"));
        let stderr = dir.join(format!("{name}.stderr.log"));
        let append = |path: &Path| {
            std::fs::OpenOptions::new().create(true).append(true).open(path).expect("a log file in the test's folder")
        };
        let printed_before = std::fs::read_to_string(&stdout).map_or(0, |text| text.len());
        let mut child = command
            .stdin(Stdio::null())
            .stdout(append(&stdout))
            .stderr(append(&stderr))
            .spawn()
            .expect("pactum serve starts");
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let printed = std::fs::read_to_string(&stdout).unwrap_or_default();
            let listening = printed.get(printed_before..).unwrap_or_default().lines().find_map(|line| {
                line.find(LISTENING).and_then(|at| line.get(at + LISTENING.len()..)).map(|base| base.trim().to_owned())
            });
            if let Some(base) = listening {
                return Self { name: name.to_owned(), base, stdout, stderr, child };
            }
            if let Some(status) = child.try_wait().expect("the child's status") {
                let log = std::fs::read_to_string(&stderr).unwrap_or_default();
                panic!("host {name}: pactum serve exited ({status}) before listening:\n{log}");
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("host {name}: pactum serve printed no `{LISTENING}` line within {START_TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id, for sending it signals.
    #[must_use]
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no graceful stop, no chance to finish what it was doing.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServeProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
