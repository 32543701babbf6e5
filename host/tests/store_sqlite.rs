//! The SQLite store against a real database file in a temporary directory:
//! atomic updates, uniqueness over current and pending values (also under
//! concurrency), the verification limits and checks, the outbox, and a
//! reopen. Times are injected, so every rule is tested to the second.

#![expect(clippy::unwrap_used, clippy::unreachable, reason = "test code: a failure should stop the test")]

use std::collections::BTreeMap;
use std::sync::Arc;

use pactum_core::wire::{WireClaim, WirePending};
use pactum_host::store::{
    self, Claim, CodeIssuer, CodeMatcher, Dispatch, EntityId, IssuedCode, NewEntity, NoCodes, SqliteStore, Status,
    Store, StoreError, Timestamp, Update, VerificationPolicy, VerificationRequest, VerifyOutcome, Written,
};
use serde_json::{Value, json};
use sqlx::SqlitePool;
use tempfile::TempDir;

const T0: Timestamp = 1_800_000_000;
const APP: &str = "webshop";
const POLICY: VerificationPolicy = VerificationPolicy {
    cooldown_secs: 120,
    window_secs: 86_400,
    window_limit: 5,
    code_ttl_secs: 600,
    max_attempts: 3,
};

fn url(dir: &TempDir) -> String {
    format!("sqlite://{}?mode=rwc", dir.path().join("pactum.db").display())
}

async fn open(dir: &TempDir) -> SqliteStore {
    SqliteStore::open(&url(dir), POLICY).await.unwrap()
}

