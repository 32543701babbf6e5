//! `cargo xtask package [--check [FILE.deb]]`: the Debian package, made by
//! cargo-deb from `host/Cargo.toml`'s `[package.metadata.deb]` and
//! `packaging/debian/`. It packages the debug binary the test command
//! already built (`--no-build --profile dev`), so CI compiles no release
//! build. `--check` then installs the package and starts its service the
//! way systemd would (`check_package`); with a FILE it checks that file.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::ci;

/// Pinned so a new cargo-deb cannot change the package under us (3.8.0
/// warns that `--profile dev` may become an error in a later version).
const CARGO_DEB_VERSION: &str = "3.8.0";
/// The paths the package installs to that a check by extraction moves.
const PACKAGE_PATHS: [&str; 5] =
    ["/usr/bin/pactum", "/etc/pactum", "/usr/share/pactum", "/var/lib/pactum", "/var/cache/pactum"];

pub fn run(root: &Path, args: &[String]) -> Result<()> {
    match args {
        [] => build(root).map(|_| ()),
        [check] if check == "--check" => check_package(root),
        [check, deb] if check == "--check" => check_deb(Path::new(deb)),
        _ => bail!("usage: cargo xtask package [--check [FILE.deb]]"),
    }
}

/// Builds the package from `target/debug/pactum` and checks it: installed
/// and purged with dpkg as root, else by extraction (said so on stderr).
pub fn check_package(root: &Path) -> Result<()> {
    let deb = build(root)?;
    check_deb(&deb)
}

/// Makes `target/debian/pactum_<version>-1_<arch>.deb` and returns its path.
fn build(root: &Path) -> Result<PathBuf> {
    ensure_cargo_deb()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    if !root.join("target/debug/pactum").exists() {
        // Normally `cargo test --workspace` has built it already.
        ci::run("pactum debug binary", root, &cargo, &["build", "--package", "pactum-host", "--bin", "pactum"])?;
    }
    let started = Instant::now();
    eprintln!("\n== debian package: cargo deb --no-build --profile dev");
    // `--fast`: a lighter xz level; the package is for this check and for
    // trying out, and the best level costs far more time than it saves.
    let output = Command::new(&cargo)
        .current_dir(root)
        .args(["deb", "--package", "pactum-host", "--no-build", "--profile", "dev", "--fast", "--output"])
        .arg(root.join("target/debian"))
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo deb")?;
    if !output.status.success() {
        bail!("cargo deb failed ({})", output.status);
    }
    // cargo-deb leaves its stripped copy of the binary (~45 MB) in
    // target/<crate>/; CI's disk is tight.
    let _ = std::fs::remove_dir_all(root.join("target/pactum-host"));
    // cargo-deb prints the path of the package it made as its last line.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let deb = stdout.lines().rev().find(|line| line.ends_with(".deb")).context("cargo deb printed no .deb path")?;
    let size = std::fs::metadata(deb).map(|meta| meta.len()).unwrap_or(0);
    eprintln!("built {deb} ({:.1} MB) in {:.1} s", size as f64 / 1e6, started.elapsed().as_secs_f64());
    Ok(PathBuf::from(deb))
}

