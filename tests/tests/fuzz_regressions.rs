//! The kept fuzz inputs, replayed as normal tests: every file of
//! `fuzz/regressions/<target>/` is one trial named `<target>::<file>`, run
//! through the same check as its cargo-fuzz target (`pactum_tests::fuzz`).
//! The folders hold the seeds and every input that once broke an invariant,
//! so the test run proves the harness works and keeps the fixes fixed.
//!
//! `module_abi` trials need the built-in module (`cargo xtask wasm`); without
//! it they fail with that message.

use std::fs;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use libtest_mimic::{Arguments, Failed, Trial};
use pactum_tests::fuzz::{Seeds, core_evaluate, module_abi, regressions_dir};

const TARGETS: [&str; 2] = ["core_evaluate", "module_abi"];

fn main() -> ExitCode {
    let arguments = Arguments::from_args();
    let seeds = match Seeds::load() {
        Ok(seeds) => Arc::new(seeds),
        Err(error) => {
            eprintln!("fuzz seeds: {error}");
            return ExitCode::FAILURE;
        }
    };
    let fixture = Arc::new(OnceLock::new());
    let mut trials = Vec::new();
    for target in TARGETS {
        let files = match inputs(target) {
            Ok(files) => files,
            Err(error) => {
                eprintln!("fuzz regressions: {error}");
                return ExitCode::FAILURE;
            }
        };
        for file in files {
            let name = format!("{target}::{}", file.file_name().unwrap_or_default().to_string_lossy());
            let (seeds, fixture) = (Arc::clone(&seeds), Arc::clone(&fixture));
            trials.push(Trial::test(name, move || replay(target, &file, &seeds, &fixture)));
        }
    }
    libtest_mimic::run(&arguments, trials).exit_code()
}

/// The kept inputs of `target`, sorted; none is an error.
fn inputs(target: &str) -> Result<Vec<PathBuf>, String> {
    let dir = regressions_dir(target);
    let entries = fs::read_dir(&dir).map_err(|error| format!("cannot read {}: {error}", dir.display()))?;
    let mut files: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|entry| entry.path()).filter(|path| path.is_file()).collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("{} holds no input", dir.display()));
    }
    Ok(files)
}

fn replay(
    target: &str,
    file: &PathBuf,
    seeds: &Seeds,
    fixture: &OnceLock<Result<module_abi::Fixture, String>>,
) -> Result<(), Failed> {
    let data = fs::read(file).map_err(|error| format!("cannot read {}: {error}", file.display()))?;
    let checked = if target == "module_abi" {
        let fixture = fixture.get_or_init(|| module_abi::Fixture::load(seeds)).as_ref()?;
        module_abi::check(fixture, seeds, &data)
    } else {
        core_evaluate::check(seeds, &data)
    };
    checked.map_err(|violation| violation.to_string().into())
}