/// A second, plain connection to the same file, to look at what the store's
/// API does not show (audit, outbox, holds).
async fn raw(dir: &TempDir) -> SqlitePool {
    SqlitePool::connect(&url(dir)).await.unwrap()
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Test codes: the "hash" is the entity, field and code spelled out, which
/// is enough to tell codes apart; real hashing is the caller's business.
struct Codes(&'static str);

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

fn claims(pairs: &[(&str, &str)]) -> Vec<Claim> {
    pairs.iter().map(|(field, value)| Claim { field: (*field).to_owned(), value: (*value).to_owned() }).collect()
}

fn sms(value: &str) -> VerificationRequest {
    VerificationRequest {
        field: "mobile".to_owned(),
        channel: "sms".to_owned(),
        value: json!(value),
        recipient: value.to_owned(),
    }
}

fn new_entity(data: Value, unique: &[(&str, &str)]) -> NewEntity {
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

async fn create(store: &dyn Store, data: Value, unique: &[(&str, &str)]) -> EntityId {
    store.create(new_entity(data, unique), &NoCodes).await.unwrap().entity.id
}

fn update(entity: EntityId, now: Timestamp, data: Value, changed: &[&str], unique: &[(&str, &str)]) -> Update {
    Update {
        entity,
        app: APP.to_owned(),
        now,
        expected_version: None,
        data,
        changed: changed.iter().map(|pointer| (*pointer).to_owned()).collect(),
        unique: claims(unique),
        verifications: Vec::new(),
    }
}

/// An update that asks for a new mobile number: held back in the data,
/// claimed as a pending value, verified by SMS.
fn mobile_change(entity: EntityId, now: Timestamp, data: Value, mobile: &str) -> Update {
    Update { verifications: vec![sms(mobile)], ..update(entity, now, data, &[], &[("mobile", mobile)]) }
}

fn dispatch(written: &Written) -> Option<Dispatch> {
    written.verifications.first().map(|field| field.dispatch)
}

fn holder(error: StoreError) -> (String, EntityId, Status) {
    match error {
        StoreError::UniqueTaken { field, holder_id, holder_status } => (field, holder_id, holder_status),
        other => (format!("not a conflict: {other}"), 0, Status::Active),
    }
}

#[tokio::test]
async fn entities_are_created_and_read_by_id_and_external_key() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let mut new = new_entity(json!({"name": "Ada", "email": "ada@example.com"}), &[("email", "ada@example.com")]);
    new.ext_keys.insert("crm".to_owned(), "C-1".to_owned());
    let created = store.create(new.clone(), &NoCodes).await.unwrap();
    let entity = created.entity;
    assert_eq!(entity.status, Status::Active);
    assert_eq!(entity.version, 1);
    assert_eq!(entity.data, json!({"name": "Ada", "email": "ada@example.com"}));
    assert_eq!(entity.ext_keys.get("crm").map(String::as_str), Some("C-1"));
    assert_eq!((entity.created_at, entity.updated_at), (T0, T0));

    assert_eq!(store.get(entity.id).await.unwrap(), entity);
    assert_eq!(store.find_by_ext_key("crm", "C-1").await.unwrap(), entity);
    assert!(matches!(store.get(entity.id + 100).await, Err(StoreError::NotFound)));
    assert!(matches!(store.find_by_ext_key("crm", "C-2").await, Err(StoreError::NotFound)));
    assert!(matches!(store.find_by_ext_key("erp", "C-1").await, Err(StoreError::NotFound)));

    // The same external key again: refused, and nothing of the second
    // entity is stored (its e-mail stays free).
    new.unique = claims(&[("email", "other@example.com")]);
    let taken = store.create(new, &NoCodes).await.unwrap_err();
    assert!(
        matches!(taken, StoreError::ExtKeyTaken { ref ext_type, ref ext_key } if ext_type == "crm" && ext_key == "C-1")
    );
    let second = create(&store, json!({"email": "other@example.com"}), &[("email", "other@example.com")]).await;
    assert!(second > entity.id);

    // A unique value taken at create time.
    let clash = store.create(new_entity(json!({}), &[("email", "ada@example.com")]), &NoCodes).await.unwrap_err();
    assert_eq!(holder(clash), ("email".to_owned(), entity.id, Status::Active));

    let invalid = store.create(new_entity(json!(["not", "an", "object"]), &[]), &NoCodes).await;
    assert!(matches!(invalid, Err(StoreError::Invalid(_))));
}

#[tokio::test]
async fn an_update_commits_data_holds_outbox_and_audit_together() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let pool = raw(&dir).await;
    let before = json!({"name": "Ada", "email": "ada@example.com", "mobile": "+4511111111"});
    let id = create(&store, before, &[("email", "ada@example.com"), ("mobile", "+4511111111")]).await;

    // New name and e-mail (plain unique field) at once, new mobile pending.
    let data = json!({"name": "Ada L.", "email": "ada@lovelace.org", "mobile": "+4511111111"});
    let mut change = mobile_change(id, T0 + 10, data.clone(), "+4522222222");
    change.changed = vec!["/email".to_owned(), "/name".to_owned()];
    change.unique = claims(&[("email", "ada@lovelace.org"), ("mobile", "+4522222222")]);
    let written = store.update(change, &Codes("1234")).await.unwrap();
    assert_eq!(written.entity.data, data);
    assert_eq!(written.entity.version, 2);
    assert_eq!(written.entity.updated_at, T0 + 10);
    assert_eq!(dispatch(&written), Some(Dispatch::Dispatched { expires_at: T0 + 10 + 600 }));

    let audit: (String, String, String, i64) =
        sqlx::query_as("SELECT app, fields, pending, at FROM audit WHERE action = 'update' AND entity_id = ?")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(audit, (APP.to_owned(), r#"["/email","/name"]"#.to_owned(), r#"["/mobile"]"#.to_owned(), T0 + 10));
    let outbox: (String, String, Vec<u8>) =
        sqlx::query_as("SELECT channel, recipient, payload FROM outbox WHERE entity_id = ?")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(outbox, ("sms".to_owned(), "+4522222222".to_owned(), b"sealed:+4522222222".to_vec()));
    let holds: Vec<(String, String, bool)> =
        sqlx::query_as("SELECT field, value, pending FROM unique_values WHERE entity_id = ? ORDER BY field, value")
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        holds,
        vec![
            ("email".to_owned(), "ada@lovelace.org".to_owned(), false),
            ("mobile".to_owned(), "+4511111111".to_owned(), false),
            ("mobile".to_owned(), "+4522222222".to_owned(), true),
        ]
    );
    // The old e-mail is free again.
    create(&store, json!({}), &[("email", "ada@example.com")]).await;

    // A failure late in the transaction (the code issuer, after the e-mail
    // was claimed) leaves no trace: no data, no hold, no audit, no outbox.
    let failing = |_: EntityId, _: &VerificationRequest| -> Result<IssuedCode, StoreError> {
        Err(StoreError::CodeIssue("no entropy".to_owned()))
    };
    let mut change = mobile_change(id, T0 + 500, json!({"name": "X", "email": "x@example.com"}), "+4533333333");
    change.unique = claims(&[("email", "x@example.com"), ("mobile", "+4533333333")]);
    assert!(matches!(store.update(change, &failing).await, Err(StoreError::CodeIssue(_))));
    assert_eq!(store.get(id).await.unwrap(), written.entity);
    assert_eq!(
        count(&pool, "SELECT COUNT(*) FROM unique_values WHERE value IN ('x@example.com', '+4533333333')").await,
        0
    );
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM audit WHERE action = 'update'").await, 1);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM outbox").await, 1);
}

