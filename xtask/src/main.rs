//! `cargo xtask wasm`: builds the contract modules, running wasm-bindgen as a
//! library for the built-in one, so there is no hand step and nothing to
//! `cargo install`. `cargo xtask plugin` builds the example plugin and its
//! variant alone.
//!
//! The output directory (`target/wasm/` by default, or `PACTUM_WASM_DIR`)
//! holds the one `pactum_wasm_bg.wasm` that the host, `www/` and the tests
//! load, plus its JS glue and TypeScript declarations, and the example
//! plugin `loyalty.wasm` (`plugins/loyalty`, no wasm-bindgen), its one-rule
//! variant `loyalty-strict.wasm` (feature `strict-age`, for the tests that
//! compare two modules) and the AssemblyScript one, `newsletter.wasm`
//! (`plugins/newsletter-as`).

mod assemblyscript;
mod ci;
mod package;
mod serve;
mod setup;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    match task.as_str() {
        "wasm" => build_modules(),
        "plugin" => build_plugins(),
        "setup" => match std::env::args().nth(2).as_deref() {
            Some("serve") => setup::ensure(setup::Task::Serve).map(|_| ()),
            Some("test") | None => setup::ensure(setup::Task::Test).map(|_| ()),
            Some(other) => bail!("cargo xtask setup [serve|test], not `{other}`"),
        },
        "package" => package::run(&workspace_root(), &std::env::args().skip(2).collect::<Vec<_>>()),
        "test" => ci::test(&workspace_root(), build_modules),
        "serve" => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            serve::serve(&workspace_root(), || build_wasm().and_then(|_| build_plugin()).map(|_| ()), &args)
        }
        _ => bail!(
            "usage: cargo xtask wasm      (builds target/wasm/pactum_wasm_bg.wasm, loyalty.wasm, loyalty-strict.wasm and newsletter.wasm)\n       cargo xtask plugin    (builds target/wasm/loyalty.wasm and loyalty-strict.wasm only)\n       cargo xtask test      (the README's test command: every check CI runs)\n       cargo xtask serve     (the README's serve command: the API and demo page on http://127.0.0.1:8080)\n       cargo xtask setup [serve|test]  (only the tools those commands find or install first)\n       cargo xtask package [--check [FILE.deb]]  (the Debian package from the debug build; --check installs, starts and purges it)"
        ),
    }
}

