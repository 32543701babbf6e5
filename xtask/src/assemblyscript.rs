//! The second-language example plugin (`plugins/newsletter-as`): built with
//! the AssemblyScript compiler from npm, pinned by the plugin's lock file,
//! into `newsletter.wasm` beside the other modules. Proves that the ABI of
//! `docs/abi.md` needs nothing from Rust.
//!
//! Needs Node.js and npm (`cargo xtask setup` installs them); `npm ci` runs
//! when the plugin's `node_modules` is missing or older than its lock file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// The plugin's folder, from the workspace root.
const PLUGIN_DIR: &str = "plugins/newsletter-as";
/// The module's file name in the output directory.
const MODULE: &str = "newsletter.wasm";

/// Builds `plugins/newsletter-as` into `newsletter.wasm` (custom sections
/// removed, as for the other modules) and returns its path.
pub fn build_as_plugin() -> Result<PathBuf> {
    let root = super::workspace_root();
    let dir = root.join(PLUGIN_DIR);
    let hint = || "the AssemblyScript plugin needs Node.js 18.15+ and npm (`cargo xtask setup` installs them)";
    if needs_install(&dir) {
        super::ci::run("AssemblyScript compiler: npm ci", &dir, "npm", &["ci", "--no-audit", "--no-fund"])
            .with_context(hint)?;
    }
    // asc writes into target/, never into the source tree.
    let build_dir = root.join("target").join("assemblyscript");
    std::fs::create_dir_all(&build_dir).with_context(|| format!("creating {}", build_dir.display()))?;
    let compiled = build_dir.join(MODULE);
    let compiled_arg = compiled.to_str().with_context(|| format!("{} is not UTF-8", compiled.display()))?;
    super::ci::run(
        "AssemblyScript plugin",
        &dir,
        "npx",
        &["--no-install", "asc", "assembly/index.ts", "--target", "release", "--outFile", compiled_arg],
    )
    .with_context(hint)?;
    let bytes = std::fs::read(&compiled).with_context(|| format!("reading {}", compiled.display()))?;
    let bytes = super::strip_custom_sections(&bytes)
        .with_context(|| format!("reading the sections of {}", compiled.display()))?;
    refuse_imports(&bytes).with_context(|| format!("checking {}", compiled.display()))?;
    let module = super::out_dir(&root)?.join(MODULE);
    std::fs::write(&module, &bytes).with_context(|| format!("writing {}", module.display()))?;
    super::record(&module, &bytes)?;
    Ok(module)
}

/// Whether `npm ci` must run: `node_modules` is missing, or older than the
/// lock file (npm writes `node_modules/.package-lock.json` when it installs).
fn needs_install(dir: &Path) -> bool {
    let modified = |path: PathBuf| std::fs::metadata(path).and_then(|meta| meta.modified()).ok();
    match (modified(dir.join("node_modules").join(".package-lock.json")), modified(dir.join("package-lock.json"))) {
        (Some(installed), Some(locked)) => installed < locked,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

/// Fails if the module imports anything: the host defines every import as
/// a trap, and AssemblyScript imports `env.abort` unless `asconfig.json`
/// points `abort` into the module.
fn refuse_imports(bytes: &[u8]) -> Result<()> {
    let mut rest = bytes.get(8..).context("shorter than a wasm header")?;
    while let Some((&id, after_id)) = rest.split_first() {
        let (size, body) = super::leb128_u32(after_id).context("a section size is not LEB128")?;
        let section = body.get(..size as usize).context("a section runs past the end of the file")?;
        if id == 2 {
            let (count, entries) = super::leb128_u32(section).context("the import count is not LEB128")?;
            if count > 0 {
                let (module, entries) = name(entries).context("an import's module name")?;
                let (field, _) = name(entries).context("an import's name")?;
                bail!("the module imports {count} item(s), the first `{module}::{field}`; it must import nothing");
            }
        }
        rest = body.get(size as usize..).unwrap_or_default();
    }
    Ok(())
}

/// A length-prefixed UTF-8 name and the bytes after it.
fn name(bytes: &[u8]) -> Option<(String, &[u8])> {
    let (len, rest) = super::leb128_u32(bytes)?;
    let text = rest.get(..len as usize)?;
    Some((String::from_utf8_lossy(text).into_owned(), rest.get(len as usize..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module header, then one import section importing `env.abort`.
    const IMPORTS_ABORT: &[u8] = &[
        0, b'a', b's', b'm', 1, 0, 0, 0, // header
        1, 4, 1, 0x60, 0, 0, // type section: one `() -> ()`
        2, 13, 1, 3, b'e', b'n', b'v', 5, b'a', b'b', b'o', b'r', b't', 0, 0, // import section
    ];

    #[test]
    fn an_import_is_refused_and_named() {
        let error = refuse_imports(IMPORTS_ABORT).map_err(|error| error.to_string());
        assert_eq!(
            error,
            Err("the module imports 1 item(s), the first `env::abort`; it must import nothing".to_owned())
        );
        assert_eq!(
            refuse_imports(IMPORTS_ABORT.get(..14).unwrap_or_default()).map_err(|error| error.to_string()),
            Ok(())
        );
    }

    #[test]
    fn the_path_of_the_plugin_exists() {
        assert!(Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(PLUGIN_DIR).join("asconfig.json").is_file());
    }
}
