//! What the cases build their requests from.

use std::collections::BTreeMap;

use pactum_core::Channel;
use pactum_host::store::{
    Claim, CodeIssuer, CodeMatcher, Dispatch, EntityId, IssuedCode, NewEntity, NoCodes, Status, Store, StoreError,
    Timestamp, Update, VerificationPolicy, VerificationRequest, Written,
};
use serde_json::{Value, json};

pub const T0: Timestamp = 1_800_000_000;
pub const APP: &str = "webshop";
pub const POLICY: VerificationPolicy = VerificationPolicy {
    cooldown_secs: 120,
    window_secs: 86_400,
    window_limit: 5,
    code_ttl_secs: 600,
    max_attempts: 3,
};

/// Test codes: the "hash" is the entity, field and code spelled out, which
/// is enough to tell codes apart; real hashing is the caller's business.
pub struct Codes(pub &'static str);

fn digest(entity: EntityId, field: &str, code: &str) -> Vec<u8> {
    format!("{entity}/{field}/{code}").into_bytes()
}

impl CodeIssuer for Codes {
    fn issue(&self, entity: EntityId, request: &VerificationRequest) -> Result<IssuedCode, StoreError> {
        Ok(IssuedCode {
            code_hash: digest(entity, &request.field, self.0),
            payload: format!("sealed:{}", request.recipient).into_bytes(),
        })
    }
}

impl CodeMatcher for Codes {
    fn matches(&self, entity: EntityId, field: &str, code_hash: &[u8]) -> bool {
        digest(entity, field, self.0) == code_hash
    }
}

pub fn claims(pairs: &[(&str, &str)]) -> Vec<Claim> {
    pairs.iter().map(|(field, value)| Claim { field: (*field).to_owned(), value: (*value).to_owned() }).collect()
}

pub fn sms(value: &str) -> VerificationRequest {
    VerificationRequest {
        field: "mobile".to_owned(),
        channel: Channel::Sms,
        value: json!(value),
        recipient: value.to_owned(),
    }
}

pub fn new_entity(data: Value, unique: &[(&str, &str)]) -> NewEntity {
    NewEntity {
        app: APP.to_owned(),
        now: T0,
        status: Status::Active,
        data,
        ext_keys: BTreeMap::new(),
        unique: claims(unique),
        verifications: Vec::new(),
    }
}

pub async fn create(store: &dyn Store, data: Value, unique: &[(&str, &str)]) -> EntityId {
    store.create(new_entity(data, unique), &NoCodes).await.unwrap().entity.id
}

/// Runs `update` on the entity's current version, as the service does: it
/// reads the entity, decides, and commits onto the version it read.
pub async fn update_current(
    store: &dyn Store,
    mut update: Update,
    codes: &dyn CodeIssuer,
) -> Result<Written, StoreError> {
    if let Ok(entity) = store.get(update.entity).await {
        update.decided_on = entity.version;
    }
    store.update(update, codes).await
}

pub fn update(entity: EntityId, now: Timestamp, data: Value, changed: &[&str], unique: &[(&str, &str)]) -> Update {
    Update {
        entity,
        app: APP.to_owned(),
        now,
        // Set by `update_current` (or by the test) to the version it applies to.
        decided_on: 0,
        data,
        changed: changed.iter().map(|pointer| (*pointer).to_owned()).collect(),
        unique: claims(unique),
        verifications: Vec::new(),
    }
}

/// An update that asks for a new mobile number: held back in the data,
/// claimed as a pending value, verified by SMS.
pub fn mobile_change(entity: EntityId, now: Timestamp, data: Value, mobile: &str) -> Update {
    Update { verifications: vec![sms(mobile)], ..update(entity, now, data, &[], &[("mobile", mobile)]) }
}

pub fn dispatch(written: &Written) -> Option<Dispatch> {
    written.verifications.first().map(|field| field.dispatch)
}

pub fn holder(error: StoreError) -> (String, EntityId, Status) {
    match error {
        StoreError::UniqueTaken { field, holder_id, holder_status } => (field, holder_id, holder_status),
        other => (format!("not a conflict: {other}"), 0, Status::Active),
    }
}
