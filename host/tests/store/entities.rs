//! Creating and reading entities, atomic updates, versions.

use pactum_host::store::{EntityId, IssuedCode, NoCodes, Status, StoreError, VerificationRequest};
use serde_json::json;

use crate::common::db::{TestDb, backend_tests};
use crate::fixtures::{
    APP, Codes, POLICY, T0, claims, create, dispatch, holder, mobile_change, new_entity, update, update_current,
};
use pactum_host::store::Dispatch;

backend_tests!(
    entities_are_created_and_read_by_id_and_external_key,
    an_update_commits_data_holds_outbox_and_audit_together,
    a_version_mismatch_changes_nothing,
);

async fn entities_are_created_and_read_by_id_and_external_key(db: &TestDb) {
    let store = db.open(POLICY).await;
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
    let second = create(store.as_ref(), json!({"email": "other@example.com"}), &[("email", "other@example.com")]).await;
    assert!(second > entity.id);

    // A unique value taken at create time.
    let clash = store.create(new_entity(json!({}), &[("email", "ada@example.com")]), &NoCodes).await.unwrap_err();
    assert_eq!(holder(clash), ("email".to_owned(), entity.id, Status::Active));

    let invalid = store.create(new_entity(json!(["not", "an", "object"]), &[]), &NoCodes).await;
    assert!(matches!(invalid, Err(StoreError::Invalid(_))));

    // The document reads back exactly as written, numbers included (a
    // JSONB column would turn 1e15 into an integer).
    let numbers =
        json!({"float": 1e15, "fraction": 0.1, "big": u64::MAX, "negative": -0.5, "nested": {"b": 1, "a": [2.5]}});
    let id = create(store.as_ref(), numbers.clone(), &[]).await;
    let read = store.get(id).await.unwrap().data;
    assert_eq!(read, numbers);
    assert_eq!(read.to_string(), numbers.to_string());
}

