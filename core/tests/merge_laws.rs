//! Property tests for the merge laws, against a fixed realistic contract:
//!
//! - (a) the empty payload `{}` changes nothing on valid current data;
//! - (b) applying an accepted payload twice equals applying it once (for
//!   the fields that are not lists: a list payload may append);
//! - (c) a field the payload omits never changes;
//! - (d) `evaluate` never panics, on arbitrary contracts (through
//!   `Contract::compile`; compile errors are fine), current data and payloads;
//! - (e) the decision is deterministic: the same inputs give the same decision.
//!
//! `PROPTEST_CASES=5000 cargo test -p pactum-core --test merge_laws` runs more
//! cases.

use std::sync::LazyLock;

use pactum_core::{Contract, ContractError, Decision, Operation, evaluate};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value, json};

/// A contract of the kind Pactum is written for: strings, an integer, an
/// e-mail and a mobile with roles, a read-only id, a nested object with
/// declared properties, a free-form object, and a list. No verified field,
/// so that the entity carries every accepted change.
fn contract_document() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "x-pactum-region": "DK",
        "required": ["id", "name"],
        "additionalProperties": false,
        "properties": {
            "id": {"type": "string", "readOnly": true},
            "name": {"type": "string", "minLength": 1, "maxLength": 40},
            "city": {"type": "string", "maxLength": 20},
            "age": {"type": "integer", "minimum": 0, "maximum": 150},
            "email": {"type": "string", "format": "email", "x-pactum-role": "email", "x-pactum-unique": true},
            "mobile": {"type": "string", "x-pactum-role": "mobile", "x-pactum-unique": true},
            "address": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "street": {"type": "string"},
                    "zip": {"type": "string", "pattern": "^[0-9]{4}$"}
                }
            },
            "prefs": {"type": "object", "additionalProperties": true},
            "tags": {
                "type": "array",
                "x-pactum-list": true,
                "uniqueItems": true,
                "items": {"type": "string", "maxLength": 10}
            }
        }
    })
}

static CONTRACT: LazyLock<Result<Contract, ContractError>> = LazyLock::new(|| Contract::compile(&contract_document()));

fn contract() -> Result<&'static Contract, TestCaseError> {
    CONTRACT.as_ref().map_err(|error| TestCaseError::fail(format!("the fixed contract does not compile: {error}")))
}

/// The top-level fields of the fixed contract.
const FIELDS: &[&str] = &["id", "name", "city", "age", "email", "mobile", "address", "prefs", "tags"];
const ID: &str = "u-1";

// ---- arbitrary JSON ---------------------------------------------------------

fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "a", "b", "name", "age", "address", "street", "zip", "prefs", "tags", "email", "mobile", "id", "",
            "x-pactum-list", "~1", "a/b",
        ])
        .prop_map(str::to_owned),
        1 => "[a-z~/ ]{0,4}",
    ]
}

fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        any::<f64>().prop_map(|float| serde_json::Number::from_f64(float).map_or(Value::Null, Value::Number)),
        "[a-zA-Z0-9@.+ -]{0,10}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ]
}