#[tokio::test]
async fn a_version_mismatch_changes_nothing() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let pool = raw(&dir).await;
    let id = create(&store, json!({"name": "Ada"}), &[]).await;

    let mut stale = update(id, T0 + 1, json!({"name": "Bob", "email": "bob@example.com"}), &["/name"], &[]);
    stale.unique = claims(&[("email", "bob@example.com")]);
    stale.expected_version = Some(7);
    assert!(matches!(store.update(stale.clone(), &NoCodes).await, Err(StoreError::VersionMismatch { current: 1 })));
    assert_eq!(store.get(id).await.unwrap().data, json!({"name": "Ada"}));
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM unique_values").await, 0);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM audit WHERE action = 'update'").await, 0);
    assert!(matches!(
        store.deactivate(id, APP, T0 + 1, Some(2)).await,
        Err(StoreError::VersionMismatch { current: 1 })
    ));
    assert_eq!(store.get(id).await.unwrap().status, Status::Active);

    stale.expected_version = Some(1);
    assert_eq!(store.update(stale, &NoCodes).await.unwrap().entity.version, 2);
    // An update that changes no data keeps the version (and so the ETag).
    let same = update(id, T0 + 2, json!({"name": "Bob", "email": "bob@example.com"}), &[], &[]);
    assert_eq!(store.update(same, &NoCodes).await.unwrap().entity.version, 2);
    assert!(matches!(store.update(update(404, T0, json!({}), &[], &[]), &NoCodes).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn a_unique_conflict_names_the_holder_and_its_status() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let holder_id = create(&store, json!({"mobile": "+4511111111"}), &[("mobile", "+4511111111")]).await;
    let other = create(&store, json!({}), &[]).await;
    let claim = || update(other, T0 + 1, json!({"mobile": "+4511111111"}), &["/mobile"], &[("mobile", "+4511111111")]);

    let active = store.update(claim(), &NoCodes).await.unwrap_err();
    assert_eq!(holder(active), ("mobile".to_owned(), holder_id, Status::Active));

    // 1004 keeps the value and its hold; the conflict now names an inactive holder.
    let deactivated = store.deactivate(holder_id, APP, T0 + 2, Some(1)).await.unwrap();
    assert_eq!((deactivated.status, deactivated.version), (Status::Inactive, 2));
    assert_eq!(deactivated.data, json!({"mobile": "+4511111111"}));
    assert_eq!(store.deactivate(holder_id, APP, T0 + 3, None).await.unwrap().version, 2, "idempotent");
    let inactive = store.update(claim(), &NoCodes).await.unwrap_err();
    assert_eq!(holder(inactive), ("mobile".to_owned(), holder_id, Status::Inactive));

    let mut new = new_entity(json!({"email": "new@example.com"}), &[("email", "new@example.com")]);
    new.status = Status::Unverified;
    let unverified = store.create(new, &NoCodes).await.unwrap().entity.id;
    let claim =
        update(other, T0 + 4, json!({"email": "new@example.com"}), &["/email"], &[("email", "new@example.com")]);
    let error = store.update(claim, &NoCodes).await.unwrap_err();
    assert_eq!(holder(error), ("email".to_owned(), unverified, Status::Unverified));

    // Clearing a unique field releases its value.
    let cleared = update(unverified, T0 + 5, json!({}), &["/email"], &[]);
    store.update(cleared, &NoCodes).await.unwrap();
    let claim =
        update(other, T0 + 6, json!({"email": "new@example.com"}), &["/email"], &[("email", "new@example.com")]);
    store.update(claim, &NoCodes).await.unwrap();
}

#[tokio::test]
async fn a_pending_value_blocks_others_until_it_expires() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let pool = raw(&dir).await;
    let first = create(&store, json!({}), &[]).await;
    let second = create(&store, json!({}), &[]).await;
    let written = store.update(mobile_change(first, T0, json!({}), "+4599999999"), &Codes("1111")).await.unwrap();
    assert_eq!(written.entity.data, json!({}), "the verified value is held back");

    let steal = || mobile_change(second, T0 + 599, json!({}), "+4599999999");
    let error = store.update(steal(), &Codes("2222")).await.unwrap_err();
    assert_eq!(holder(error), ("mobile".to_owned(), first, Status::Active));
    let plain = update(second, T0 + 1, json!({"mobile": "+4599999999"}), &["/mobile"], &[("mobile", "+4599999999")]);
    assert_eq!(holder(store.update(plain, &NoCodes).await.unwrap_err()).1, first);

    // Once the first code has expired its hold no longer counts: the second
    // entity takes the value and the stale change is cancelled.
    let late = Update { now: T0 + 600, ..steal() };
    assert!(matches!(dispatch(&store.update(late, &Codes("2222")).await.unwrap()), Some(Dispatch::Dispatched { .. })));
    assert_eq!(count(&pool, &format!("SELECT COUNT(*) FROM pending_changes WHERE entity_id = {first}")).await, 0);
    assert_eq!(store.verify(first, APP, T0 + 601, &Codes("1111")).await.unwrap(), VerifyOutcome::NotNeeded);
    let verified = store.verify(second, APP, T0 + 601, &Codes("2222")).await.unwrap();
    assert!(
        matches!(verified, VerifyOutcome::Verified { ref entity, .. } if entity.data == json!({"mobile": "+4599999999"}))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_of_one_value_have_exactly_one_winner() {
    let dir = TempDir::new().unwrap();
    let store: Arc<dyn Store> = store::open(&url(&dir), POLICY).await.unwrap();
    let mut ids = Vec::new();
    for _ in 0..8 {
        ids.push(create(store.as_ref(), json!({}), &[]).await);
    }

    // One e-mail as a plain value, and one mobile as a pending value.
    let races = [
        |id| update(id, T0, json!({"email": "race@example.com"}), &["/email"], &[("email", "race@example.com")]),
        |id| mobile_change(id, T0, json!({}), "+4512345678"),
    ];
    for race in races {
        let tasks: Vec<_> = ids
            .iter()
            .map(|&id| {
                let store = Arc::clone(&store);
                tokio::spawn(async move { (id, store.update(race(id), &Codes("0000")).await) })
            })
            .collect();
        let mut winners = Vec::new();
        let mut losers = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (id, Ok(_)) => winners.push(id),
                (_, Err(error)) => losers.push(holder(error)),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one update wins");
        let winner = winners.first().copied().unwrap();
        assert_eq!(losers.len(), 7);
        assert!(losers.iter().all(|(_, holder, status)| *holder == winner && *status == Status::Active), "{losers:?}");
    }
}

#[tokio::test]
async fn the_cooldown_and_the_window_limit_refuse_codes_but_not_the_update() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let pool = raw(&dir).await;
    let id = create(&store, json!({"name": "Ada"}), &[]).await;
    let other = create(&store, json!({}), &[]).await;
    let codes = Codes("1234");

    let first = store.update(mobile_change(id, T0, json!({"name": "Ada"}), "+4510000000"), &codes).await.unwrap();
    assert_eq!(dispatch(&first), Some(Dispatch::Dispatched { expires_at: T0 + 600 }));

    // 30 s later: 200.3. The name change commits; the new number is not
    // recorded (the first pending change stays, the number stays free).
    let mut soon = mobile_change(id, T0 + 30, json!({"name": "Ada L."}), "+4520000000");
    soon.changed = vec!["/name".to_owned()];
    let refused = store.update(soon, &codes).await.unwrap();
    assert_eq!(dispatch(&refused), Some(Dispatch::Cooldown { retry_after: 90 }));
    assert_eq!(refused.entity.data, json!({"name": "Ada L."}));
    let pending: String = sqlx::query_scalar("SELECT value FROM pending_changes WHERE entity_id = ?")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(pending, r#""+4510000000""#);
    let free = mobile_change(other, T0 + 31, json!({}), "+4520000000");
    assert!(matches!(dispatch(&store.update(free, &codes).await.unwrap()), Some(Dispatch::Dispatched { .. })));
    assert_eq!(count(&pool, &format!("SELECT COUNT(*) FROM outbox WHERE entity_id = {id}")).await, 1);

    // The cooldown is per field: an e-mail code may go out meanwhile, and
    // counts towards the window.
    let email = VerificationRequest {
        field: "email".to_owned(),
        channel: "email".to_owned(),
        value: json!("ada@example.com"),
        recipient: "ada@example.com".to_owned(),
    };
    let by_email = Update { verifications: vec![email], ..update(id, T0 + 40, json!({"name": "Ada L."}), &[], &[]) };
    assert!(matches!(dispatch(&store.update(by_email, &codes).await.unwrap()), Some(Dispatch::Dispatched { .. })));

    // Dispatches at T0, T0+40 (e-mail), T0+120, T0+240, T0+360: five in the window.
    for (step, now) in [T0 + 120, T0 + 240, T0 + 360].into_iter().enumerate() {
        let mobile = format!("+453000000{step}");
        let again = store.update(mobile_change(id, now, json!({"name": "Ada L."}), &mobile), &codes).await.unwrap();
        assert!(matches!(dispatch(&again), Some(Dispatch::Dispatched { .. })), "dispatch {step}");
    }
    let limited = store.update(mobile_change(id, T0 + 480, json!({"name": "Ada L."}), "+4540000000"), &codes).await;
    // The oldest dispatch (T0) leaves the window at T0 + 86400.
    assert_eq!(dispatch(&limited.unwrap()), Some(Dispatch::LimitReached { retry_after: 86_400 - 480 }));
    let next_day = mobile_change(id, T0 + 86_400, json!({"name": "Ada L."}), "+4540000000");
    assert!(matches!(dispatch(&store.update(next_day, &codes).await.unwrap()), Some(Dispatch::Dispatched { .. })));
}

#[tokio::test]
async fn wrong_codes_use_up_attempts_and_cancel_the_change() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let id = create(&store, json!({"mobile": "+4511111111"}), &[("mobile", "+4511111111")]).await;
    let other = create(&store, json!({}), &[]).await;
    let change = mobile_change(id, T0, json!({"mobile": "+4511111111"}), "+4522222222");
    store.update(change, &Codes("1234")).await.unwrap();

    let wrong = Codes("9999");
    assert_eq!(store.verify(id, APP, T0 + 1, &wrong).await.unwrap(), VerifyOutcome::Mismatch { attempts_left: 2 });
    assert_eq!(store.verify(id, APP, T0 + 2, &wrong).await.unwrap(), VerifyOutcome::Mismatch { attempts_left: 1 });
    assert_eq!(store.verify(id, APP, T0 + 3, &wrong).await.unwrap(), VerifyOutcome::Mismatch { attempts_left: 0 });
    // Cancelled: even the right code is too late, and the number is free.
    assert_eq!(store.verify(id, APP, T0 + 4, &Codes("1234")).await.unwrap(), VerifyOutcome::NotNeeded);
    let entity = store.get(id).await.unwrap();
    assert_eq!((entity.data, entity.version), (json!({"mobile": "+4511111111"}), 1));
    store.update(mobile_change(other, T0 + 5, json!({}), "+4522222222"), &Codes("1")).await.unwrap();
}

#[tokio::test]
async fn an_expired_code_is_refused_and_cancelled() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let pool = raw(&dir).await;
    let id = create(&store, json!({}), &[]).await;
    store.update(mobile_change(id, T0, json!({}), "+4522222222"), &Codes("1234")).await.unwrap();

    assert_eq!(store.verify(id, APP, T0 + 600, &Codes("1234")).await.unwrap(), VerifyOutcome::Expired);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM pending_changes").await, 0);
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM unique_values").await, 0);
    assert_eq!(store.verify(id, APP, T0 + 601, &Codes("1234")).await.unwrap(), VerifyOutcome::NotNeeded);
    assert_eq!(store.get(id).await.unwrap().data, json!({}));
}

