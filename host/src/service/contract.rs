//! Running a contract's module for a request, and what a contract shows.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use pactum_core::wire::{Call, Outcome, WireDecision, WireOperation};
use serde_json::Value;

use super::{Accounts, Problem};
use crate::registry::{RegisteredContract, Registry};

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
struct ContractFields(BTreeMap<String, BTreeSet<String>>);

/// One loaded set of contracts and what the service derives from it. A
/// request takes the current set once and decides with it to the end, so a
/// reload (`Accounts::replace_contracts`) never changes the module under a
/// request in flight.
#[derive(Debug, Default)]
pub(super) struct ContractSet {
    registry: Registry,
    fields: ContractFields,
}

impl ContractSet {
    pub fn new(registry: Registry) -> Self {
        for id in registry.ids().filter(|id| registry.get(id).is_some_and(|contract| contract.shadow.is_some())) {
            super::shadow::announce(id);
        }
        let fields = ContractFields(
            registry
                .ids()
                .filter_map(|id| registry.get(id).map(|contract| (id.to_owned(), fields_of(&contract.document.schema))))
                .collect(),
        );
        Self { registry, fields }
    }

    pub fn get(&self, id: &str) -> Option<&Arc<RegisteredContract>> {
        self.registry.get(id)
    }

    /// The contract `id`, or 404.3.
    pub fn require(&self, id: &str) -> Result<&Arc<RegisteredContract>, Problem> {
        self.get(id).ok_or_else(|| Problem::new("404.3").detail(format!("no contract has the id `{id}`")))
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.registry.ids()
    }

    /// The top-level fields of contract `id` (none for an unknown id).
    pub fn fields(&self, id: &str) -> &BTreeSet<String> {
        static NONE: BTreeSet<String> = BTreeSet::new();
        self.fields.0.get(id).unwrap_or(&NONE)
    }
}

/// The registered contracts, for the public routes that publish them.
impl Accounts {
    #[must_use]
    pub fn contract(&self, id: &str) -> Option<Arc<RegisteredContract>> {
        self.current().get(id).cloned()
    }

    /// Every contract with its id, in id order.
    #[must_use]
    pub fn contracts(&self) -> Vec<(String, Arc<RegisteredContract>)> {
        let set = self.current();
        set.ids().filter_map(|id| set.get(id).map(|contract| (id.to_owned(), Arc::clone(contract)))).collect()
    }

    /// A contract whose module has this hex SHA-256 (modules are shared, so any one).
    #[must_use]
    pub fn contract_by_module(&self, sha256: &str) -> Option<Arc<RegisteredContract>> {
        self.contracts().into_iter().map(|(_, contract)| contract).find(|contract| contract.module.sha256() == sha256)
    }

    /// Serves `registry` from now on. Requests already running finish on
    /// the set they started with; the old modules go when the last of them
    /// does.
    pub fn replace_contracts(&self, registry: Registry) {
        self.contracts.store(Arc::new(ContractSet::new(registry)));
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
    set: &Arc<ContractSet>,
    contract: &str,
    operation: WireOperation,
    current: Value,
    payload: Value,
) -> Result<Decided, Problem> {
    let set = Arc::clone(set);
    let id = contract.to_owned();
    let call = Call { contract: None, contract_ref: None, operation, current, payload, context: Some(context()) };
    let ran = tokio::task::spawn_blocking(move || {
        let registered = set.require(&id)?;
        let sha256 = registered.module.sha256().to_owned();
        let shadow_call = registered.shadow.as_ref().map(|_| call.clone());
        let started = std::time::Instant::now();
        let evaluated = registered.evaluate(call);
        metrics::histogram!(crate::telemetry::MODULE_CALL_DURATION, "contract" => id.clone())
            .record(started.elapsed().as_secs_f64());
        if let (Some(shadow_call), Ok(outcome)) = (shadow_call, &evaluated) {
            super::shadow::compare_later(&id, registered, shadow_call, outcome);
        }
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
