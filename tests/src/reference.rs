//! The reference corpora (`tests/corpus/phone/cases.jsonl`,
//! `tests/corpus/email/cases.jsonl`) as decisions, and the three
//! implementations that must reach them: the native core, the built-in
//! module under wasmtime (as the host runs it: contracts loaded once,
//! `pactum_evaluate` per call) and the same module bytes in node (the
//! wasm-bindgen `Contract`, as the browser SDK runs it).
//!
//! Each corpus line is one reference verdict; the runners
//! (`tests/phone_corpus.rs`, `tests/email_corpus.rs`) check the engine's
//! own parse against it, turn each case into an update of a one-field
//! contract, and require the three implementations to answer the same
//! decision for every case.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use pactum_core::wire::{Call, WireDecision, WireOperation};
use pactum_core::{Evaluator, Outcome};
use pactum_host::runtime::{ContractDocument, InstanceMode, Runtime, RuntimeOptions};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One line of the phone corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct PhoneCase {
    pub input: String,
    pub region: Option<String>,
    pub valid: bool,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub e164: Option<String>,
    pub extension: Option<String>,
    pub origin: String,
}

/// One line of the e-mail corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct EmailCase {
    pub input: String,
    pub valid: bool,
    pub mailbox: Option<String>,
    pub origin: String,
}

/// A corpus: its header line (which names the reference and its version)
/// and its cases.
#[derive(Debug, Clone)]
pub struct Corpus<T> {
    pub header: Value,
    pub cases: Vec<T>,
}

fn corpus_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus").join(name).join("cases.jsonl")
}

/// Reads `corpus/<name>/cases.jsonl` and checks that the header counts
/// every case.
pub fn load<T: DeserializeOwned>(name: &str) -> Result<Corpus<T>, String> {
    let path = corpus_path(name);
    let text = std::fs::read_to_string(&path).map_err(|error| format!("reading {}: {error}", path.display()))?;
    let mut lines = text.lines().enumerate();
    let header: Value = match lines.next() {
        Some((_, line)) => serde_json::from_str(line).map_err(|error| format!("{}:1: {error}", path.display()))?,
        None => return Err(format!("{} is empty", path.display())),
    };
    let cases = lines
        .map(|(index, line)| {
            serde_json::from_str(line).map_err(|error| format!("{}:{}: {error}", path.display(), index + 1))
        })
        .collect::<Result<Vec<T>, String>>()?;
    if header.get("cases").and_then(Value::as_u64) != Some(cases.len() as u64) {
        return Err(format!("{}: the header says {} cases, the file has {}", path.display(), header, cases.len()));
    }
    Ok(Corpus { header, cases })
}

/// Updates of one-field contracts: the contracts by reference, and the calls
/// that name them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Batch {
    pub contracts: BTreeMap<String, Value>,
    pub calls: Vec<Call>,
}

impl Batch {
    /// Adds an update of `{field: value}` on an entity with no data, under
    /// the contract `schema` kept as `reference`.
    pub fn update(&mut self, reference: &str, schema: impl FnOnce() -> Value, field: &str, value: &str) {
        self.contracts.entry(reference.to_owned()).or_insert_with(schema);
        let mut payload = serde_json::Map::new();
        payload.insert(field.to_owned(), Value::from(value));
        self.calls.push(Call {
            contract: None,
            contract_ref: Some(reference.to_owned()),
            operation: WireOperation::Update,
            current: Value::Null,
            payload: Value::Object(payload),
            context: None,
        });
    }
}

/// The contract a phone case is decided under: one mobile field, the case's
/// region as the contract's region, the default number types.
#[must_use]
pub fn phone_contract(region: Option<&str>) -> Value {
    let mut contract = json!({
        "type": "object",
        "properties": {"mobile": {"type": "string", "x-pactum-role": "mobile"}}
    });
    if let (Some(region), Some(object)) = (region, contract.as_object_mut()) {
        object.insert("x-pactum-region".to_owned(), Value::from(region));
    }
    contract
}

/// The contract an e-mail case is decided under.
#[must_use]
pub fn email_contract() -> Value {
    json!({
        "type": "object",
        "properties": {"email": {"type": "string", "format": "email", "x-pactum-role": "email"}}
    })
}

/// A decision as JSON, or the text of whatever else came back.
pub type Answer = Result<Value, String>;

fn decision_value(outcome: Outcome) -> Answer {
    match outcome {
        Outcome::Decision(decision) => serde_json::to_value(decision).map_err(|error| error.to_string()),
        other => Err(format!("not a decision: {other:?}")),
    }
}

/// The native core's decisions.
pub fn native(batch: &Batch) -> Result<Vec<Answer>, String> {
    let mut evaluator = Evaluator::default();
    for (reference, schema) in &batch.contracts {
        evaluator.load(reference, schema).map_err(|error| format!("contract {reference}: {error}"))?;
    }
    Ok(batch.calls.iter().map(|call| decision_value(evaluator.call(call))).collect())
}