/// Installs cargo-deb when it is missing or another version, into its own
/// target dir so the build does not wait on the workspace's lock.
fn ensure_cargo_deb() -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    // Through cargo, which also finds subcommands in $CARGO_HOME/bin.
    let version = Command::new(&cargo).args(["deb", "--version"]).output();
    if version.is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == format!("cargo-deb {CARGO_DEB_VERSION}"))
    {
        return Ok(());
    }
    let started = Instant::now();
    let target_dir = std::env::temp_dir().join("cargo-deb-build");
    eprintln!("\n== cargo-deb {CARGO_DEB_VERSION}: cargo install (target dir {})", target_dir.display());
    let status = Command::new(cargo)
        .args(["install", "cargo-deb", "--version", CARGO_DEB_VERSION, "--locked"])
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .context("running cargo install cargo-deb")?;
    if !status.success() {
        bail!("cargo install cargo-deb failed ({status})");
    }
    // Only the installed binary is needed again (~150 MB of build output).
    let _ = std::fs::remove_dir_all(&target_dir);
    eprintln!("installed cargo-deb in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Checks a built package: installed as root, else extracted.
pub fn check_deb(deb: &Path) -> Result<()> {
    let scratch = std::env::temp_dir().join(format!("pactum-package-check-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let result = if is_root()? { check_installed(deb, &scratch) } else { check_extracted(deb, &scratch) };
    if result.is_ok() {
        let _ = std::fs::remove_dir_all(&scratch);
    }
    result
}

fn is_root() -> Result<bool> {
    let status = std::fs::read_to_string("/proc/self/status").context("reading /proc/self/status")?;
    let uid = status.lines().find_map(|line| line.strip_prefix("Uid:")).context("no Uid in /proc/self/status")?;
    Ok(uid.split_whitespace().next() == Some("0"))
}

/// `dpkg -i`, the unit's command as its user, `/readyz`, stop, `dpkg --purge`.
fn check_installed(deb: &Path, scratch: &Path) -> Result<()> {
    if Command::new("dpkg-query").args(["-W", "pactum"]).stdout(Stdio::null()).stderr(Stdio::null()).status()?.success()
    {
        bail!("pactum is already installed here; the check purges what it installs, so it leaves this one alone");
    }
    let started = Instant::now();
    let installed = dpkg("package install", &["-i", &deb.to_string_lossy()]);
    let install_time = started.elapsed();
    // Purge whatever the install and the start did, then report the first error.
    let served = installed.and_then(|()| serve_installed(scratch));
    let started = Instant::now();
    let purged = dpkg("package purge", &["--purge", "pactum"]).and_then(|()| check_purged());
    let served = served?;
    purged?;
    eprintln!(
        "package check (dpkg): install {:.1} s, start to ready {:.1} s, stop {:.1} s, purge {:.1} s",
        install_time.as_secs_f64(),
        served.ready.as_secs_f64(),
        served.stop.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn serve_installed(scratch: &Path) -> Result<Timings> {
    let conffiles = capture("dpkg-query", &["-W", "-f=${Conffiles}", "pactum"])?;
    if !conffiles.contains("/etc/pactum/pactum.toml") {
        bail!("/etc/pactum/pactum.toml is not a conffile of the installed package: {conffiles}");
    }
    let secret = capture("stat", &["-c", "%U %a", "/var/lib/pactum/secret"])?;
    if secret.trim() != "pactum 600" {
        bail!("/var/lib/pactum/secret should be the pactum user's, mode 600; it is `{}`", secret.trim());
    }
    let files = capture("dpkg-query", &["-L", "pactum"])?;
    let unit_path = files.lines().find(|line| line.ends_with("/systemd/system/pactum.service"));
    let unit = Unit::read(Path::new(unit_path.context("the package installs no pactum.service")?))?;
    let user = unit.value("User").context("the unit names no User=")?;
    // What systemd does before ExecStart: make the unit's state and cache
    // folders, owned by its user (postinst made them too).
    for (key, base) in [("StateDirectory", "/var/lib"), ("CacheDirectory", "/var/cache")] {
        let mode = unit.value(&format!("{key}Mode")).unwrap_or("0755").to_owned();
        for dir in unit.values(key).flat_map(str::split_whitespace) {
            let path = format!("{base}/{dir}");
            ci::run("unit folder", Path::new("/"), "install", &["-d", "-o", user, "-g", user, "-m", &mode, &path])?;
        }
    }
    let mut command = Command::new("runuser");
    command.args(["-u", user, "--"]).args(unit.exec_start()?).current_dir("/");
    unit.environment(&mut command, |value| value.to_owned());
    eprintln!("\n== service: runuser -u {user} -- {}", unit.exec_start()?.join(" "));
    serve_and_probe(command, scratch, true)
}

/// Runs dpkg, waiting while another apt or dpkg holds its lock (CI's setup
/// may be installing packages at the same time).
fn dpkg(what: &str, args: &[&str]) -> Result<()> {
    eprintln!("\n== {what}: dpkg {}", args.join(" "));
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let output = Command::new("dpkg").args(args).stdout(Stdio::inherit()).output().context("running dpkg")?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            eprint!("{stderr}");
            return Ok(());
        }
        if !stderr.contains("lock") || Instant::now() > deadline {
            bail!("{what} failed ({}): {stderr}", output.status);
        }
        eprintln!("waiting for the dpkg lock: {}", stderr.trim());
        std::thread::sleep(Duration::from_secs(3));
    }
}

/// What purge must leave: no package files, no file of the pactum user.
fn check_purged() -> Result<()> {
    for path in PACKAGE_PATHS {
        if Path::new(path).exists() {
            bail!("after dpkg --purge, {path} is still there");
        }
    }
    // find's exit status is not used: it fails when a folder other
    // processes work in vanishes during the walk.
    let find = Command::new("find").args(["/etc", "/var", "/run", "/tmp", "-xdev", "-user", "pactum"]).output()?;
    let left = String::from_utf8_lossy(&find.stdout);
    if !left.trim().is_empty() {
        bail!("after dpkg --purge, files of the pactum user remain:\n{left}");
    }
    eprintln!("purged: no package file and no file of the pactum user left (the system user is kept, as Debian does)");
    Ok(())
}

/// Not root: runs the extracted binary with the unit's command and
/// environment and the packaged configuration moved under `scratch`.
fn check_extracted(deb: &Path, scratch: &Path) -> Result<()> {
    eprintln!(
        "\n== package check: NOT ROOT, so the package is checked by extraction (dpkg-deb -x into {}); \
         dpkg -i, the maintainer scripts, the system user and purge are not checked",
        scratch.display()
    );
    let tree = scratch.join("root");
    ci::run("package extract", Path::new("/"), "dpkg-deb", &["-x", &deb.to_string_lossy(), &tree.to_string_lossy()])?;
    let relocate = |text: &str| {
        PACKAGE_PATHS
            .iter()
            .fold(text.to_owned(), |text, path| text.replace(path, &format!("{}{path}", tree.display())))
    };
    let config = tree.join("etc/pactum/pactum.toml");
    let text = std::fs::read_to_string(&config).with_context(|| format!("reading {}", config.display()))?;
    std::fs::write(&config, relocate(&text))?;
    // What postinst would have made.
    for dir in ["var/lib/pactum", "var/cache/pactum"] {
        std::fs::create_dir_all(tree.join(dir))?;
    }
    let mut secret = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut secret)?;
    std::fs::write(tree.join("var/lib/pactum/secret"), secret.iter().map(|b| format!("{b:02x}")).collect::<String>())?;

    let unit = Unit::read(&tree.join("usr/lib/systemd/system/pactum.service"))?;
    let exec: Vec<String> = unit.exec_start()?.iter().map(|arg| relocate(arg)).collect();
    let (program, args) = exec.split_first().context("the unit's ExecStart= is empty")?;
    let mut command = Command::new(program);
    command.args(args).current_dir(scratch);
    unit.environment(&mut command, relocate);
    eprintln!("== service: {}", exec.join(" "));
    let served = serve_and_probe(command, scratch, false)?;
    eprintln!(
        "package check (extracted, not root): start to ready {:.1} s, stop {:.1} s",
        served.ready.as_secs_f64(),
        served.stop.as_secs_f64()
    );
    Ok(())
}

#[derive(Debug)]
struct Timings {
    ready: Duration,
    stop: Duration,
}

/// Starts `command` (a `pactum serve`, listening on a free port), waits for
/// `/readyz` to answer 200, then stops it with SIGTERM as systemd does and
/// expects a clean exit. `via_runuser`: `command` is runuser, and the
/// service its child.
fn serve_and_probe(mut command: Command, scratch: &Path, via_runuser: bool) -> Result<Timings> {
    let log_path = scratch.join("pactum.log");
    let log = std::fs::File::create(&log_path)?;
    let started = Instant::now();
    let mut child = command
        .env("PACTUM_LISTEN", "127.0.0.1:0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .context("starting the service")?;
    // The process to signal: runuser's child. runuser passes a SIGTERM on
    // but SIGKILLs its child 2 s later and exits 143; killing it leaves the child.
    let service_pid = |child: &Child| if via_runuser { child_of(child.id()) } else { Some(child.id()) };
    let fail = |child: &mut Child, what: String| -> anyhow::Error {
        if let Some(pid) = service_pid(child) {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
        }
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        anyhow::anyhow!("{what}\n-- the service's log ({}):\n{log}", log_path.display())
    };
    let address = match listening_address(&mut child) {
        Ok(address) => address,
        Err(error) => return Err(fail(&mut child, format!("the service did not start: {error:#}"))),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        match get(address, "/readyz") {
            Ok((200, body)) => break body,
            _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            answer => return Err(fail(&mut child, format!("GET /readyz on {address}: {answer:?}"))),
        }
    };
    let ready_after = started.elapsed();
    eprintln!("GET http://{address}/readyz: 200 {} after {:.1} s", ready.trim(), ready_after.as_secs_f64());

    let stopping = Instant::now();
    let Some(pid) = service_pid(&child) else {
        return Err(fail(&mut child, "runuser has no child process".to_owned()));
    };
    if let Err(error) = ci::run("service stop", Path::new("/"), "kill", &["-TERM", &pid.to_string()]) {
        return Err(fail(&mut child, format!("{error:#}")));
    }
    let status = match wait_timeout(&mut child, Duration::from_secs(30)) {
        Some(status) => status,
        None => return Err(fail(&mut child, "the service did not stop within 30 s of SIGTERM".to_owned())),
    };
    if !status.success() {
        return Err(fail(&mut child, format!("the service exited with {status} after SIGTERM")));
    }
    eprintln!("stopped cleanly after SIGTERM in {:.1} s", stopping.elapsed().as_secs_f64());
    Ok(Timings { ready: ready_after, stop: stopping.elapsed() })
}

/// Reads the service's stdout up to its `listening on http://ADDR` line.
fn listening_address(child: &mut Child) -> Result<SocketAddr> {
    let stdout = child.stdout.take().context("no stdout")?;
    let (lines, received) = mpsc::channel();
    // The thread keeps draining stdout after the line, so the service never
    // blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    // Two minutes: a first start compiles the module (no cache yet).
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match received.recv_timeout(left) {
            Ok(line) => {
                if let Some(address) = line.strip_prefix("listening on http://") {
                    return address.parse().with_context(|| format!("bad address in `{line}`"));
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => bail!("no `listening on` line within 120 s"),
            Err(mpsc::RecvTimeoutError::Disconnected) => bail!("it exited ({})", child.wait()?),
        }
    }
}

/// A plain HTTP/1.1 GET: (status, body).
fn get(address: SocketAddr, path: &str) -> Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let status = answer.split(' ').nth(1).and_then(|code| code.parse().ok()).context("no HTTP status line")?;
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    Ok((status, body.to_owned()))
}

/// The first process whose parent is `parent` (from /proc/*/stat).
fn child_of(parent: u32) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
        // After the `(comm)` field, which may hold spaces: state, then ppid.
        let ppid: u32 = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent).then_some(pid)
    })
}