/// Every module `cargo xtask wasm` builds: the built-in one, the loyalty
/// plugin and its variant, and the AssemblyScript plugin.
fn build_modules() -> Result<()> {
    build_wasm()?;
    build_plugins()?;
    assemblyscript::build_as_plugin()?;
    Ok(())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Builds `package` for wasm32 with the `wasm-release` profile and returns
/// the path of its `.wasm` file.
fn cargo_build(root: &Path, package: &str) -> Result<PathBuf> {
    cargo_build_with(root, package, &[], &root.join("target"))
}

/// [`cargo_build`] with `features` on, into `target_dir`. A build with other
/// features must have a target folder of its own: Cargo names a cdylib's
/// output the same whatever its features, so two builds in one folder
/// overwrite each other's file, and the older build's fingerprint then
/// takes the other's newer file for its own.
fn cargo_build_with(root: &Path, package: &str, features: &[&str], target_dir: &Path) -> Result<PathBuf> {
    ensure_target()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command.current_dir(root).args(["build", "--package", package, "--target", TARGET, "--profile", PROFILE]);
    command.arg("--target-dir").arg(target_dir);
    if !features.is_empty() {
        command.args(["--features", &features.join(",")]);
    }
    let status = command.status().with_context(|| format!("running cargo build for {package}"))?;
    if !status.success() {
        bail!("cargo build of {package} failed (is the target installed? `rustup target add {TARGET}`)");
    }
    Ok(target_dir.join(TARGET).join(PROFILE).join(format!("{}.wasm", package.replace('-', "_"))))
}

/// Adds the wasm32 target through rustup when it is missing, so the README's
/// commands work on a fresh machine. Without rustup, the build's own error
/// says what is missing.
fn ensure_target() -> Result<()> {
    let Ok(installed) = Command::new("rustup").args(["target", "list", "--installed"]).output() else {
        return Ok(());
    };
    if String::from_utf8_lossy(&installed.stdout).lines().any(|line| line.trim() == TARGET) {
        return Ok(());
    }
    ci::run("wasm32 target", Path::new("."), "rustup", &["target", "add", TARGET])
}

/// `target/wasm/`, or `$PACTUM_WASM_DIR`, created if missing.
fn out_dir(root: &Path) -> Result<PathBuf> {
    let out_dir = std::env::var_os("PACTUM_WASM_DIR").map_or_else(|| root.join("target").join("wasm"), PathBuf::from);
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    Ok(out_dir)
}

fn build_wasm() -> Result<PathBuf> {
    let root = workspace_root();
    let input = cargo_build(&root, "pactum-wasm")?;
    let out_dir = out_dir(&root)?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .web(true)?
        .typescript(true)
        .remove_name_section(true)
        .remove_producers_section(true)
        .keep_debug(false)
        .generate(&out_dir)
        .context("running wasm-bindgen")?;
    // The glue is an ES module in a `.js` file; without this, Node before
    // 20.19 (Debian 12's 18) loads it as CommonJS and fails.
    std::fs::write(out_dir.join("package.json"), "{\"type\": \"module\"}\n").context("writing package.json")?;
    let module = out_dir.join("pactum_wasm_bg.wasm");
    let bytes = std::fs::read(&module).with_context(|| format!("reading {}", module.display()))?;
    record(&module, &bytes)?;
    Ok(module)
}

const LOYALTY: &str = "pactum-plugin-loyalty";

/// Builds the example plugin (`plugins/loyalty`) into `loyalty.wasm`, its
/// custom sections (names, producers) removed as wasm-bindgen does for the
/// built-in module.
fn build_plugin() -> Result<PathBuf> {
    let root = workspace_root();
    write_module(&root, &cargo_build(&root, LOYALTY)?, "loyalty.wasm")
}

/// The example plugin and its one-rule variant (feature `strict-age`, built
/// in its own target folder `target/loyalty-strict/`) as
/// `loyalty-strict.wasm`, stripped the same way: the pair of modules that
/// the tests comparing two modules run.
fn build_plugins() -> Result<()> {
    build_plugin()?;
    let root = workspace_root();
    let strict = cargo_build_with(&root, LOYALTY, &["strict-age"], &root.join("target").join("loyalty-strict"))?;
    write_module(&root, &strict, "loyalty-strict.wasm")?;
    Ok(())
}

/// Copies a built module into the output folder as `name`, without its
/// custom sections, and records its hash.
fn write_module(root: &Path, input: &Path, name: &str) -> Result<PathBuf> {
    let bytes = std::fs::read(input).with_context(|| format!("reading {}", input.display()))?;
    let bytes =
        strip_custom_sections(&bytes).with_context(|| format!("reading the sections of {}", input.display()))?;
    let module = out_dir(root)?.join(name);
    std::fs::write(&module, &bytes).with_context(|| format!("writing {}", module.display()))?;
    record(&module, &bytes)?;
    Ok(module)
}

/// Writes `<module>.sha256` next to a built module and says what was built.
fn record(module: &Path, bytes: &[u8]) -> Result<()> {
    let hash = hex(&Sha256::digest(bytes));
    let mut name = module.as_os_str().to_owned();
    name.push(".sha256");
    std::fs::write(PathBuf::from(name), format!("{hash}\n"))?;
    eprintln!("built {} ({} bytes, sha256 {hash})", module.display(), bytes.len());
    Ok(())
}

/// A wasm module without its custom sections (id 0), which only carry names,
/// producers and target features: nothing the module runs on.
fn strip_custom_sections(bytes: &[u8]) -> Result<Vec<u8>> {
    let (header, mut rest) = bytes.split_at_checked(8).context("shorter than a wasm header")?;
    let mut out = header.to_vec();
    while let Some((&id, after_id)) = rest.split_first() {
        let (size, after_size) = leb128_u32(after_id).context("a section size is not LEB128")?;
        let end = (after_id.len() - after_size.len()).checked_add(size as usize).context("section too large")?;
        let section = after_id.get(..end).context("a section runs past the end of the file")?;
        if id != 0 {
            out.push(id);
            out.extend_from_slice(section);
        }
        rest = after_id.get(end..).unwrap_or_default();
    }
    Ok(out)
}

/// Reads an unsigned LEB128 number; returns it and the bytes after it.
fn leb128_u32(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let mut value = 0u32;
    for (index, &byte) in bytes.iter().enumerate().take(5) {
        value |= u32::from(byte & 0x7f) << (7 * index);
        if byte & 0x80 == 0 {
            return Some((value, bytes.get(index + 1..)?));
        }
    }
    None
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