/// The built-in module's decisions under wasmtime, one warm instance, each
/// contract loaded into it once.
pub fn wasmtime(batch: &Batch) -> Result<Vec<Answer>, String> {
    let bytes = pactum_host::builtin::read().map_err(|error| format!("{error:#}"))?;
    let runtime = Runtime::new(RuntimeOptions::default()).map_err(|error| format!("{error:#}"))?;
    let module = runtime
        .load_module("built-in", bytes, InstanceMode::Warm { max_idle: 1 })
        .map_err(|error| error.to_string())?;
    let documents: BTreeMap<&String, ContractDocument> = batch
        .contracts
        .iter()
        .map(|(reference, schema)| (reference, ContractDocument::new(reference, schema.clone())))
        .collect();
    Ok(batch
        .calls
        .iter()
        .map(|call| {
            let document = call.contract_ref.as_ref().and_then(|reference| documents.get(reference));
            let document = document.ok_or_else(|| "a call names no loaded contract".to_owned())?;
            module
                .evaluate(document, call.clone())
                .map_err(|error| format!("module error: {error}"))
                .and_then(decision_value)
        })
        .collect())
}

/// The same module bytes in node, through the wasm-bindgen `Contract` the
/// browser SDK uses (`node/decide.mjs`), the batch written to `batch_file`.
/// A missing `node` fails the run.
pub fn node(batch: &Batch, batch_file: &Path) -> Result<Vec<Answer>, String> {
    let module_dir = crate::module_dir()?;
    let encoded = serde_json::to_vec(batch).map_err(|error| error.to_string())?;
    std::fs::write(batch_file, encoded).map_err(|error| format!("writing {}: {error}", batch_file.display()))?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("node").join("decide.mjs");
    let output = Command::new("node").arg(&script).arg(&module_dir).arg(batch_file).output().map_err(|error| {
        format!("cannot run `node` ({error}); install Node.js 18.15 or later (apt-get install nodejs)")
    })?;
    if !output.status.success() {
        return Err(format!("node failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let answers: Vec<Answer> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let line: Value = serde_json::from_str(line).map_err(|error| format!("node printed {line}: {error}"))?;
            match (line.get("decision"), line.get("error")) {
                (Some(decision), _) => serde_json::from_value::<WireDecision>(decision.clone())
                    .map_err(|error| format!("node answered {decision}: {error}"))
                    .and_then(|decision| serde_json::to_value(decision).map_err(|error| error.to_string())),
                (None, Some(error)) => Err(format!("node: {error}")),
                (None, None) => Err(format!("node printed {line}")),
            }
        })
        .collect();
    if answers.len() != batch.calls.len() {
        return Err(format!("node answered {} of {} calls", answers.len(), batch.calls.len()));
    }
    Ok(answers)
}

/// The same calls through the module in wasmtime and in node (the node
/// batch written to `node_batch_file`).
pub fn in_wasm(batch: &Batch, node_batch_file: &Path) -> Result<[(&'static str, Vec<Answer>); 2], String> {
    Ok([("wasmtime", wasmtime(batch)?), ("node", node(batch, node_batch_file)?)])
}

/// Prints every call whose wasmtime or node answer differs from the native
/// one, named by `describe(index)`, and returns how many there are.
pub fn report_divergences(
    native: &[Answer],
    others: &[(&'static str, Vec<Answer>)],
    describe: impl Fn(usize) -> String,
) -> usize {
    let mut count = 0;
    for (implementation, answers) in others {
        for (index, (expected, answer)) in native.iter().zip(answers).enumerate() {
            if expected != answer {
                count += 1;
                eprintln!(
                    "DIVERGENCE {} ({implementation})\n  native: {expected:?}\n  {implementation}: {answer:?}",
                    describe(index)
                );
            }
        }
    }
    count
}

/// Expected differences between the engine and a reference corpus, each
/// with its reason (`data/<corpus>-corpus-xfail.json`). An entry that no
/// longer differs, or that names no case, fails the run, as the
/// JSON-Schema-Test-Suite runner's expected failures do.
#[derive(Debug, Clone, Deserialize)]
pub struct ExpectedDifferences {
    pub expected_differences: Vec<ExpectedDifference>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExpectedDifference {
    pub input: String,
    #[serde(default)]
    pub region: Option<String>,
    pub reason: String,
}

impl ExpectedDifferences {
    pub fn load(corpus: &str) -> Result<Self, String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data").join(format!("{corpus}-corpus-xfail.json"));
        let text = std::fs::read_to_string(&path).map_err(|error| format!("reading {}: {error}", path.display()))?;
        serde_json::from_str(&text).map_err(|error| format!("{}: {error}", path.display()))
    }

    /// Whether the case `(input, region)` is listed.
    #[must_use]
    pub fn lists(&self, input: &str, region: Option<&str>) -> bool {
        self.expected_differences.iter().any(|entry| entry.input == input && entry.region.as_deref() == region)
    }
}