/// Arbitrary JSON of bounded depth and size.
fn arb_json() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(arb_key(), inner, 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Arbitrary schema-like JSON: objects keyed by JSON Schema and Pactum
/// keywords, with values that are often meaningful to them (type names,
/// local `$ref`s, formats, patterns, regions), so that compiling succeeds
/// often enough to exercise the evaluation.
fn arb_schema() -> impl Strategy<Value = Value> {
    let keyword = prop::sample::select(vec![
        "type",
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
        "items",
        "prefixItems",
        "contains",
        "allOf",
        "anyOf",
        "oneOf",
        "not",
        "if",
        "then",
        "else",
        "$ref",
        "$defs",
        "$id",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "enum",
        "const",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "minItems",
        "uniqueItems",
        "pattern",
        "format",
        "readOnly",
        "propertyNames",
        "unevaluatedProperties",
        "dependentSchemas",
        "dependentRequired",
        "a",
        "b",
        "name",
        "x-pactum-list",
        "x-pactum-role",
        "x-pactum-verify",
        "x-pactum-unique",
        "x-pactum-region",
        "x-pactum-other",
    ])
    .prop_map(str::to_owned);
    let leaf = prop_oneof![
        4 => prop::sample::select(vec![
            "object", "string", "integer", "number", "array", "boolean", "null", "#", "#/$defs/a",
            "#/properties/a", "#a", "http://example.com/s.json", "email", "mobile", "sms", "DK", "date",
            "hostname", "regex", "^a+$", "(?=a)", "[", "a", "name",
        ])
        .prop_map(Value::from),
        1 => arb_leaf(),
    ];
    leaf.prop_recursive(6, 64, 6, move |inner| {
        prop_oneof![
            1 => prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            4 => prop::collection::btree_map(keyword.clone(), inner, 0..6)
                .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// One keyword of a property schema, with a value of the right kind.
fn field_keyword(inner: BoxedStrategy<Value>) -> impl Strategy<Value = (String, Value)> {
    let pair =
        |key: &'static str, values: Vec<Value>| prop::sample::select(values).prop_map(move |v| (key.to_owned(), v));
    prop_oneof![
        pair(
            "type",
            vec![json!("string"), json!("integer"), json!("object"), json!("array"), json!(["string", "null"])]
        ),
        pair("maxLength", vec![json!(0), json!(3), json!(10)]),
        pair("minimum", vec![json!(0), json!(-1.5), json!(100)]),
        pair("pattern", vec![json!("^[0-9]+$"), json!("a"), json!("^(?!x)")]),
        pair("format", vec![json!("email"), json!("date"), json!("uri"), json!("nonsense")]),
        pair("readOnly", vec![json!(true), json!(false)]),
        pair("x-pactum-list", vec![json!(true), json!(false)]),
        pair("x-pactum-role", vec![json!("email"), json!("mobile")]),
        pair("x-pactum-unique", vec![json!(true)]),
        pair("x-pactum-verify", vec![json!("sms"), json!("email")]),
        pair("$ref", vec![json!("#"), json!("#/$defs/a"), json!("#/properties/a")]),
        pair("additionalProperties", vec![json!(false), json!(true), json!({"type": "integer"})]),
        pair("required", vec![json!(["a"]), json!(["name", "b"])]),
        inner.clone().prop_map(|value| ("items".to_owned(), value)),
        prop::collection::btree_map(arb_key(), inner, 0..4)
            .prop_map(|members| ("properties".to_owned(), Value::Object(members.into_iter().collect()))),
    ]
}

/// A contract shaped like a real one: a root object with `properties`
/// whose members carry well-typed keywords, Pactum's included, nested to a
/// bounded depth. Compiles far more often than [`arb_schema`].
fn structured_schema() -> impl Strategy<Value = Value> {
    let property = Just(json!({})).prop_recursive(3, 24, 4, |inner| {
        prop::collection::vec(field_keyword(inner.boxed()), 0..5)
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect()))
    });
    (
        prop::collection::btree_map(arb_key(), property.clone(), 0..5),
        prop::option::of(prop::sample::select(vec![json!(false), json!(true), json!({"type": "string"})])),
        prop::option::of(prop::sample::select(vec![json!(["name"]), json!(["a", "b"])])),
        prop::option::of(prop::sample::select(vec![json!("DK"), json!("SE"), json!("dk")])),
        prop::option::of(property),
    )
        .prop_map(|(properties, additional, required, region, definition)| {
            let mut root = Map::new();
            root.insert("type".to_owned(), json!("object"));
            root.insert("properties".to_owned(), Value::Object(properties.into_iter().collect()));
            for (key, value) in [
                ("additionalProperties", additional),
                ("required", required),
                ("x-pactum-region", region),
                ("$defs", definition.map(|definition| json!({"a": definition}))),
            ] {
                if let Some(value) = value {
                    root.insert(key.to_owned(), value);
                }
            }
            Value::Object(root)
        })
}

fn arb_operation() -> impl Strategy<Value = Operation> {
    prop::sample::select(vec![Operation::Update, Operation::Create, Operation::Validate])
}

// ---- valid current data and payloads for the fixed contract -----------------

fn string_list() -> impl Strategy<Value = Value> {
    prop::collection::btree_set(prop::sample::select(vec!["red", "green", "blue", "vip", "x"]), 0..4)
        .prop_map(|tags| Value::from(tags.into_iter().collect::<Vec<_>>()))
}

fn valid_address() -> impl Strategy<Value = Value> {
    (prop::option::of("[A-Za-z ]{0,12}"), prop::option::of("[0-9]{4}")).prop_map(|(street, zip)| {
        let mut address = Map::new();
        if let Some(street) = street {
            address.insert("street".to_owned(), street.into());
        }
        if let Some(zip) = zip {
            address.insert("zip".to_owned(), zip.into());
        }
        Value::Object(address)
    })
}

fn free_form() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(arb_key(), arb_json(), 0..4)
        .prop_map(|members| Value::Object(members.into_iter().collect()))
}

/// Current data that satisfies the fixed contract.
fn valid_current() -> impl Strategy<Value = Value> {
    (
        "[A-Za-z][A-Za-z ]{0,11}",
        prop::option::of("[A-Za-z]{0,12}"),
        prop::option::of(0i64..=150),
        prop::option::of(prop::sample::select(vec!["ann@example.com", "Bo@Example.org"])),
        prop::option::of(prop::sample::select(vec!["+4520123456", "+4530123456"])),
        prop::option::of(valid_address()),
        prop::option::of(free_form()),
        prop::option::of(string_list()),
    )
        .prop_map(|(name, city, age, email, mobile, address, prefs, tags)| {
            let mut current = Map::new();
            current.insert("id".to_owned(), ID.into());
            current.insert("name".to_owned(), name.into());
            let optional = [
                ("city", city.map(Value::from)),
                ("age", age.map(Value::from)),
                ("email", email.map(Value::from)),
                ("mobile", mobile.map(Value::from)),
                ("address", address),
                ("prefs", prefs),
                ("tags", tags),
            ];
            for (field, value) in optional {
                if let Some(value) = value {
                    current.insert(field.to_owned(), value);
                }
            }
            Value::Object(current)
        })
}

/// A value the fixed contract accepts for `field` on any valid current data,
/// clears of optional fields included.
fn valid_value(field: &'static str) -> BoxedStrategy<Value> {
    let value: BoxedStrategy<Value> = match field {
        "id" => Just(Value::from(ID)).boxed(),
        "name" => "[A-Za-z][A-Za-z ]{0,11}".prop_map(Value::from).boxed(),
        "city" => "[A-Za-z]{0,20}".prop_map(Value::from).boxed(),
        "age" => (0i64..=150).prop_map(Value::from).boxed(),
        "email" => prop::sample::select(vec!["ann@example.com", "ANN@example.com", "cy@example.net"])
            .prop_map(Value::from)
            .boxed(),
        "mobile" => prop::sample::select(vec!["20 12 34 56", "0045 30 12 34 56", "+45 30123456", "+4520123456"])
            .prop_map(Value::from)
            .boxed(),
        "address" => (
            prop::option::of(prop_oneof![Just(Value::Null), "[A-Za-z ]{0,8}".prop_map(Value::from)]),
            prop::option::of(prop_oneof![Just(Value::Null), "[0-9]{4}".prop_map(Value::from)]),
        )
            .prop_map(|(street, zip)| {
                let mut patch = Map::new();
                for (key, value) in [("street", street), ("zip", zip)] {
                    if let Some(value) = value {
                        patch.insert(key.to_owned(), value);
                    }
                }
                Value::Object(patch)
            })
            .boxed(),
        "prefs" => free_form().boxed(),
        "tags" => prop_oneof![
            string_list(),
            prop::sample::select(vec!["red", "vip", "new"]).prop_map(Value::from),
            Just(json!([])),
        ]
        .boxed(),
        _ => Just(Value::Null).boxed(),
    };
    if matches!(field, "id" | "name") { value } else { prop_oneof![6 => value, 1 => Just(Value::Null)].boxed() }
}

/// A value for one field of a payload that the contract may refuse: out of
/// range, malformed, of the wrong type, a read-only change, a required
/// field cleared.
fn any_value(field: &'static str) -> BoxedStrategy<Value> {
    let refused: BoxedStrategy<Value> = match field {
        "id" => Just(Value::from("u-2")).boxed(),
        "name" => prop_oneof![Just(json!("")), "[a-z]{41,45}".prop_map(Value::from)].boxed(),
        "city" => "[A-Za-z]{21,24}".prop_map(Value::from).boxed(),
        "age" => prop_oneof![(-5i64..0), (151i64..200)].prop_map(Value::from).boxed(),
        "email" => Just(json!("not-an-email")).boxed(),
        "mobile" => prop::sample::select(vec!["12", "abc", ""]).prop_map(Value::from).boxed(),
        "address" => prop_oneof![Just(json!({"other": 1})), Just(json!({"zip": "123"}))].boxed(),
        "tags" => prop_oneof![Just(json!([1, 2])), Just(json!(["red", "red"]))].boxed(),
        _ => arb_leaf().boxed(),
    };
    prop_oneof![6 => valid_value(field), 1 => refused, 1 => Just(Value::Null), 1 => arb_leaf()].boxed()
}

/// A payload over `fields`, each member present or not; `strict` payloads
/// hold valid values only, the others may hold anything and sometimes an
/// unknown member.
fn payload_over(fields: &'static [&'static str], strict: bool) -> impl Strategy<Value = Value> {
    let members: Vec<BoxedStrategy<Option<(String, Value)>>> = fields
        .iter()
        .map(|&field| {
            let value = if strict { valid_value(field) } else { any_value(field) };
            prop::option::weighted(0.4, value.prop_map(move |value| (field.to_owned(), value))).boxed()
        })
        .collect();
    let unknown = if strict { Just(None).boxed() } else { prop::option::weighted(0.05, arb_json()).boxed() };
    (members, unknown).prop_map(|(members, unknown)| {
        let mut payload: Map<String, Value> = members.into_iter().flatten().collect();
        if let Some(unknown) = unknown {
            payload.insert("unknown".to_owned(), unknown);
        }
        Value::Object(payload)
    })
}

/// Mostly valid payloads, so that the laws about accepted updates are
/// exercised often, with some that may be refused.
fn mostly_valid_payload(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![4 => payload_over(fields, true), 1 => payload_over(fields, false)]
}

const NON_LIST_FIELDS: &[&str] = &["id", "name", "city", "age", "email", "mobile", "address", "prefs"];

// ---- helpers ----------------------------------------------------------------

fn entity(decision: &Decision) -> Result<&Map<String, Value>, TestCaseError> {
    decision
        .entity
        .as_ref()
        .and_then(Value::as_object)
        .ok_or_else(|| TestCaseError::fail(format!("an accepted update has no entity object: {decision:?}")))
}

fn object(value: &Value) -> Result<&Map<String, Value>, TestCaseError> {
    value.as_object().ok_or_else(|| TestCaseError::fail(format!("not an object: {value}")))
}

// ---- the laws ---------------------------------------------------------------

proptest! {
    // Laws (b) and (c) skip refused payloads (about one in ten); allow for
    // that at any `PROPTEST_CASES`. A failing case is printed, not saved: an
    // integration test has no `lib.rs` to put a regression file beside.
    #![proptest_config(ProptestConfig {
        max_global_rejects: u32::MAX,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// (a) `{}` changes nothing: the decision is `200`, the entity is the
    /// current data, and nothing is listed as changed, pending or claimed.
    #[test]
    fn empty_payload_changes_nothing(current in valid_current()) {
        let contract = contract()?;
        prop_assert!(evaluate(contract, Operation::Validate, &Value::Null, &current).is_accepted(),
            "the generator made invalid current data: {current}");
        let decision = evaluate(contract, Operation::Update, &current, &json!({}));
        prop_assert!(decision.is_accepted(), "{{}} was rejected on {current}: {:?}", decision.errors);
        prop_assert_eq!(decision.code, "200");
        prop_assert_eq!(decision.entity.as_ref(), Some(&current));
        prop_assert!(decision.changed.is_empty(), "changed: {:?}", decision.changed);
        prop_assert!(decision.pending.is_empty());
        prop_assert!(decision.unique.is_empty(), "unique: {:?}", decision.unique);
    }

    /// (b) An accepted payload applied to its own result is accepted again,
    /// changes nothing more and leaves the same entity.
    #[test]
    fn accepted_payload_is_idempotent(current in valid_current(), payload in mostly_valid_payload(NON_LIST_FIELDS)) {
        let contract = contract()?;
        let once = evaluate(contract, Operation::Update, &current, &payload);
        prop_assume!(once.is_accepted());
        let after_once = Value::Object(entity(&once)?.clone());
        let twice = evaluate(contract, Operation::Update, &after_once, &payload);
        prop_assert!(twice.is_accepted(),
            "accepted on {current}, rejected on its own result {after_once}: {:?}", twice.errors);
        prop_assert_eq!(twice.entity.as_ref(), Some(&after_once), "payload {}", payload);
        prop_assert!(twice.changed.is_empty(), "the second application changed {:?} (payload {payload})", twice.changed);
    }

    /// (c) Whatever the payload, a member it does not name keeps its value:
    /// at the top level, and inside a declared nested object.
    #[test]
    fn omitted_fields_never_change(current in valid_current(), payload in mostly_valid_payload(FIELDS)) {
        let contract = contract()?;
        let decision = evaluate(contract, Operation::Update, &current, &payload);
        prop_assume!(decision.is_accepted());
        let entity = entity(&decision)?;
        let current = object(&current)?;
        let patch = object(&payload)?;
        for field in FIELDS.iter().copied().chain(current.keys().map(String::as_str)) {
            if !patch.contains_key(field) {
                prop_assert_eq!(entity.get(field), current.get(field), "`{}` changed though omitted", field);
                let at = format!("/{field}");
                prop_assert!(!decision.changed.contains(&at), "`{}` listed as changed though omitted", at);
            }
        }
        if let (Some(Value::Object(address_patch)), Some(Value::Object(before))) =
            (patch.get("address"), current.get("address"))
        {
            let after = entity.get("address").and_then(Value::as_object);
            for (member, value) in before {
                if !address_patch.contains_key(member) {
                    prop_assert_eq!(after.and_then(|after| after.get(member)), Some(value),
                        "/address/{} changed though omitted", member);
                }
            }
        }
    }

    /// (d) + (e) on the fixed contract: arbitrary current data and payloads,
    /// every operation; no panic, and the same decision twice.
    #[test]
    fn fixed_contract_is_total_and_deterministic(
        operation in arb_operation(),
        current in prop_oneof![valid_current(), arb_json()],
        payload in prop_oneof![payload_over(FIELDS, false), arb_json()],
    ) {
        let contract = contract()?;
        let first = evaluate(contract, operation, &current, &payload);
        let second = evaluate(contract, operation, &current, &payload);
        prop_assert_eq!(&first, &second);
        if first.is_accepted() && operation != Operation::Validate {
            prop_assert!(first.entity.is_some());
        }
        if !first.is_accepted() {
            prop_assert!(first.entity.is_none());
            prop_assert_ne!(first.code, "200");
        }
    }

    /// (d) + (e) on arbitrary contracts: compiling may fail, but never
    /// panics; a compiled contract evaluates anything without panicking, and
    /// compiling and evaluating twice gives the same answers.
    #[test]
    fn arbitrary_contracts_never_panic(
        schema in prop_oneof![3 => structured_schema(), 2 => arb_schema(), 1 => arb_json()],
        operation in arb_operation(),
        current in prop_oneof![Just(Value::Null), arb_json()],
        payload in arb_json(),
    ) {
        let first = Contract::compile(&schema);
        let second = Contract::compile(&schema);
        prop_assert_eq!(first.as_ref().err(), second.as_ref().err());
        if let (Ok(first), Ok(second)) = (first, second) {
            let decision = evaluate(&first, operation, &current, &payload);
            prop_assert_eq!(&decision, &evaluate(&first, operation, &current, &payload));
            prop_assert_eq!(&decision, &evaluate(&second, operation, &current, &payload));
            // Sending the current data back as a payload is a common call.
            let _ = evaluate(&first, Operation::Update, &current, &current);
        }
    }
}
