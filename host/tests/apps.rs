//! Apps authenticate by API key (stored hashed) and carry permissions and
//! contracts; a bad `[[apps]]` table stops the start naming the field.

#![expect(clippy::unwrap_used, reason = "test code: a failure should stop the test")]

use std::collections::BTreeSet;
use std::path::Path;

use pactum_host::apps::{Apps, Permission, key_hash};
use pactum_host::config::Config;

const CONTRACTS: &str = r#"
[[contracts]]
id = "profile"
file = "profile.json"
[[contracts]]
id = "loyalty"
file = "loyalty.json"
"#;

fn config(apps: &str) -> anyhow::Result<Config> {
    Config::parse(&format!("{CONTRACTS}\n{apps}"), Path::new("."))
}

#[test]
fn an_app_is_found_by_its_key_and_knows_its_rights() {
    let apps = format!(
        r#"
        [[apps]]
        name = "webshop"
        key_sha256 = "{}"
        permissions = ["read", "update"]
        default_contract = "profile"
        contracts = ["loyalty"]
        ext_key_type = "crm"
        "#,
        key_hash("secret-webshop-key")
    );
    let config = config(&apps).unwrap();
    let ids: BTreeSet<String> = config.contracts.iter().map(|contract| contract.id.clone()).collect();
    let apps = Apps::new(&config.apps, &ids).unwrap();

    let app = apps.authenticate("secret-webshop-key").unwrap();
    assert_eq!(app.name, "webshop");
    assert!(app.may(Permission::Update) && !app.may(Permission::Delete));
    assert!(app.may_use("profile") && app.may_use("loyalty") && !app.may_use("other"));
    assert_eq!(app.ext_key_type.as_deref(), Some("crm"));
    assert!(apps.authenticate("secret-webshop-kez").is_none());
    assert!(apps.authenticate("").is_none());
    // The configuration holds the hash only.
    assert!(!format!("{:?}", config.apps).contains("secret-webshop-key"));
}

#[test]
fn bad_apps_name_the_field() {
    let hash = key_hash("k");
    let cases = [
        (
            format!(
                "[[apps]]\nname = \"a\"\nkey_sha256 = \"{hash}\"\npermissions = [\"fly\"]\ndefault_contract = \"profile\"\n"
            ),
            "fly",
        ),
        (
            "[[apps]]\nname = \"a\"\nkey_sha256 = \"abc\"\npermissions = []\ndefault_contract = \"profile\"\n"
                .to_owned(),
            "apps[0].key_sha256",
        ),
        (
            format!("[[apps]]\nname = \"a\"\nkey_sha256 = \"{hash}\"\npermissions = []\ndefault_contract = \"nope\"\n"),
            "contract `nope`",
        ),
        (
            format!(
                "[[apps]]\nname = \"a\"\nkey_sha256 = \"{hash}\"\npermissions = []\ndefault_contract = \"profile\"\n\
                 [[apps]]\nname = \"b\"\nkey_sha256 = \"{hash}\"\npermissions = []\ndefault_contract = \"profile\"\n"
            ),
            "apps[1].key_sha256",
        ),
    ];
    for (text, expected) in cases {
        let error = format!("{:#}", config(&text).unwrap_err());
        assert!(error.contains(expected), "expected `{expected}` in: {error}");
    }
}
