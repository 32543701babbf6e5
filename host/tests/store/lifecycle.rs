//! Migrations (through the store and `pactum migrate`) and reopening a
//! database.

use std::process::Command;

use pactum_host::store::{self, AppliedMigration, Dispatch, NoCodes, VerifyOutcome};
use serde_json::json;

use crate::common::db::{Backend, TestDb, backend_tests};
use crate::fixtures::{
    APP, Codes, POLICY, T0, create, dispatch, holder, mobile_change, new_entity, update, update_current,
};

backend_tests!(
    reopening_the_database_keeps_everything,
    migrations_run_once_and_report_what_they_applied,
    pactum_migrate_prints_what_it_applied,
);

async fn reopening_the_database_keeps_everything(db: &TestDb) {
    let store = db.open(POLICY).await;
    let mut new = new_entity(json!({"email": "ada@example.com"}), &[("email", "ada@example.com")]);
    new.ext_keys.insert("crm".to_owned(), "C-1".to_owned());
    let id = store.create(new, &NoCodes).await.unwrap().entity.id;
    update_current(&*store, mobile_change(id, T0, json!({"email": "ada@example.com"}), "+4511111111"), &Codes("7"))
        .await
        .unwrap();
    let other = create(store.as_ref(), json!({}), &[]).await;
    let before = store.get(id).await.unwrap();
    store.close().await;
    drop(store);

    let store = db.open(POLICY).await;
    assert_eq!(store.get(id).await.unwrap(), before);
    assert_eq!(store.find_by_ext_key("crm", "C-1").await.unwrap().id, id);
    // Holds, cooldowns, outbox rows and pending codes survived.
    let claim =
        update(other, T0 + 1, json!({"email": "ada@example.com"}), &["/email"], &[("email", "ada@example.com")]);
    assert_eq!(holder(update_current(&*store, claim, &NoCodes).await.unwrap_err()).1, id);
    let again = mobile_change(id, T0 + 1, json!({"email": "ada@example.com"}), "+4511111111");
    assert_eq!(
        dispatch(&update_current(&*store, again, &Codes("8")).await.unwrap()),
        Some(Dispatch::Cooldown { retry_after: 119 })
    );
    assert_eq!(store.claim_outbox(T0 + 2, 60, 10).await.unwrap().len(), 1);
    assert!(matches!(store.verify(id, APP, T0 + 3, &Codes("7")).await.unwrap(), VerifyOutcome::Verified { .. }));
    // New ids continue after the old ones.
    assert!(create(store.as_ref(), json!({}), &[]).await > other);

    if db.backend() == Backend::Sqlite {
        let (journal,): (String,) = db.raw().await.fetch_one("PRAGMA journal_mode").await;
        assert_eq!(journal, "wal");
    }
}

async fn migrations_run_once_and_report_what_they_applied(db: &TestDb) {
    let first = store::migrate(db.url()).await.unwrap();
    assert_eq!(first, vec![AppliedMigration { version: 1, description: "store".to_owned() }]);
    assert_eq!(store::migrate(db.url()).await.unwrap(), vec![]);
    // A store opened on the migrated database finds its tables, and
    // migrating once more after that still has nothing to do.
    let store = db.open(POLICY).await;
    create(store.as_ref(), json!({}), &[]).await;
    assert_eq!(store::migrate(db.url()).await.unwrap(), vec![]);
}

async fn pactum_migrate_prints_what_it_applied(db: &TestDb) {
    let migrate = || {
        let output =
            Command::new(env!("CARGO_BIN_EXE_pactum")).args(["migrate", "--database", db.url()]).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(migrate(), "applied 0001 store\n");
    assert_eq!(migrate(), "the database is up to date; no migration applied\n");
    db.open(POLICY).await;

    let unknown = Command::new(env!("CARGO_BIN_EXE_pactum")).args(["migrate", "--database", "mysql://db/x"]).output();
    let unknown = unknown.unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("must start with `sqlite:` or `postgres:`"));
}
