//! The OpenAPI 3.1 document, built with utoipa from the route table: every
//! route, its parameters, its body, and one response per HTTP status with
//! the sub codes it may carry. Schemas are written once here, in JSON
//! Schema, and checked into utoipa's types when the document is built.

use std::collections::BTreeMap;

use pactum_core::{catalogue, words};
use serde_json::{Value, json};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, Content, InfoBuilder, OpenApi, OpenApiBuilder, PathItem, PathsBuilder, Ref, RefOr, Required,
    ResponseBuilder, ResponsesBuilder, Schema,
};

use super::routes::{Body, RouteDoc, Success, table};

const BEARER: &str = "bearer";

/// The document `/openapi.json` serves.
#[must_use]
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for route in table() {
        paths = paths.path(route.path.clone(), PathItem::new(http_method(&route), operation(&route)));
    }
    let mut components = ComponentsBuilder::new().security_scheme(
        BEARER,
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("API key").build()),
    );
    for (name, schema) in schemas() {
        components = components.schema(name, schema);
    }
    OpenApiBuilder::new()
        .info(InfoBuilder::new().title("Pactum account API").version(env!("CARGO_PKG_VERSION")).description(Some(
            "Endpoints 1001-1004 and 2004 of the account API, with every sub code in the body's `code`. \
                     Errors are application/problem+json; the catalogue is at /catalogue and in docs/errors.md.",
        )))
        .paths(paths)
        .components(Some(components.build()))
        .build()
}

fn http_method(route: &RouteDoc) -> HttpMethod {
    match route.method.as_str() {
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "DELETE" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

fn operation(route: &RouteDoc) -> utoipa::openapi::path::Operation {
    let mut operation = OperationBuilder::new()
        .operation_id(Some(route.operation_id.clone()))
        .summary(Some(route.summary))
        .tag(if route.authenticated { "accounts" } else { "public" });
    for name in path_parameters(&route.path) {
        operation = operation.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(parameter_schema(name))),
        );
    }
    if route.endpoint == super::routes::Endpoint::Create {
        operation = operation.parameter(
            ParameterBuilder::new()
                .name("ext-key")
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some("the new entity's external key, stored under the app's ext-key type"))
                .schema(Some(schema_ref("String"))),
        );
    }
    if route.dry_run {
        operation = operation.parameter(
            ParameterBuilder::new()
                .name(super::accounts::DRY_RUN_PARAMETER)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .description(Some(
                    "`true`: a dry run. The write runs whole (the module, the uniqueness checks, the \
                     verification limits) and is rolled back: nothing is stored and no code is sent, and the \
                     answer is the one the real request would get (status, code, body), with \
                     `Pactum-Dry-Run: true` and no `ETag`. `false` or absent: the real write. Any other value \
                     is 400.",
                ))
                .schema(Some(schema_ref("Boolean"))),
        );
    }
    if route.authenticated {
        operation = operation.security(SecurityRequirement::new(BEARER, Vec::<String>::new()));
    }
    if route.method == axum::http::Method::PUT || route.method == axum::http::Method::DELETE {
        operation = operation.parameter(
            ParameterBuilder::new()
                .name("If-Match")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some("apply only to this version (the ETag); 409.1 otherwise"))
                .schema(Some(schema_ref("String"))),
        );
    }
    let body = match route.body {
        Body::None => None,
        Body::Fields => Some(("the contract's fields to change (a JSON object)", "Fields")),
        Body::Code => Some(("the code the user received", "VerifyBody")),
    };
    if let Some((description, schema)) = body {
        operation = operation.request_body(Some(
            RequestBodyBuilder::new()
                .description(Some(description))
                .required(Some(Required::True))
                .content("application/json", Content::new(Some(schema_ref(schema))))
                .build(),
        ));
    }
    operation.responses(responses(route)).build()
}

/// One response per status, listing the sub codes that status carries.
fn responses(route: &RouteDoc) -> utoipa::openapi::Responses {
    let mut by_status: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
    for code in route.answers {
        let status = catalogue::lookup(code).map_or(500, |entry| entry.status);
        by_status.entry(status).or_default().push(code);
    }
    let mut responses = ResponsesBuilder::new();
    for (status, codes) in by_status {
        let described: Vec<String> = codes
            .iter()
            .map(|code| format!("`{code}`: {}", catalogue::lookup(code).map_or("", |entry| entry.message)))
            .collect();
        let mut response = ResponseBuilder::new().description(described.join("; "));
        response = match (status, route.success) {
            (200..=299, Success::NoContent) => response,
            (200..=299, Success::Answer) => {
                response.content("application/json", Content::new(Some(schema_ref("Answer"))))
            }
            (200..=299, Success::Json(schema)) => {
                response.content("application/json", Content::new(Some(schema_ref(schema))))
            }
            (200..=299, Success::Wasm) => {
                response.content("application/wasm", Content::new(Some(schema_ref("Binary"))))
            }
            (200..=299, Success::Text) => response.content("text/plain", Content::new(Some(schema_ref("String")))),
            _ => response.content(super::PROBLEM_JSON, Content::new(Some(schema_ref("Problem")))),
        };
        responses = responses.response(status.to_string(), response.build());
    }
    responses.build()
}