#[tokio::test]
async fn the_right_code_applies_the_value_and_activates_the_entity() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let pool = raw(&dir).await;

    // 1001 under a contract that verifies the mobile: the number is written
    // at once, the entity starts unverified, a code goes out.
    let engine_pending =
        WirePending { field: "mobile".to_owned(), channel: "sms".to_owned(), value: json!("+4511111111") };
    let engine_claim =
        WireClaim { field: "mobile".to_owned(), role: Some("mobile".to_owned()), value: "+4511111111".to_owned() };
    let new = NewEntity {
        status: Status::Unverified,
        unique: vec![Claim::from(engine_claim)],
        verifications: vec![VerificationRequest::from(engine_pending)],
        ..new_entity(json!({"mobile": "+4511111111"}), &[])
    };
    let created = store.create(new, &Codes("4321")).await.unwrap();
    let id = created.entity.id;
    assert_eq!(created.entity.status, Status::Unverified);
    assert_eq!(dispatch(&created), Some(Dispatch::Dispatched { expires_at: T0 + 600 }));
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM outbox WHERE recipient = '+4511111111'").await, 1);

    let VerifyOutcome::Verified { entity, field } = store.verify(id, APP, T0 + 60, &Codes("4321")).await.unwrap()
    else {
        unreachable!("not verified");
    };
    assert_eq!((entity.status, entity.version, field.as_str()), (Status::Active, 2, "mobile"));
    assert_eq!(entity.data, json!({"mobile": "+4511111111"}));

    // 1003 with a new number, then 2004: the new number becomes current, the
    // old one is released.
    store.update(mobile_change(id, T0 + 200, entity.data.clone(), "+4522222222"), &Codes("5678")).await.unwrap();
    let VerifyOutcome::Verified { entity, .. } = store.verify(id, APP, T0 + 260, &Codes("5678")).await.unwrap() else {
        unreachable!("not verified");
    };
    assert_eq!((entity.data, entity.version), (json!({"mobile": "+4522222222"}), 3));
    let holds: Vec<(String, bool)> =
        sqlx::query_as("SELECT value, pending FROM unique_values").fetch_all(&pool).await.unwrap();
    assert_eq!(holds, vec![("+4522222222".to_owned(), false)]);
    let audit: Vec<(String, String)> =
        sqlx::query_as("SELECT action, fields FROM audit ORDER BY id").fetch_all(&pool).await.unwrap();
    assert_eq!(
        audit.iter().map(|(action, fields)| format!("{action} {fields}")).collect::<Vec<_>>(),
        vec![r#"create ["/mobile"]"#, r#"verify ["/mobile"]"#, "update []", r#"verify ["/mobile"]"#]
    );
    assert_eq!(store.verify(id, APP, T0 + 300, &Codes("5678")).await.unwrap(), VerifyOutcome::NotNeeded);
}

