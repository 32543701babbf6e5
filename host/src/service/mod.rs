//! The account service: endpoints 1001-1004 and 2004 as plain async calls,
//! with no HTTP types. It joins the pieces in the order the spec implies:
//! the app's permission and contract, the entity, the contract module's
//! decision (authoritative for validation), then one store transaction
//! (uniqueness, versions, verification limits, the outbox).
//!
//! Errors are [`Problem`]s carrying catalogue codes (`problem.rs`), so the
//! HTTP layer only renders them. The service names no HTTP type, and is the
//! HTTP layer's one way to the store and the registry (`ops.rs`, the
//! contract lookups in `contract.rs`).

mod codes;
mod contract;
mod input;
mod ops;
mod problem;
mod queue;
mod read;
mod shadow;
mod verify;
mod view;
mod write;

use std::sync::Arc;

use pactum_core::Channel;
use serde::Serialize;
use tokio::sync::Notify;

/// What the service's callers name of the layers below it (an entity's
/// id and status, a contract as `/contracts` shows it), so that they reach
/// neither the store nor the registry themselves.
pub use crate::registry::RegisteredContract;
pub use crate::store::{EntityId, Status, WriteMode};
pub use codes::CodeBook;
pub use contract::fields_of;
pub use problem::Problem;
pub use view::EntityView;
pub use write::CreateMode;

use crate::apps::{AppConfig, Permission};
use crate::registry::Registry;
use crate::store::{Entity, Store, StoreError, Timestamp};
use arc_swap::ArcSwap;
use contract::ContractSet;

/// How a request names its entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    DpKeyid(EntityId),
    ExtKey { ext_key: String, ext_type: String },
}

impl Target {
    /// A store's `NotFound` for this target, or a fault.
    fn missing_or_fault(&self, error: StoreError) -> Problem {
        match error {
            StoreError::NotFound => self.not_found(),
            other => store_fault(&other),
        }
    }

    /// 404.1 or 404.2, by how the entity was named.
    fn not_found(&self) -> Problem {
        match self {
            Self::DpKeyid(id) => Problem::new("404.1").detail(format!("no entity has dp-keyid {id}")),
            Self::ExtKey { ext_key, ext_type } => {
                Problem::new("404.2").detail(format!("no entity has the external key `{ext_key}` of type `{ext_type}`"))
            }
        }
    }
}

/// The service. Cheap to share: everything inside is behind `Arc`s.
#[derive(Debug, Clone)]
pub struct Accounts {
    /// The contracts requests decide with, swapped whole on reload.
    contracts: Arc<ArcSwap<ContractSet>>,
    store: Arc<dyn Store>,
    codes: Arc<CodeBook>,
    /// Woken after a commit that queued a message, so the outbox worker
    /// sends it now rather than at its next poll.
    outbox: Arc<Notify>,
    /// This host's writes of one entity run one at a time (`queue.rs`).
    queue: Arc<queue::WriteQueue>,
    /// The largest entity data a write may store, in bytes (the body limit).
    max_entity_bytes: usize,
}

/// A successful answer of 1001-1004.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Answer {
    /// The sub code: 200, 200.1-200.3, 201, 201.1.
    pub code: &'static str,
    pub message: &'static str,
    /// The entity as the contract shows it.
    pub entity: EntityView,
    /// The verifications the request asked for, one per field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pending: Vec<PendingView>,
    /// The entity's version: the ETag.
    #[serde(skip)]
    pub version: i64,
    /// Seconds until a refused verification may be asked again (`Retry-After`).
    #[serde(skip)]
    pub retry_after: Option<i64>,
    /// The hex SHA-256 of the module that decided (`Pactum-Module`).
    #[serde(skip)]
    pub module_sha256: String,
}

/// One verified field's state after a write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingView {
    pub field: String,
    pub channel: Channel,
    /// When the code stops working (RFC 3339); only when one was sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Seconds until another code may be requested.
    pub retry_after: i64,
}

impl Accounts {
    #[must_use]
    pub fn new(
        registry: Registry,
        store: Arc<dyn Store>,
        codes: Arc<CodeBook>,
        outbox: Arc<Notify>,
        max_entity_bytes: usize,
    ) -> Self {
        let contracts = Arc::new(ArcSwap::from_pointee(ContractSet::new(registry)));
        let queue = Arc::new(queue::WriteQueue::default());
        Self { contracts, store, codes, outbox, queue, max_entity_bytes }
    }

    #[must_use]
    pub fn codes(&self) -> &Arc<CodeBook> {
        &self.codes
    }

    /// The contract set requests decide with now.
    fn current(&self) -> Arc<ContractSet> {
        self.contracts.load_full()
    }

    /// The contract a request names (or the app's default), after checking
    /// the app holds `permission` (412) and may use the contract (412.1),
    /// with the set it belongs to: the request decides with that set to the
    /// end.
    fn contract_for<'a>(
        &self,
        app: &'a AppConfig,
        permission: Permission,
        contract_id: Option<&'a str>,
    ) -> Result<(&'a str, Arc<ContractSet>), Problem> {
        require(app, permission)?;
        let id = contract_id.unwrap_or(&app.default_contract);
        let set = self.current();
        set.require(id)?;
        if !app.may_use(id) {
            return Err(Problem::new("412.1").detail(format!("app `{}` may not use contract `{id}`", app.name)));
        }
        Ok((id, set))
    }

    /// Loads the entity a target names; 404.1 / 404.2 when there is none,
    /// 400.25 when an external key holds a NUL.
    async fn find(&self, target: &Target) -> Result<Entity, Problem> {
        let found = match target {
            Target::DpKeyid(id) => self.store.get(*id).await,
            Target::ExtKey { ext_key, ext_type } => {
                input::refuse_nul_text("external key", ext_key)?;
                input::refuse_nul_text("external-key type", ext_type)?;
                self.store.find_by_ext_key(ext_type, ext_key).await
            }
        };
        found.map_err(|error| target.missing_or_fault(error))
    }

    /// The dp-keyid a target names (a lookup only for an external key).
    async fn id_of(&self, target: &Target) -> Result<EntityId, Problem> {
        match target {
            Target::DpKeyid(id) => Ok(*id),
            Target::ExtKey { .. } => Ok(self.find(target).await?.id),
        }
    }

    /// Reads the entity `target` resolved to as `id`, as it is now.
    async fn load(&self, target: &Target, id: EntityId) -> Result<Entity, Problem> {
        self.store.get(id).await.map_err(|error| target.missing_or_fault(error))
    }
}

/// 412 unless the app holds `permission`.
fn require(app: &AppConfig, permission: Permission) -> Result<(), Problem> {
    if app.may(permission) {
        Ok(())
    } else {
        Err(Problem::new("412").detail(format!("app `{}` lacks the `{}` permission", app.name, permission.as_str())))
    }
}

/// A store failure that is not the client's doing: logged, answered 500.
fn store_fault(error: &StoreError) -> Problem {
    Problem::internal(error)
}

/// Seconds since the Unix epoch: the one clock of the service.
#[must_use]
pub fn now() -> Timestamp {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub use crate::delivery::rfc3339;
