//! The decision corpus: data-driven cases for the contract engine, shared by
//! every runner (the native one in `tests/corpus.rs`, and the conformance
//! runners that feed the same call bytes to the wasm module under wasmtime
//! and node).
//!
//! # File format
//!
//! Each `tests/corpus/<topic>.json` file is one object:
//!
//! ```json
//! {
//!   "description": "what the cases of this file show",
//!   "contract": { "type": "object", "properties": { "name": { "type": "string" } } },
//!   "cases": [
//!     {
//!       "name": "name_change_is_applied",
//!       "description": "optional: why the expectation is what it is",
//!       "operation": "update",
//!       "current": { "name": "Ann" },
//!       "payload": { "name": "Bo" },
//!       "context": { "today": "2026-11-28" },
//!       "expect": { "type": "decision", "code": "200", "entity": { "name": "Bo" },
//!                   "changed": ["/name"], "pending": [], "unique": [], "errors": [] }
//!     }
//!   ]
//! }
//! ```
//!
//! A case becomes one [`pactum_core::wire::Call`]: the file's `contract`
//! (or the case's own `contract`, which overrides it), and the case's
//! `operation`, `current`, `payload` and `context` where present. A case
//! with `contractRef` calls by reference instead (without the file's
//! contract). A case with `call` sends that object verbatim, for calls that
//! are malformed on purpose; it then carries no other call member. `null` is
//! a value here, not an absence: `"payload": null` sends a null payload.
//!
//! `expect` is the whole outcome exactly as `pactum_core::evaluate_json`
//! writes it (compared as JSON values, so member order and whitespace do not
//! matter). Case names are `snake_case` and unique within a file; a case is
//! known everywhere as `<file stem>::<name>`.

use std::collections::BTreeSet;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use pactum_core::wire::Outcome;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// One case, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The stem of the file the case comes from, e.g. `lists`.
    pub file: String,
    /// The case's name within its file, e.g. `single_value_appends`.
    pub name: String,
    /// Why the expectation is what it is, when the case says.
    pub description: Option<String>,
    /// The call, as a JSON value.
    pub call: Value,
    /// The expected outcome, as a JSON value.
    pub expect: Value,
}

impl Case {
    /// The case's name across the corpus: `<file>::<name>`.
    #[must_use]
    pub fn id(&self) -> String {
        format!("{}::{}", self.file, self.name)
    }

    /// The call as JSON bytes, the input of `evaluate_json` and of a
    /// module's JSON-bytes ABI.
    #[must_use]
    pub fn call_bytes(&self) -> Vec<u8> {
        // Serializing a `Value` with string keys cannot fail.
        serde_json::to_vec(&self.call).unwrap_or_default()
    }

    /// Every code the expectation names: the outcome's own, each error's and
    /// each contract problem's.
    #[must_use]
    pub fn codes(&self) -> BTreeSet<String> {
        codes(&self.expect)
    }
}

/// Why the corpus could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusError {
    /// The file (or folder) at fault.
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for CorpusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for CorpusError {}

/// The corpus folder of this repository: `tests/corpus`.
#[must_use]
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Every case of the repository's corpus, in file order, then case order.
pub fn load() -> Result<Vec<Case>, CorpusError> {
    load_dir(&dir())
}