#[tokio::test]
async fn verify_tells_not_needed_from_no_code() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let active = create(&store, json!({}), &[]).await;
    assert_eq!(store.verify(active, APP, T0, &Codes("1")).await.unwrap(), VerifyOutcome::NotNeeded);

    let new = NewEntity { status: Status::Unverified, ..new_entity(json!({}), &[]) };
    let unverified = store.create(new, &NoCodes).await.unwrap().entity.id;
    assert_eq!(store.verify(unverified, APP, T0, &Codes("1")).await.unwrap(), VerifyOutcome::NoCode);
    assert!(matches!(store.verify(404, APP, T0, &Codes("1")).await, Err(StoreError::NotFound)));

    // Deactivation cancels pending changes: nothing left to verify.
    store.update(mobile_change(active, T0, json!({}), "+4511111111"), &Codes("1")).await.unwrap();
    store.deactivate(active, APP, T0 + 1, None).await.unwrap();
    assert_eq!(store.verify(active, APP, T0 + 2, &Codes("1")).await.unwrap(), VerifyOutcome::NotNeeded);
}

#[tokio::test]
async fn verify_rechecks_uniqueness_and_names_the_holder() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let pool = raw(&dir).await;
    let id = create(&store, json!({}), &[]).await;
    let other = create(&store, json!({}), &[]).await;
    store.update(mobile_change(id, T0, json!({}), "+4511111111"), &Codes("1")).await.unwrap();

    // The pending hold makes this impossible through the API; forge it to
    // exercise the re-check: another, inactive entity holds the number.
    sqlx::query("UPDATE unique_values SET entity_id = ?, pending = 0").bind(other).execute(&pool).await.unwrap();
    store.deactivate(other, APP, T0 + 1, None).await.unwrap();
    let outcome = store.verify(id, APP, T0 + 2, &Codes("1")).await.unwrap();
    assert_eq!(
        outcome,
        VerifyOutcome::Taken { field: "mobile".to_owned(), holder_id: other, holder_status: Status::Inactive }
    );
    assert_eq!(count(&pool, "SELECT COUNT(*) FROM pending_changes").await, 0, "cancelled");
    assert_eq!(store.get(id).await.unwrap().data, json!({}));
}