async fn an_update_commits_data_holds_outbox_and_audit_together(db: &TestDb) {
    let store = db.open(POLICY).await;
    let raw = db.raw().await;
    let before = json!({"name": "Ada", "email": "ada@example.com", "mobile": "+4511111111"});
    let id = create(store.as_ref(), before, &[("email", "ada@example.com"), ("mobile", "+4511111111")]).await;

    // New name and e-mail (plain unique field) at once, new mobile pending.
    let data = json!({"name": "Ada L.", "email": "ada@lovelace.org", "mobile": "+4511111111"});
    let mut change = mobile_change(id, T0 + 10, data.clone(), "+4522222222");
    change.changed = vec!["/email".to_owned(), "/name".to_owned()];
    change.unique = claims(&[("email", "ada@lovelace.org"), ("mobile", "+4522222222")]);
    let written = update_current(&*store, change, &Codes("1234")).await.unwrap();
    assert_eq!(written.entity.data, data);
    assert_eq!(written.entity.version, 2);
    assert_eq!(written.entity.updated_at, T0 + 10);
    assert_eq!(dispatch(&written), Some(Dispatch::Dispatched { expires_at: T0 + 10 + 600 }));

    let audit: (String, String, String, i64) = raw
        .fetch_one(&format!("SELECT app, fields, pending, at FROM audit WHERE action = 'update' AND entity_id = {id}"))
        .await;
    assert_eq!(audit, (APP.to_owned(), r#"["/email","/name"]"#.to_owned(), r#"["/mobile"]"#.to_owned(), T0 + 10));
    let outbox: (String, String, Vec<u8>) =
        raw.fetch_one(&format!("SELECT channel, recipient, payload FROM outbox WHERE entity_id = {id}")).await;
    assert_eq!(outbox, ("sms".to_owned(), "+4522222222".to_owned(), b"sealed:+4522222222".to_vec()));
    let holds: Vec<(String, String, bool)> = raw
        .fetch_all(&format!(
            "SELECT field, value, pending FROM unique_values WHERE entity_id = {id} ORDER BY field, value"
        ))
        .await;
    assert_eq!(
        holds,
        vec![
            ("email".to_owned(), "ada@lovelace.org".to_owned(), false),
            ("mobile".to_owned(), "+4511111111".to_owned(), false),
            ("mobile".to_owned(), "+4522222222".to_owned(), true),
        ]
    );
    // The old e-mail is free again.
    create(store.as_ref(), json!({}), &[("email", "ada@example.com")]).await;

    // A failure late in the transaction (the code issuer, after the e-mail
    // was claimed) leaves no trace: no data, no hold, no audit, no outbox.
    let failing = |_: EntityId, _: &VerificationRequest| -> Result<IssuedCode, StoreError> {
        Err(StoreError::CodeIssue("no entropy".to_owned()))
    };
    let mut change = mobile_change(id, T0 + 500, json!({"name": "X", "email": "x@example.com"}), "+4533333333");
    change.unique = claims(&[("email", "x@example.com"), ("mobile", "+4533333333")]);
    assert!(matches!(update_current(&*store, change, &failing).await, Err(StoreError::CodeIssue(_))));
    assert_eq!(store.get(id).await.unwrap(), written.entity);
    assert_eq!(
        raw.count("SELECT COUNT(*) FROM unique_values WHERE value IN ('x@example.com', '+4533333333')").await,
        0
    );
    assert_eq!(raw.count("SELECT COUNT(*) FROM audit WHERE action = 'update'").await, 1);
    assert_eq!(raw.count("SELECT COUNT(*) FROM outbox").await, 1);
}

async fn a_version_mismatch_changes_nothing(db: &TestDb) {
    let store = db.open(POLICY).await;
    let raw = db.raw().await;
    let id = create(store.as_ref(), json!({"name": "Ada"}), &[]).await;

    let mut stale = update(id, T0 + 1, json!({"name": "Bob", "email": "bob@example.com"}), &["/name"], &[]);
    stale.unique = claims(&[("email", "bob@example.com")]);
    stale.decided_on = 7;
    assert!(matches!(store.update(stale.clone(), &NoCodes).await, Err(StoreError::VersionMismatch { current: 1 })));
    assert_eq!(store.get(id).await.unwrap().data, json!({"name": "Ada"}));
    assert_eq!(raw.count("SELECT COUNT(*) FROM unique_values").await, 0);
    assert_eq!(raw.count("SELECT COUNT(*) FROM audit WHERE action = 'update'").await, 0);
    assert!(matches!(
        store.deactivate(id, APP, T0 + 1, Some(2)).await,
        Err(StoreError::VersionMismatch { current: 1 })
    ));
    assert_eq!(store.get(id).await.unwrap().status, Status::Active);

    stale.decided_on = 1;
    assert_eq!(store.update(stale, &NoCodes).await.unwrap().entity.version, 2);
    // An update that changes no data keeps the version (and so the ETag).
    let same = update(id, T0 + 2, json!({"name": "Bob", "email": "bob@example.com"}), &[], &[]);
    assert_eq!(update_current(&*store, same, &NoCodes).await.unwrap().entity.version, 2);
    assert!(matches!(store.update(update(404, T0, json!({}), &[], &[]), &NoCodes).await, Err(StoreError::NotFound)));

    // No write follows a deactivation: not one decided before it (a stale
    // version), nor one decided on the inactive version.
    let mut before = update(id, T0 + 3, json!({"name": "Cy"}), &["/name"], &[]);
    before.decided_on = 2;
    assert_eq!(store.deactivate(id, APP, T0 + 3, None).await.unwrap().version, 3);
    assert!(matches!(store.update(before.clone(), &NoCodes).await, Err(StoreError::Inactive)));
    before.decided_on = 3;
    assert!(matches!(store.update(before, &NoCodes).await, Err(StoreError::Inactive)));
    assert_eq!(store.get(id).await.unwrap().data, json!({"name": "Bob", "email": "bob@example.com"}));
}
