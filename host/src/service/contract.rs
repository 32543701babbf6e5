//! Running a contract's module for a request, and what a contract shows.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use pactum_core::wire::{Call, Outcome, WireDecision, WireOperation};
use serde_json::Value;

use crate::http::Problem;
use crate::registry::Registry;

/// The top-level fields a contract shows and may change: the names under
/// its `properties`. Other members of an entity's data belong to other
/// contracts; they are kept, and never shown or handed to this module.
#[must_use]
pub fn fields_of(schema: &Value) -> BTreeSet<String> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

/// Each registered contract's fields, computed once.
#[derive(Debug, Default)]
pub(super) struct ContractFields(BTreeMap<String, BTreeSet<String>>);

impl ContractFields {
    pub fn of(registry: &Registry) -> Self {
        Self(
            registry
                .ids()
                .filter_map(|id| registry.get(id).map(|contract| (id.to_owned(), fields_of(&contract.document.schema))))
                .collect(),
        )
    }

    pub fn get(&self, contract: &str) -> &BTreeSet<String> {
        static NONE: BTreeSet<String> = BTreeSet::new();
        self.0.get(contract).unwrap_or(&NONE)
    }
}

/// What the module decided, and which module decided it.
pub(super) struct Decided {
    pub decision: WireDecision,
    pub module_sha256: String,
}

/// Runs `operation` on (current, payload) in the contract's module, on a
/// blocking thread: a module call is CPU work bounded by fuel and deadline,
/// and must not stall the async workers.
///
/// A module that fails (trap, fuel, deadline, memory, a malformed answer)
/// is 500.1: the request fails clearly, nothing is committed, and the
/// failed instance is dropped by the runtime.
pub(super) async fn decide(
    registry: &Arc<Registry>,
    contract: &str,
    operation: WireOperation,
    current: Value,
    payload: Value,
) -> Result<Decided, Problem> {
    let registry = Arc::clone(registry);
    let id = contract.to_owned();
    let call = Call { contract: None, contract_ref: None, operation, current, payload, context: Some(context()) };
    let ran = tokio::task::spawn_blocking(move || {
        let registered = registry.get(&id).ok_or_else(|| Problem::new("404.3"))?;
        let sha256 = registered.module.sha256().to_owned();
        let started = std::time::Instant::now();
        let evaluated = registered.evaluate(call);
        metrics::histogram!(crate::telemetry::MODULE_CALL_DURATION, "contract" => id.clone())
            .record(started.elapsed().as_secs_f64());
        evaluated.map(|outcome| (outcome, sha256)).map_err(|error| {
            tracing::warn!(contract = %id, kind = error.kind(), %error, "contract module failed");
            metrics::counter!(crate::telemetry::MODULE_FAILURES, "kind" => error.kind()).increment(1);
            Problem::new("500.1").detail(error.to_string())
        })
    })
    .await
    .map_err(|error| Problem::internal(&error))??;
    match ran {
        (Outcome::Decision(decision), module_sha256) => Ok(Decided { decision, module_sha256 }),
        (Outcome::Failure(failure), _) => {
            tracing::warn!(contract, code = %failure.code, message = %failure.message, "contract module refused the call");
            Err(Problem::new("500.1").detail(format!("the module refused the call: {}", failure.message)))
        }
        (Outcome::Loaded(_), _) => Err(Problem::new("500.1").detail("the module answered a load to an evaluate call")),
    }
}

/// Facts a module cannot know itself (it has no clock): today's date, UTC.
fn context() -> Value {
    let today = time::OffsetDateTime::now_utc().date();
    let text = today.format(&time::macros::format_description!("[year]-[month]-[day]")).unwrap_or_default();
    serde_json::json!({ "today": text })
}