/// Every case of the `*.json` files in `dir`, files sorted by name.
pub fn load_dir(dir: &Path) -> Result<Vec<Case>, CorpusError> {
    let fail = |message: String| CorpusError { path: dir.to_owned(), message };
    let entries = fs::read_dir(dir).map_err(|error| fail(format!("cannot read the folder: {error}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(|error| fail(format!("cannot read the folder: {error}")))?.path();
        if path.extension().is_some_and(|extension| extension == "json") {
            files.push(path);
        }
    }
    files.sort();
    let mut cases = Vec::new();
    for file in &files {
        cases.extend(load_file(file)?);
    }
    if cases.is_empty() {
        return Err(fail("holds no case".to_owned()));
    }
    Ok(cases)
}

/// The cases of one corpus file.
pub fn load_file(path: &Path) -> Result<Vec<Case>, CorpusError> {
    let fail = |message: String| CorpusError { path: path.to_owned(), message };
    let stem =
        path.file_stem().and_then(|stem| stem.to_str()).ok_or_else(|| fail("the file name is not UTF-8".to_owned()))?;
    let text = fs::read_to_string(path).map_err(|error| fail(format!("cannot read the file: {error}")))?;
    parse_file(stem, &text).map_err(fail)
}

/// The cases of one corpus file's text; `stem` names the file in case ids.
pub fn parse_file(stem: &str, text: &str) -> Result<Vec<Case>, String> {
    if !is_name(stem) {
        return Err(format!("the file stem `{stem}` is not snake_case"));
    }
    let file: RawFile = serde_json::from_str(text).map_err(|error| format!("not a corpus file: {error}"))?;
    if file.description.trim().is_empty() {
        return Err("the file has an empty description".to_owned());
    }
    let mut names = BTreeSet::new();
    let mut cases = Vec::with_capacity(file.cases.len());
    for raw in file.cases {
        let name = raw.name.clone();
        let fail = |message: String| format!("case `{name}`: {message}");
        if !is_name(&name) {
            return Err(fail("the name is not snake_case".to_owned()));
        }
        if !names.insert(name.clone()) {
            return Err(fail("the name is used twice in this file".to_owned()));
        }
        check_expectation(&raw.expect).map_err(fail)?;
        let description = raw.description.clone();
        let expect = raw.expect.clone();
        let call = build_call(file.contract.as_ref(), raw).map_err(fail)?;
        cases.push(Case { file: stem.to_owned(), name, description, call, expect });
    }
    Ok(cases)
}

/// Every code an outcome names: its own `code`, each `errors[].code` and
/// each `problems[].code`.
#[must_use]
pub fn codes(outcome: &Value) -> BTreeSet<String> {
    let own = outcome.get("code").and_then(Value::as_str);
    let listed = ["errors", "problems"]
        .into_iter()
        .filter_map(|list| outcome.get(list).and_then(Value::as_array))
        .flatten()
        .filter_map(|item| item.get("code").and_then(Value::as_str));
    own.into_iter().chain(listed).map(str::to_owned).collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    description: String,
    #[serde(default, deserialize_with = "present")]
    contract: Option<Value>,
    cases: Vec<RawCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawCase {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, deserialize_with = "present")]
    contract: Option<Value>,
    #[serde(default)]
    contract_ref: Option<String>,
    #[serde(default, deserialize_with = "present")]
    operation: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    current: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    payload: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    context: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    call: Option<Value>,
    expect: Value,
}

/// A member that is present is `Some`, even when it is `null`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// An expectation must be an outcome exactly as the wire writes it: a
/// decision or a failure, with every member and no other.
fn check_expectation(expect: &Value) -> Result<(), String> {
    let outcome: Outcome =
        serde_json::from_value(expect.clone()).map_err(|error| format!("`expect` is not an outcome: {error}"))?;
    if matches!(outcome, Outcome::Loaded(_)) {
        return Err("`expect` must be a decision or a failure".to_owned());
    }
    let written = serde_json::to_value(&outcome).map_err(|error| format!("`expect` does not serialize: {error}"))?;
    if &written != expect {
        return Err(format!("`expect` is not written in full, as the wire writes it: {written}"));
    }
    Ok(())
}

fn build_call(file_contract: Option<&Value>, case: RawCase) -> Result<Value, String> {
    if let Some(call) = case.call {
        let others = [
            case.contract.is_some(),
            case.contract_ref.is_some(),
            case.operation.is_some(),
            case.current.is_some(),
            case.payload.is_some(),
            case.context.is_some(),
        ];
        if others.contains(&true) {
            return Err("`call` is sent verbatim and takes no other call member".to_owned());
        }
        return Ok(call);
    }
    let mut call = Map::new();
    let contract = match (case.contract, &case.contract_ref) {
        (Some(contract), _) => Some(contract),
        (None, None) => file_contract.cloned(),
        (None, Some(_)) => None,
    };
    if let Some(contract) = contract {
        call.insert("contract".to_owned(), contract);
    }
    if let Some(reference) = case.contract_ref {
        call.insert("contractRef".to_owned(), Value::String(reference));
    }
    if let Some(operation) = case.operation {
        call.insert("operation".to_owned(), operation);
    }
    if let Some(current) = case.current {
        call.insert("current".to_owned(), current);
    }
    let payload = case.payload.ok_or("a case needs a `payload` (or a verbatim `call`)")?;
    call.insert("payload".to_owned(), payload);
    if let Some(context) = case.context {
        call.insert("context".to_owned(), context);
    }
    Ok(Value::Object(call))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OK: &str =
        r#"{"type":"decision","code":"200","entity":{},"changed":[],"pending":[],"unique":[],"errors":[]}"#;

    fn file(cases: &str) -> String {
        format!(r#"{{"description": "d", "contract": {{"type": "object"}}, "cases": [{cases}]}}"#)
    }

    #[test]
    fn a_case_becomes_a_call_with_the_file_contract() {
        let text = file(&format!(r#"{{"name": "a", "current": null, "payload": null, "expect": {OK}}}"#));
        let cases = parse_file("topic", &text);
        let expected = json!({"contract": {"type": "object"}, "current": null, "payload": null});
        assert_eq!(
            cases.as_ref().map(|cases| cases.iter().map(|case| &case.call).collect::<Vec<_>>()),
            Ok(vec![&expected])
        );
        assert_eq!(cases.map(|cases| cases.iter().map(Case::id).collect::<Vec<_>>()), Ok(vec!["topic::a".to_owned()]));
    }

    #[test]
    fn a_reference_replaces_the_file_contract() {
        let text = file(&format!(r#"{{"name": "a", "contractRef": "r", "payload": {{}}, "expect": {OK}}}"#));
        let calls = parse_file("topic", &text).map(|cases| cases.into_iter().map(|case| case.call).collect::<Vec<_>>());
        assert_eq!(calls, Ok(vec![json!({"contractRef": "r", "payload": {}})]));
    }

    #[test]
    fn malformed_cases_are_refused() {
        let twice = file(&format!(
            r#"{{"name": "a", "payload": {{}}, "expect": {OK}}}, {{"name": "a", "payload": {{}}, "expect": {OK}}}"#
        ));
        assert!(parse_file("topic", &twice).is_err());
        let partial = file(r#"{"name": "a", "payload": {}, "expect": {"type": "decision", "code": "200"}}"#);
        assert!(parse_file("topic", &partial).is_err());
        let mixed = file(&format!(r#"{{"name": "a", "call": {{}}, "payload": {{}}, "expect": {OK}}}"#));
        assert!(parse_file("topic", &mixed).is_err());
        let no_payload = file(&format!(r#"{{"name": "a", "expect": {OK}}}"#));
        assert!(parse_file("topic", &no_payload).is_err());
        assert!(parse_file("Topic", &file("")).is_err(), "a file stem must be snake_case");
    }

    #[test]
    fn codes_are_collected_from_every_level() {
        let outcome =
            json!({"code": "400", "errors": [{"code": "400.3"}, {"code": "400.10"}], "problems": [{"code": "422.1"}]});
        let expected: BTreeSet<String> = ["400", "400.3", "400.10", "422.1"].into_iter().map(str::to_owned).collect();
        assert_eq!(codes(&outcome), expected);
    }
}
