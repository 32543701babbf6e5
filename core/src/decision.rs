//! What an evaluation decides. A rejected update is a `Decision` with errors,
//! never an `Err`: the caller always gets every failing field at once.

use serde_json::{Map, Value};

use crate::contract::{Channel, Role};

/// What the evaluation is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Operation {
    /// 1003: merge the payload into the current data (spec rules 1-7).
    #[default]
    Update,
    /// 1001: the payload is the new entity. Verified fields are written at
    /// once and listed as pending: the entity starts `unverified`.
    Create,
    /// Check the payload as a whole document against the schema only (rule 6),
    /// with no merge rules. Used by live forms and the JSON-Schema-Test-Suite.
    Validate,
}

/// The outcome of one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The top-level sub code (see [`top_code`]).
    pub code: &'static str,
    /// The entity after the update, with verified changes held back. `None`
    /// when the update is rejected, and for [`Operation::Validate`].
    pub entity: Option<Value>,
    /// JSON Pointers of the members whose value the update changes, sorted.
    pub changed: Vec<String>,
    /// Verified fields whose new value waits for a code.
    pub pending: Vec<Pending>,
    /// Unique values the host must claim before committing.
    pub unique: Vec<UniqueClaim>,
    /// Every failing field, in the contract's order of fields (then by
    /// pointer, code and message), each once.
    pub errors: Vec<FieldError>,
}

impl Decision {
    #[must_use]
    pub fn is_accepted(&self) -> bool {
        self.errors.is_empty()
    }

    /// A rejection listing `errors` as given (the evaluation orders them
    /// the contract's way first).
    pub(crate) fn rejected(errors: Vec<FieldError>) -> Self {
        Self {
            code: top_code(&errors),
            entity: None,
            changed: Vec::new(),
            pending: Vec::new(),
            unique: Vec::new(),
            errors,
        }
    }
}

/// A verified field's new value, held back until 2004 confirms it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub field: String,
    pub channel: Channel,
    /// The normalized new value (E.164 for mobile numbers).
    pub value: Value,
}

/// A normalized unique value that the entity will hold (directly or as a
/// pending change) once the update commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueClaim {
    pub field: String,
    pub role: Option<Role>,
    /// E.164 for mobiles, case-folded for e-mail addresses, the string itself
    /// for other strings, canonical JSON text for other values.
    pub value: String,
}

/// One failing field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// JSON Pointer into the payload (and the merged document).
    pub pointer: String,
    pub code: &'static str,
    /// The engine's message, for developers: it names the value and the rule.
    pub message: String,
    /// The message key a person's words come from (`pactum_wire::words`):
    /// the code's catalogue key, or a value rule's (`schema.minLength`).
    pub key: &'static str,
    /// The key's parameters (`{"limit": 4}`), and the contract's own words
    /// for the field under `message` when it gives some.
    pub params: Map<String, Value>,
}

impl FieldError {
    /// An error worded by its code's catalogue key.
    pub(crate) fn new(pointer: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        let key = crate::catalogue::lookup(code).map_or("validation.failed", |entry| entry.key);
        Self { pointer: pointer.into(), code, message: message.into(), key, params: Map::new() }
    }

    /// The same error worded by a value rule's key and parameters.
    pub(crate) fn worded(mut self, key: &'static str, params: Map<String, Value>) -> Self {
        self.key = key;
        self.params = params;
        self
    }
}

/// The rule for the top-level code of a rejection: when every error carries
/// the same code, that code (a lone bad mobile is `400.3`); when they differ,
/// the generic `400`, and the per-field codes stay in `errors`.
#[must_use]
pub fn top_code(errors: &[FieldError]) -> &'static str {
    crate::catalogue::top_code(errors.iter().map(|error| error.code))
}
