//! The official JSON-Schema-Test-Suite (draft 2020-12), copied under
//! `tests/data/json-schema-test-suite/`, as cases for the contract engine.
//!
//! Each test becomes a `validate` call: the group's schema as the contract,
//! the test's data as the payload. The suite runner checks acceptance
//! against `valid`; the conformance runner feeds the same call bytes to every
//! implementation.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};

/// One test of the suite.
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteCase {
    /// The file, relative to the suite's `tests/` folder, e.g. `draft2020-12/type.json`.
    pub file: String,
    pub group: String,
    pub test: String,
    pub schema: Value,
    pub data: Value,
    pub valid: bool,
}

impl SuiteCase {
    /// `file::group::test`.
    #[must_use]
    pub fn id(&self) -> String {
        format!("{}::{}::{}", self.file, self.group, self.test)
    }

    /// The `validate` call for this test.
    #[must_use]
    pub fn call(&self) -> Value {
        json!({"contract": self.schema, "operation": "validate", "current": null, "payload": self.data})
    }

    #[must_use]
    pub fn call_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&self.call()).unwrap_or_default()
    }
}

#[derive(Deserialize)]
struct Group {
    description: String,
    schema: Value,
    tests: Vec<Test>,
}

#[derive(Deserialize)]
struct Test {
    description: String,
    data: Value,
    valid: bool,
}

/// The folder holding `draft2020-12/`.
#[must_use]
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join("json-schema-test-suite").join("tests")
}

/// Every test of `draft2020-12/*.json` and `draft2020-12/optional/format/*.json`,
/// sorted by file.
pub fn load() -> Result<Vec<SuiteCase>, String> {
    let root = tests_dir();
    let mut files = Vec::new();
    for folder in ["draft2020-12", "draft2020-12/optional/format"] {
        let dir = root.join(folder);
        let entries = fs::read_dir(&dir).map_err(|error| format!("reading {}: {error}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|error| error.to_string())?.path();
            if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let file = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let text = fs::read_to_string(&path).map_err(|error| format!("reading {}: {error}", path.display()))?;
        let groups: Vec<Group> = serde_json::from_str(&text).map_err(|error| format!("{file}: {error}"))?;
        for group in groups {
            for test in group.tests {
                cases.push(SuiteCase {
                    file: file.clone(),
                    group: group.description.clone(),
                    test: test.description,
                    schema: group.schema.clone(),
                    data: test.data,
                    valid: test.valid,
                });
            }
        }
    }
    Ok(cases)
}
