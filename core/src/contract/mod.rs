//! Compiling a contract: a JSON Schema (draft 2020-12) plus Pactum's
//! `x-pactum-*` keywords, checked once and turned into a [`Contract`] that is
//! then evaluated many times.

mod extensions;
mod multiple_of;
mod patterns;
mod shape;

use std::fmt;

use serde_json::Value;

pub use extensions::{Channel, Role};
pub(crate) use patterns::BACKTRACKING_KEYWORD;
pub use shape::{FieldSpec, ObjectShape};

use crate::phone::Region;
use crate::pointer;

/// A compiled contract: the schema validator plus the field table that drives
/// the merge rules. Compiling is the expensive step (on wasm32 `jsonschema`
/// rebuilds its meta-schema validator for every compile), so callers keep
/// the `Contract` and evaluate many updates against it.
#[derive(Debug)]
pub struct Contract {
    schema: Value,
    validator: jsonschema::Validator,
    shape: ObjectShape,
    region: Option<Region>,
}

/// Why a contract was rejected: every problem found, each naming its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractError {
    pub problems: Vec<ContractProblem>,
}

/// One problem in a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractProblem {
    /// JSON Pointer into the contract document.
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            let place = if problem.pointer.is_empty() { "/" } else { problem.pointer.as_str() };
            write!(f, "at `{place}`: {}", problem.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ContractError {}

/// The deepest schema nesting a contract may have. Real contracts are a few
/// levels deep; the cap keeps the keyword walk and the validator away from
/// stack exhaustion on hostile input.
pub const MAX_SCHEMA_DEPTH: usize = 48;

/// The dialect every contract is written in.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A root `$schema` other than 2020-12 would make jsonschema pick another
/// draft, or (for an unknown URI) silently fall back: both are refused so a
/// contract means exactly what `docs/contracts.md` says.
fn foreign_dialect(schema: &Value) -> Option<ContractProblem> {
    let declared = schema.get("$schema")?;
    let known = declared.as_str().is_some_and(|uri| uri.trim_end_matches('#') == DIALECT);
    (!known).then(|| ContractProblem {
        pointer: "/$schema".to_owned(),
        message: format!("a contract is written in JSON Schema 2020-12 (`{DIALECT}`), not {declared}"),
    })
}

/// Refuses every remote `$ref`. A contract is self-contained: the core does
/// no I/O, and the refusal reads the same on every platform (jsonschema's
/// own message differs between native and wasm32).
#[derive(Debug, Clone, Copy)]
struct NoRemoteReferences;

impl jsonschema::Retrieve for NoRemoteReferences {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        Err(format!("remote reference `{uri}` is not resolved: a contract must be self-contained").into())
    }
}

fn is_mailbox(text: &str) -> bool {
    crate::mailbox::normalize(text).is_some()
}

impl Contract {
    /// Compiles a contract, or reports every problem with its place.
    pub fn compile(schema: &Value) -> Result<Self, ContractError> {
        if let Err(problem) = crate::limits::check(schema, MAX_SCHEMA_DEPTH) {
            return Err(ContractError {
                problems: vec![ContractProblem { pointer: String::new(), message: problem.to_string() }],
            });
        }
        if let Some(problem) = foreign_dialect(schema) {
            return Err(ContractError { problems: vec![problem] });
        }
        let extensions = extensions::check(schema);
        if !extensions.problems.is_empty() {
            return Err(ContractError { problems: extensions.problems });
        }
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            // A misspelt or unsupported format would otherwise check nothing.
            .should_ignore_unknown_formats(false)
            // One rule for every address: RFC 5321's Mailbox with RFC 6531's
            // internationalised addresses, as the role field normalises it.
            .with_format("email", is_mailbox)
            .with_format("idn-email", is_mailbox)
            .with_keyword("multipleOf", multiple_of::keyword)
            .with_keyword(BACKTRACKING_KEYWORD, patterns::backtracking_keyword)
            .with_pattern_options(jsonschema::PatternOptions::fancy_regex().backtrack_limit(patterns::BACKTRACK_LIMIT))
            .with_retriever(NoRemoteReferences)
            .build(patterns::rewrite_schema(schema).as_ref().unwrap_or(schema))
            .map_err(|error| ContractError {
                problems: vec![ContractProblem {
                    pointer: error.instance_path().to_string(),
                    message: format!("not a valid JSON Schema: {error}"),
                }],
            })?;
        if let Some(region) = extensions.region {
            crate::phone::prepare(region);
        }
        Ok(Self { schema: schema.clone(), validator, shape: shape::build(schema), region: extensions.region })
    }

    /// The contract document as it was compiled.
    #[must_use]
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// The field table of the top-level object.
    #[must_use]
    pub fn shape(&self) -> &ObjectShape {
        &self.shape
    }

    /// The default region for mobile numbers in national form.
    #[must_use]
    pub fn region(&self) -> Option<Region> {
        self.region
    }

    pub(crate) fn validator(&self) -> &jsonschema::Validator {
        &self.validator
    }

    /// The spec of the field at `pointer` (e.g. `/address/city`), if the
    /// contract declares it through `properties`.
    #[must_use]
    pub fn field(&self, pointer: &str) -> Option<&FieldSpec> {
        let mut shape = &self.shape;
        let mut found = None;
        for token in pointer::tokens(pointer) {
            let spec = shape.fields.get(&token)?;
            found = Some(spec);
            match &spec.object {
                Some(inner) => shape = inner,
                None => shape = &shape::EMPTY,
            }
        }
        found
    }

    /// Where `pointer` sits in the contract's written order, for sorting
    /// what a decision lists (errors) the way the contract lists its fields:
    /// declared members by position, then array items by index, then
    /// undeclared members by name.
    #[must_use]
    pub fn position(&self, pointer: &str) -> Vec<Position> {
        let mut shape = Some(&self.shape);
        pointer::tokens(pointer)
            .map(|token| match shape.and_then(|inner| inner.fields.get_full(&token)) {
                Some((index, _, spec)) => {
                    shape = spec.object.as_ref();
                    Position::Declared(index)
                }
                None => {
                    shape = None;
                    match token.parse::<u64>() {
                        Ok(index) => Position::Item(index),
                        Err(_) => Position::Undeclared(token),
                    }
                }
            })
            .collect()
    }
}

/// One step of [`Contract::position`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Position {
    Declared(usize),
    Item(u64),
    Undeclared(String),
}
