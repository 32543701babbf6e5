//! 1001 create, 1003 update, 1004 deactivate: the module decides, the store
//! commits in one transaction, and the answer reports each verification.
//!
//! A dry run (`WriteMode::DryRun`, `?dryRun=true`) of a create or an update
//! goes down this same path, with the same decision, the same store steps
//! and the same answer; only the end differs: the store rolls its
//! transaction back instead of committing it, no code is drawn (the store's
//! steps get a stand-in, `codes.rs`), and the outbox worker is not woken.

use std::collections::BTreeMap;
use std::sync::Arc;

use pactum_core::wire::{WireClaim, WireDecision, WireFieldError, WireOperation};
use serde_json::Value;

use super::contract::{ContractSet, Decided, decide};
use super::input::{refuse_nul, refuse_nul_text, refuse_oversized};
use super::problem::message;
use super::view::{EntityView, write_back};
use super::{Accounts, Answer, PendingView, Problem, Target, now, rfc3339, store_fault};
use crate::apps::{AppConfig, Permission};
use crate::store::{
    Claim, Dispatch, Entity, EntityId, NewEntity, Status, StoreError, Update, VerificationRequest, WriteMode, Written,
};

/// How many times an update decides before it gives up with 503.1. A
/// decision is retried only when a write from another host (or process)
/// committed between its read and its commit; this host's own writes of the
/// entity queue instead (`queue.rs`), so the bound is reached only under
/// heavy contention across hosts.
const MAX_DECISIONS: u32 = 16;

/// Who asks for a create: an app over HTTP (codes are sent, the entity
/// starts unverified when the contract verifies a field; committed or a dry
/// run), or an operator's bulk import / seed (trusted data: no codes, the
/// given status; always committed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateMode {
    Request(WriteMode),
    Import(Status),
}

impl CreateMode {
    fn write(self) -> WriteMode {
        match self {
            Self::Request(write) => write,
            Self::Import(_) => WriteMode::Commit,
        }
    }
}

/// Who creates an entity: an app (its name goes in the audit trail, its
/// external-key type into the answer), or `pactum import`.
#[derive(Debug, Clone, Copy)]
struct Creator<'a> {
    app: &'a str,
    ext_key_type: Option<&'a str>,
}

impl Accounts {
    /// Endpoint 1001: needs `create`. `ext_key` is stored under the app's
    /// `ext_key_type` (400.24 if the app has none). `mode`: committed, or a
    /// dry run (the same answer, nothing kept; its dp-keyid is not reserved).
    pub async fn create(
        &self,
        app: &AppConfig,
        contract: Option<&str>,
        payload: Value,
        ext_key: Option<String>,
        mode: WriteMode,
    ) -> Result<Answer, Problem> {
        let (contract_id, set) = self.contract_for(app, Permission::Create, contract)?;
        if let Some(key) = &ext_key {
            refuse_nul_text("external key", key)?;
        }
        let ext_keys = match (ext_key, &app.ext_key_type) {
            (None, _) => BTreeMap::new(),
            (Some(key), Some(kind)) if !key.is_empty() => BTreeMap::from([(kind.clone(), key)]),
            (Some(_), _) => {
                return Err(Problem::new("400.24")
                    .detail(format!("app `{}` has no external-key type, or the key is empty", app.name)));
            }
        };
        let contract_id = contract_id.to_owned();
        let creator = Creator { app: &app.name, ext_key_type: app.ext_key_type.as_deref() };
        self.create_in(set, creator, &contract_id, payload, ext_keys, CreateMode::Request(mode)).await
    }

    /// Creates an entity through `contract` without an app: for `pactum
    /// import` and the demo seed. The same module decides.
    pub async fn import(
        &self,
        contract: &str,
        payload: Value,
        ext_keys: BTreeMap<String, String>,
        status: Status,
    ) -> Result<Answer, Problem> {
        let set = self.current();
        set.require(contract)?;
        for (ext_type, ext_key) in &ext_keys {
            refuse_nul_text("external-key type", ext_type)?;
            refuse_nul_text("external key", ext_key)?;
        }
        let creator = Creator { app: "import", ext_key_type: None };
        self.create_in(set, creator, contract, payload, ext_keys, CreateMode::Import(status)).await
    }

    async fn create_in(
        &self,
        set: Arc<ContractSet>,
        creator: Creator<'_>,
        contract: &str,
        payload: Value,
        ext_keys: BTreeMap<String, String>,
        mode: CreateMode,
    ) -> Result<Answer, Problem> {
        refuse_nul(&payload)?;
        let Decided { decision, module_sha256 } =
            decide(&set, contract, WireOperation::Create, Value::Null, payload).await?;
        let (merged, decision) = accepted(decision, &module_sha256)?;
        let fields = set.fields(contract);
        let data = write_back(&Value::Null, fields, &merged);
        refuse_oversized(&data, self.max_entity_bytes)?;
        let (status, verifications) = match mode {
            CreateMode::Request(_) if decision.pending.is_empty() => (Status::Active, Vec::new()),
            CreateMode::Request(_) => {
                (Status::Unverified, decision.pending.iter().cloned().map(VerificationRequest::from).collect())
            }
            CreateMode::Import(status) => (status, Vec::new()),
        };
        let now = now();
        let new = NewEntity {
            app: creator.app.to_owned(),
            now,
            status,
            data,
            ext_keys,
            unique: decision.unique.iter().cloned().map(Claim::from).collect(),
            verifications,
        };
        let write = mode.write();
        let written = self
            .store
            .create_as(new, self.codes.issuer_for(now, write).as_ref(), write)
            .await
            .map_err(|error| write_problem(error, &decision.unique, None))?;
        Ok(self.answer(written, fields, creator.ext_key_type, module_sha256, true, write))
    }