fn path_parameters(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter_map(|segment| segment.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')))
}

fn parameter_schema(name: &str) -> RefOr<Schema> {
    if name == super::locator::DP_KEYID { schema_ref("DpKeyid") } else { schema_ref("String") }
}

fn schema_ref(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// The component schemas, in JSON Schema (OpenAPI 3.1 is 2020-12).
fn schemas() -> Vec<(&'static str, RefOr<Schema>)> {
    raw_schemas()
        .into_iter()
        .filter_map(|(name, schema)| {
            serde_json::from_value::<Schema>(schema).ok().map(|schema| (name, RefOr::T(schema)))
        })
        .collect()
}

/// The component schemas as JSON. utoipa's `Schema` reads each of them; a
/// test checks that none is lost on the way.
fn raw_schemas() -> Vec<(&'static str, Value)> {
    let codes: Vec<&str> = catalogue::CATALOGUE.iter().map(|entry| entry.code).collect();
    let field_error = json!({
        "type": "object",
        "required": ["pointer", "code", "message"],
        "properties": {
            "pointer": {"type": "string", "description": "JSON Pointer of the field"},
            "code": {"type": "string", "enum": codes},
            "message": {"type": "string", "description": "the engine's message, for developers"},
            "key": {"type": "string", "enum": words::keys().collect::<Vec<_>>(), "description": "message key (docs/errors.md)"},
            "params": {"type": "object", "description": "the key's parameters; `message`: the contract's own words"}
        }
    });
    let sha256 = json!({"type": "string", "pattern": "^[0-9a-f]{64}$"});
    let module = json!({"type": "string", "enum": ["builtin", "plugin"]});
    let title = json!({"type": ["string", "null"], "description": "the contract's `title`, null without one"});
    let raw = [
        ("String", json!({"type": "string"})),
        ("Boolean", json!({"type": "boolean"})),
        ("Binary", json!({"type": "string", "contentMediaType": "application/wasm"})),
        ("DpKeyid", json!({"type": "integer", "minimum": 1, "format": "int64"})),
        ("Fields", json!({"type": "object", "description": "contract fields; the contract decides which"})),
        (
            "VerifyBody",
            json!({"type": "object", "required": ["code"], "properties": {"code": {"type": "string", "pattern": "^[0-9]{4,10}$"}}}),
        ),
        (
            "Entity",
            json!({
                "type": "object",
                "required": ["dpKeyid"],
                "properties": {
                    "dpKeyid": {"type": "integer"},
                    "extKeyType": {"type": "string"},
                    "extKey": {"type": "string"}
                },
                "additionalProperties": true
            }),
        ),
        (
            "Pending",
            json!({
                "type": "object",
                "required": ["field", "channel", "retryAfter"],
                "properties": {
                    "field": {"type": "string"},
                    "channel": {"type": "string", "enum": ["sms", "email"]},
                    "expiresAt": {"type": "string", "format": "date-time"},
                    "retryAfter": {"type": "integer"}
                }
            }),
        ),
        (
            "Answer",
            json!({
                "type": "object",
                "required": ["code", "message", "entity"],
                "properties": {
                    "code": {"type": "string", "enum": ["200", "200.1", "200.2", "200.3", "201", "201.1"]},
                    "message": {"type": "string"},
                    "entity": {"$ref": "#/components/schemas/Entity"},
                    "pending": {"type": "array", "items": {"$ref": "#/components/schemas/Pending"}}
                }
            }),
        ),
        (
            "ContractList",
            json!({
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "title", "moduleSha256", "module", "moduleUrl"],
                    "properties": {
                        "id": {"type": "string"},
                        "title": title,
                        "moduleSha256": sha256,
                        "module": module,
                        "moduleUrl": {"type": "string"}
                    }
                }
            }),
        ),
        (
            "Contract",
            json!({
                "type": "object",
                "required": ["id", "title", "moduleSha256", "module", "moduleUrl", "schema"],
                "properties": {
                    "id": {"type": "string"},
                    "title": title,
                    "moduleSha256": sha256,
                    "module": module,
                    "moduleUrl": {"type": "string"},
                    "schema": {"type": "object", "description": "the contract document (docs/contracts.md)"},
                    "bindings": {"type": "string", "description": "the wasm-bindgen glue's URL; built-in module only"}
                }
            }),
        ),
        (
            "Catalogue",
            json!({
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "status", "key", "message"],
                    "properties": {
                        "code": {"type": "string", "enum": codes},
                        "status": {"type": "integer"},
                        "key": {"type": "string"},
                        "message": {"type": "string"}
                    }
                }
            }),
        ),
        (
            "Health",
            json!({"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "enum": ["ok"]}}}),
        ),
        (
            "Ready",
            json!({
                "type": "object",
                "required": ["status", "database", "contracts"],
                "properties": {
                    "status": {"type": "string", "enum": ["ready"]},
                    "database": {"type": "string", "enum": ["ok"]},
                    "contracts": {"type": "integer", "minimum": 0}
                }
            }),
        ),
        (
            "OpenApiDocument",
            json!({
                "type": "object",
                "required": ["openapi", "info", "paths"],
                "properties": {"openapi": {"type": "string", "pattern": "^3\\.1\\."}}
            }),
        ),
        (
            "Problem",
            json!({
                "type": "object",
                "required": ["type", "status", "code", "title"],
                "properties": {
                    "type": {"type": "string"},
                    "status": {"type": "integer"},
                    "code": {"type": "string", "enum": codes},
                    "title": {"type": "string"},
                    "detail": {"type": "string"},
                    "requestId": {"type": "string"},
                    "errors": {"type": "array", "items": field_error}
                }
            }),
        ),
    ];
    raw.into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_component_schema_survives_utoipa() {
        let raw = super::raw_schemas().into_iter().map(|(name, _)| name);
        let kept: Vec<&str> = super::schemas().into_iter().map(|(name, _)| name).collect();
        assert_eq!(kept, raw.collect::<Vec<_>>());
    }

    #[test]
    fn every_component_schema_is_served_as_written() {
        for ((name, raw), (_, read)) in super::raw_schemas().into_iter().zip(super::schemas()) {
            let served = serde_json::to_value(read).unwrap_or_default();
            assert_eq!(served, raw, "component schema {name}");
        }
    }
}