fn wait_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

fn capture(program: &str, args: &[&str]) -> Result<String> {
    let output = Command::new(program).args(args).output().with_context(|| format!("running {program}"))?;
    if !output.status.success() {
        bail!("{program} {} failed ({}): {}", args.join(" "), output.status, String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The `[Service]` settings of a unit file, in order (a key may repeat).
#[derive(Debug)]
struct Unit {
    settings: Vec<(String, String)>,
}

impl Unit {
    fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading the unit {}", path.display()))?;
        let mut section = "";
        let mut settings = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line;
            } else if section == "[Service]"
                && !line.starts_with('#')
                && let Some((key, value)) = line.split_once('=')
            {
                settings.push((key.trim().to_owned(), value.trim().to_owned()));
            }
        }
        Ok(Self { settings })
    }

    fn values<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + use<'a> {
        self.settings.iter().filter(move |(name, _)| name == key).map(|(_, value)| value.as_str())
    }

    fn value<'a>(&'a self, key: &'a str) -> Option<&'a str> {
        self.values(key).last()
    }

    /// ExecStart's words, its prefix characters (`-`, `@`, `+`, ...) dropped.
    fn exec_start(&self) -> Result<Vec<String>> {
        let line = self.value("ExecStart").context("the unit has no ExecStart=")?;
        Ok(words(line.trim_start_matches(['-', '@', ':', '+', '!'])))
    }

    /// Gives `command` only what systemd gives a service: its default PATH
    /// and the unit's `Environment=` assignments (mapped through `map`).
    fn environment(&self, command: &mut Command, map: impl Fn(&str) -> String) {
        command.env_clear().env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        for assignment in self.values("Environment").flat_map(words) {
            if let Some((name, value)) = assignment.split_once('=') {
                command.env(name, map(value));
            }
        }
    }
}

/// Splits a unit value into words; double quotes group (no escapes: the
/// packaged unit needs none).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ch if ch.is_whitespace() && !quoted => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            ch => word.push(ch),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}