#[tokio::test]
async fn the_outbox_is_claimed_sent_and_retried_with_backoff() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let a = create(&store, json!({}), &[]).await;
    let b = create(&store, json!({}), &[]).await;
    let c = create(&store, json!({}), &[]).await;
    for (id, mobile) in [(a, "+4511111111"), (b, "+4522222222"), (c, "+4533333333")] {
        store.update(mobile_change(id, T0, json!({}), mobile), &Codes("1")).await.unwrap();
    }

    let claimed = store.claim_outbox(T0, 60, 2).await.unwrap();
    let summary: Vec<_> = claimed.iter().map(|m| (m.entity_id, m.recipient.as_str(), m.attempts)).collect();
    assert_eq!(summary, vec![(Some(a), "+4511111111", 1), (Some(b), "+4522222222", 1)]);
    assert_eq!(claimed.first().map(|m| m.payload.clone()), Some(b"sealed:+4511111111".to_vec()));
    // Leased: a second worker gets only the third row.
    let rest = store.claim_outbox(T0, 60, 10).await.unwrap();
    assert_eq!(rest.iter().map(|m| m.entity_id).collect::<Vec<_>>(), vec![Some(c)]);

    let (first, second) = (claimed.first().unwrap().id, claimed.get(1).unwrap().id);
    store.mark_sent(first, T0 + 1).await.unwrap();
    store.mark_sent(first, T0 + 2).await.unwrap();
    store.mark_failed(second, T0 + 1, "gateway timeout", Some(T0 + 300)).await.unwrap();
    // The third row's worker died: its lease runs out at T0 + 60.
    assert!(store.claim_outbox(T0 + 59, 60, 10).await.unwrap().is_empty());
    let retried = store.claim_outbox(T0 + 60, 60, 10).await.unwrap();
    assert_eq!(retried.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), vec![(rest.first().unwrap().id, 2)]);
    store.mark_sent(rest.first().unwrap().id, T0 + 61).await.unwrap();
    // The failed row comes back at its backoff time, then is abandoned.
    let backoff = store.claim_outbox(T0 + 300, 60, 10).await.unwrap();
    assert_eq!(backoff.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), vec![(second, 2)]);
    store.mark_failed(second, T0 + 301, "rejected", None).await.unwrap();
    assert!(store.claim_outbox(T0 + 100_000, 60, 10).await.unwrap().is_empty());

    assert!(matches!(store.mark_sent(9_999, T0).await, Err(StoreError::NotFound)));
    assert!(matches!(store.mark_failed(9_999, T0, "x", None).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn reopening_the_database_keeps_everything() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir).await;
    let mut new = new_entity(json!({"email": "ada@example.com"}), &[("email", "ada@example.com")]);
    new.ext_keys.insert("crm".to_owned(), "C-1".to_owned());
    let id = store.create(new, &NoCodes).await.unwrap().entity.id;
    store.update(mobile_change(id, T0, json!({"email": "ada@example.com"}), "+4511111111"), &Codes("7")).await.unwrap();
    let other = create(&store, json!({}), &[]).await;
    let before = store.get(id).await.unwrap();
    store.close().await;
    drop(store);

    let store = open(&dir).await;
    assert_eq!(store.get(id).await.unwrap(), before);
    assert_eq!(store.find_by_ext_key("crm", "C-1").await.unwrap().id, id);
    // Holds, cooldowns, outbox rows and pending codes survived.
    let claim =
        update(other, T0 + 1, json!({"email": "ada@example.com"}), &["/email"], &[("email", "ada@example.com")]);
    assert_eq!(holder(store.update(claim, &NoCodes).await.unwrap_err()).1, id);
    let again = mobile_change(id, T0 + 1, json!({"email": "ada@example.com"}), "+4511111111");
    assert_eq!(
        dispatch(&store.update(again, &Codes("8")).await.unwrap()),
        Some(Dispatch::Cooldown { retry_after: 119 })
    );
    assert_eq!(store.claim_outbox(T0 + 2, 60, 10).await.unwrap().len(), 1);
    assert!(matches!(store.verify(id, APP, T0 + 3, &Codes("7")).await.unwrap(), VerifyOutcome::Verified { .. }));
    // New ids continue after the old ones.
    assert!(create(&store, json!({}), &[]).await > other);

    let journal: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&raw(&dir).await).await.unwrap();
    assert_eq!(journal, "wal");
}