    /// Endpoint 1003: needs `update`. `if_match` is the version an `If-Match` named.
    ///
    /// The module decides on the entity as read, and the store commits only
    /// onto that same version. When another write committed in between, the
    /// decision is stale: without `If-Match` the update re-reads and decides
    /// again (at most [`MAX_DECISIONS`] times, then 503.1); with `If-Match`
    /// the named version is gone, which is 409.1.
    ///
    /// `mode`: committed, or a dry run, which takes the same turn in the
    /// entity's queue, decides and runs the store's steps alike (re-deciding
    /// alike when overtaken) and answers the same, with nothing kept.
    pub async fn update(
        &self,
        app: &AppConfig,
        target: &Target,
        contract: Option<&str>,
        payload: Value,
        if_match: Option<i64>,
        mode: WriteMode,
    ) -> Result<Answer, Problem> {
        let (contract_id, set) = self.contract_for(app, Permission::Update, contract)?;
        refuse_nul(&payload)?;
        let id = self.id_of(target).await?;
        let _queued = self.queue.enter(id).await;
        let fields = set.fields(contract_id);
        for attempt in 1..=MAX_DECISIONS {
            let entity = self.load(target, id).await?;
            if entity.status == Status::Inactive {
                return Err(inactive(&entity));
            }
            if let Some(expected) = if_match.filter(|expected| *expected != entity.version) {
                return Err(version_mismatch(entity.version, expected));
            }
            let current = Value::Object(super::view::project(&entity.data, fields));
            let Decided { decision, module_sha256 } =
                decide(&set, contract_id, WireOperation::Update, current, payload.clone()).await?;
            let (merged, decision) = accepted(decision, &module_sha256)?;
            let data = write_back(&entity.data, fields, &merged);
            refuse_oversized(&data, self.max_entity_bytes)?;
            let now = now();
            let update = Update {
                entity: entity.id,
                app: app.name.clone(),
                now,
                decided_on: entity.version,
                data,
                changed: decision.changed.clone(),
                unique: decision.unique.iter().cloned().map(Claim::from).collect(),
                verifications: decision.pending.iter().cloned().map(VerificationRequest::from).collect(),
            };
            match self.store.update_as(update, self.codes.issuer_for(now, mode).as_ref(), mode).await {
                Ok(written) => {
                    return Ok(self.answer(written, fields, app.ext_key_type.as_deref(), module_sha256, false, mode));
                }
                Err(StoreError::VersionMismatch { current }) if if_match.is_none() => {
                    tracing::debug!(entity = id, decided_on = entity.version, current, attempt, "decision overtaken");
                    metrics::counter!(crate::telemetry::REDECISIONS).increment(1);
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(error) => return Err(write_problem(error, &decision.unique, Some(target))),
            }
        }
        tracing::warn!(entity = id, attempts = MAX_DECISIONS, "update gave up: the entity kept changing");
        Err(Problem::new("503.1")
            .detail(format!("entity {id} changed under {MAX_DECISIONS} decisions in a row; nothing was changed"))
            .retry_after(1))
    }

    /// Endpoint 1004: needs `delete`. Sets the status to inactive (values stay, and
    /// keep their unique claims); pending changes are cancelled. Idempotent.
    pub async fn deactivate(&self, app: &AppConfig, target: &Target, if_match: Option<i64>) -> Result<Answer, Problem> {
        let (contract_id, set) = self.contract_for(app, Permission::Delete, None)?;
        let registered = set.require(contract_id)?;
        let id = self.id_of(target).await?;
        let _queued = self.queue.enter(id).await;
        // The store reads, checks and writes the entity in one transaction:
        // there is no decision made outside it to go stale.
        let entity = self
            .store
            .deactivate(id, &app.name, now(), if_match)
            .await
            .map_err(|error| write_problem(error, &[], Some(target)))?;
        let code = "200";
        Ok(Answer {
            code,
            message: message(code),
            entity: EntityView::of(&entity, set.fields(contract_id), app.ext_key_type.as_deref()),
            pending: Vec::new(),
            version: entity.version,
            retry_after: None,
            module_sha256: registered.module.sha256().to_owned(),
        })
    }

    /// The answer to a committed write (or to a dry run, alike): the sub
    /// code follows what became of the verifications (any sent: 200.1; else
    /// a limit: 200.2; else a cooldown: 200.3), and `Retry-After` is the
    /// longest wait. Only a committed write that queued a code wakes the
    /// outbox worker: a dry run's outbox rows were rolled back.
    fn answer(
        &self,
        written: Written,
        fields: &std::collections::BTreeSet<String>,
        ext_key_type: Option<&str>,
        module_sha256: String,
        created: bool,
        mode: WriteMode,
    ) -> Answer {
        let dispatches: Vec<Dispatch> = written.verifications.iter().map(|field| field.dispatch).collect();
        let queued = dispatches.iter().any(|dispatch| matches!(dispatch, Dispatch::Dispatched { .. }));
        if queued && mode == WriteMode::Commit {
            self.outbox.notify_one();
        }
        let code = match (created, dispatches.as_slice()) {
            (true, []) => "201",
            (true, _) => "201.1",
            (false, all) if all.iter().any(|d| matches!(d, Dispatch::Dispatched { .. })) => "200.1",
            (false, all) if all.iter().any(|d| matches!(d, Dispatch::LimitReached { .. })) => "200.2",
            (false, all) if all.iter().any(|d| matches!(d, Dispatch::Cooldown { .. })) => "200.3",
            (false, _) => "200",
        };
        let cooldown = self.codes.policy().cooldown_secs;
        let pending: Vec<PendingView> = written
            .verifications
            .iter()
            .map(|field| {
                let (expires_at, retry_after) = match field.dispatch {
                    Dispatch::Dispatched { expires_at } => (Some(rfc3339(expires_at)), cooldown),
                    Dispatch::LimitReached { retry_after } | Dispatch::Cooldown { retry_after } => (None, retry_after),
                };
                PendingView { field: field.field.clone(), channel: field.channel, expires_at, retry_after }
            })
            .collect();
        let retry_after = matches!(code, "200.2" | "200.3")
            .then(|| pending.iter().filter(|view| view.expires_at.is_none()).map(|view| view.retry_after).max())
            .flatten();
        Answer {
            code,
            message: message(code),
            entity: EntityView::of(&written.entity, fields, ext_key_type),
            pending,
            version: written.entity.version,
            retry_after,
            module_sha256,
        }
    }
}

/// The merged entity of an accepted decision, or the rejection as a problem
/// with every failing field (spec rule 6).
fn accepted(decision: WireDecision, module_sha256: &str) -> Result<(Value, WireDecision), Problem> {
    if !decision.errors.is_empty() {
        return Err(Problem::new(&decision.code).errors(decision.errors).module(module_sha256));
    }
    match decision.entity.clone() {
        Some(entity) => Ok((entity, decision)),
        None => Err(Problem::new("500.1").detail("the module accepted the call but answered no entity")),
    }
}

/// Maps a store refusal to its answer. A taken unique value is 400.2
/// (e-mail), 400.4 / 400.5 (mobile, by the holder's status) or 400.14.
pub(super) fn write_problem(error: StoreError, claims: &[WireClaim], target: Option<&Target>) -> Problem {
    match error {
        StoreError::NotFound => match target {
            Some(target) => target.not_found(),
            None => Problem::internal(&"an entity vanished during its own write"),
        },
        StoreError::VersionMismatch { current } => {
            Problem::new("409.1").detail(format!("the entity is at version {current}; re-read it and retry"))
        }
        StoreError::Inactive => Problem::new("409.3").detail("the entity is deactivated"),
        StoreError::UniqueTaken { field, holder_id, holder_status } => {
            let role =
                claims.iter().find(|claim| claim.field == field).and_then(|claim| claim.role.map(|role| role.as_str()));
            taken(&field, role, holder_id, holder_status)
        }
        StoreError::ExtKeyTaken { ext_type, ext_key } => Problem::new("409.2")
            .detail(format!("the external key `{ext_key}` of type `{ext_type}` belongs to another entity")),
        other => store_fault(&other),
    }
}

fn inactive(entity: &Entity) -> Problem {
    Problem::new("409.3").detail(format!("entity {} is deactivated", entity.id))
}

fn version_mismatch(current: i64, expected: i64) -> Problem {
    Problem::new("409.1").detail(format!("the entity is at version {current}, not {expected}; re-read it and retry"))
}

/// A short, jittered pause before deciding again, growing with the attempt,
/// so writers on several hosts that collided do not collide again in step.
fn backoff(attempt: u32) -> std::time::Duration {
    let jitter = getrandom::u32().unwrap_or(0) % 4;
    std::time::Duration::from_millis(u64::from(attempt.saturating_mul(2).saturating_add(jitter)))
}

/// The answer for a unique value held by another entity.
pub(super) fn taken(field: &str, role: Option<&str>, holder: EntityId, holder_status: Status) -> Problem {
    let code = match (role, holder_status) {
        (Some("email"), _) => "400.2",
        (Some("mobile"), Status::Inactive) => "400.5",
        (Some("mobile"), _) => "400.4",
        _ => "400.14",
    };
    tracing::debug!(field, holder, "unique value taken");
    let pointer = format!("/{}", field.replace('~', "~0").replace('/', "~1"));
    Problem::new(code).errors(vec![WireFieldError::new(pointer, code, message(code))])
}
