//! The seeds the structured modes start from: the contracts and cases of the
//! decision corpus and the demo profile contract, plus a dictionary of the
//! keys and strings they use, so generated values hit real field names and
//! keywords.

use std::collections::BTreeSet;
use std::fs;

use serde_json::Value;

use crate::corpus::{self, CorpusError};

/// Strings worth trying that the seeds may not hold: every `x-pactum-*`
/// keyword and value, number and address forms, and schema keywords that
/// change how a document is walked.
const EXTRA_WORDS: &[&str] = &[
    "x-pactum-role",
    "x-pactum-verify",
    "x-pactum-unique",
    "x-pactum-region",
    "x-pactum-list",
    "mobile",
    "email",
    "sms",
    "DK",
    "US",
    "+4520123456",
    "20 12 34 56",
    "+1 202 555 0143",
    "00452012345",
    "ann@example.com",
    "ANN@Example.COM",
    "2026-11-28",
    "$ref",
    "$defs",
    "#",
    "#/$defs/a",
    "$dynamicRef",
    "$anchor",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "patternProperties",
    "unevaluatedProperties",
    "prefixItems",
    "contains",
    "propertyNames",
    "pattern",
    "^[a-z]+$",
    "format",
    "date-time",
    "uri",
    "",
    "~",
    "/",
    "a~1b",
];

/// Contracts, cases and words to build fuzz inputs from.
#[derive(Debug, Clone)]
pub struct Seeds {
    /// Every distinct contract document: the profile first, then the
    /// corpus's in file order.
    pub contracts: Vec<Value>,
    /// Every corpus case that has a payload, as `(current, payload)`.
    pub cases: Vec<(Value, Value)>,
    /// Every object key and string of the seeds, and [`EXTRA_WORDS`].
    pub words: Vec<String>,
}

impl Seeds {
    /// Reads the decision corpus and `host/demo/profile.json`.
    pub fn load() -> Result<Self, CorpusError> {
        let profile_path = super::repository().join("host").join("demo").join("profile.json");
        let fail = |message: String| CorpusError { path: profile_path.clone(), message };
        let text = fs::read_to_string(&profile_path).map_err(|error| fail(error.to_string()))?;
        let profile: Value = serde_json::from_str(&text).map_err(|error| fail(error.to_string()))?;
        Ok(Self::new(profile, corpus::load()?.into_iter().map(|case| case.call)))
    }

    /// Seeds from a profile contract and corpus calls.
    pub fn new(profile: Value, calls: impl IntoIterator<Item = Value>) -> Self {
        let mut contracts = vec![profile];
        let mut cases = Vec::new();
        for call in calls {
            if let Some(contract) = call.get("contract")
                && !contracts.contains(contract)
            {
                contracts.push(contract.clone());
            }
            if let Some(payload) = call.get("payload") {
                cases.push((call.get("current").cloned().unwrap_or(Value::Null), payload.clone()));
            }
        }
        let mut words: BTreeSet<String> = EXTRA_WORDS.iter().map(|word| (*word).to_owned()).collect();
        for value in contracts.iter().chain(cases.iter().flat_map(|(current, payload)| [current, payload])) {
            collect_words(value, &mut words);
        }
        Self { contracts, cases, words: words.into_iter().collect() }
    }

    /// The demo profile contract: the known-good contract.
    #[must_use]
    pub fn profile(&self) -> &Value {
        // `new` always puts the profile first.
        self.contracts.first().unwrap_or(&Value::Null)
    }
}

fn collect_words(value: &Value, words: &mut BTreeSet<String>) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::String(text) => {
                words.insert(text.clone());
            }
            Value::Array(items) => stack.extend(items),
            Value::Object(members) => {
                words.extend(members.keys().cloned());
                stack.extend(members.values());
            }
            _ => {}
        }
    }
}
