//! The route table: one list from which both the router and the OpenAPI
//! document are built, so the two cannot disagree. Each entry names the
//! answers (catalogue codes) the route may give.

use axum::http::Method;

use super::locator::{CONTRACT_ID, DP_KEYID, EXT_KEY, EXT_TYPE};

/// What serves a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Create,
    Read,
    Update,
    Deactivate,
    Verify,
    Contracts,
    Contract,
    ContractModule,
    ModuleByHash,
    Catalogue,
    Health,
    Ready,
    Metrics,
    OpenApi,
}

/// What a route's request body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    None,
    /// A JSON object of contract fields.
    Fields,
    /// `{"code": "123456"}`.
    Code,
}

/// What a route answers on success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Success {
    /// `{code, message, entity, pending}`: 1001-1004.
    Answer,
    NoContent,
    /// JSON described by the named component schema of the OpenAPI document.
    Json(&'static str),
    Wasm,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteDoc {
    pub method: Method,
    pub path: String,
    pub operation_id: String,
    pub summary: &'static str,
    pub endpoint: Endpoint,
    /// Needs `Authorization: Bearer <key>`.
    pub authenticated: bool,
    pub body: Body,
    pub success: Success,
    /// Every catalogue code the route may answer.
    pub answers: &'static [&'static str],
    /// Takes the dry-run switch `?dryRun=true` (1001, 1003): the write is
    /// run whole and rolled back, and answered as the real one would be.
    pub dry_run: bool,
}

const CREATE: &[&str] = &[
    "201", "201.1", "400", "400.2", "400.3", "400.4", "400.5", "400.10", "400.11", "400.12", "400.13", "400.14",
    "400.20", "400.21", "400.22", "400.24", "400.25", "400.26", "401", "404.3", "408", "409.2", "412", "412.1", "413",
    "415", "431", "500", "500.1", "503",
];
const READ: &[&str] = &["200", "400.25", "401", "404.1", "404.2", "404.3", "412", "412.1", "431", "500", "503"];
const UPDATE: &[&str] = &[
    "200", "200.1", "200.2", "200.3", "400", "400.2", "400.3", "400.4", "400.5", "400.10", "400.11", "400.12",
    "400.13", "400.14", "400.20", "400.21", "400.22", "400.25", "400.26", "401", "404.1", "404.2", "404.3", "408",
    "409.1", "409.3", "412", "412.1", "413", "415", "431", "500", "500.1", "503", "503.1",
];
const DEACTIVATE: &[&str] = &["200", "400.25", "401", "404.1", "404.2", "409.1", "412", "431", "500", "503"];
const VERIFY: &[&str] = &[
    "204", "400.2", "400.4", "400.5", "400.14", "400.22", "400.23", "400.25", "401", "403", "403.1", "403.2", "404.1",
    "404.2", "408", "412", "413", "415", "431", "500", "501.2", "501.3", "503",
];

/// The two ways a path names an entity: (path prefix, operation-id suffix).
fn entity_forms() -> [(String, &'static str); 2] {
    [
        (format!("/userentity/dp-keyid/{{{DP_KEYID}}}"), "ByDpKeyid"),
        (format!("/userentity/ext-key/{{{EXT_KEY}}}/{{{EXT_TYPE}}}"), "ByExtKey"),
    ]
}

/// Every route `app()` serves.
#[must_use]
pub fn table() -> Vec<RouteDoc> {
    let mut routes = Vec::new();
    let with_contract = [(String::new(), ""), (format!("/{{{CONTRACT_ID}}}"), "WithContract")];
    for (contract, contract_suffix) in &with_contract {
        routes.push(RouteDoc {
            method: Method::POST,
            path: format!("/userentity/data{contract}"),
            operation_id: format!("create{contract_suffix}"),
            summary: "1001: create an entity from the contract's fields",
            endpoint: Endpoint::Create,
            authenticated: true,
            body: Body::Fields,
            success: Success::Answer,
            answers: CREATE,
            dry_run: true,
        });
    }
    for (entity, entity_suffix) in entity_forms() {
        for (contract, contract_suffix) in &with_contract {
            let path = format!("{entity}/data{contract}");
            routes.push(RouteDoc {
                method: Method::GET,
                path: path.clone(),
                operation_id: format!("read{entity_suffix}{contract_suffix}"),
                summary: "1002: read an entity's data as the contract shows it",
                endpoint: Endpoint::Read,
                authenticated: true,
                body: Body::None,
                success: Success::Answer,
                answers: READ,
                dry_run: false,
            });
            routes.push(RouteDoc {
                method: Method::PUT,
                path,
                operation_id: format!("update{entity_suffix}{contract_suffix}"),
                summary: "1003: update account data",
                endpoint: Endpoint::Update,
                authenticated: true,
                body: Body::Fields,
                success: Success::Answer,
                answers: UPDATE,
                dry_run: true,
            });
        }
        routes.push(RouteDoc {
            method: Method::DELETE,
            path: entity.clone(),
            operation_id: format!("deactivate{entity_suffix}"),
            summary: "1004: deactivate an entity (status inactive)",
            endpoint: Endpoint::Deactivate,
            authenticated: true,
            body: Body::None,
            success: Success::Answer,
            answers: DEACTIVATE,
            dry_run: false,
        });
        routes.push(RouteDoc {
            method: Method::POST,
            path: format!("{entity}/verify"),
            operation_id: format!("verify{entity_suffix}"),
            summary: "2004: complete a verification with the code sent",
            endpoint: Endpoint::Verify,
            authenticated: true,
            body: Body::Code,
            success: Success::NoContent,
            answers: VERIFY,
            dry_run: false,
        });
    }
    let public = |path: &str, operation_id: &str, summary, endpoint, success, answers| RouteDoc {
        method: Method::GET,
        path: path.to_owned(),
        operation_id: operation_id.to_owned(),
        summary,
        endpoint,
        authenticated: false,
        body: Body::None,
        success,
        answers,
        dry_run: false,
    };
    routes.extend([
        public(
            "/contracts",
            "listContracts",
            "the contracts and their modules",
            Endpoint::Contracts,
            Success::Json("ContractList"),
            &["200"],
        ),
        public(
            &format!("/contracts/{{{CONTRACT_ID}}}"),
            "getContract",
            "a contract's document and where its module is",
            Endpoint::Contract,
            Success::Json("Contract"),
            &["200", "404.3"],
        ),
        public(
            &format!("/contracts/{{{CONTRACT_ID}}}/module.wasm"),
            "getContractModule",
            "the contract's module file, the bytes the server runs",
            Endpoint::ContractModule,
            Success::Wasm,
            &["200", "404.3"],
        ),
        public(
            "/modules/{sha256}",
            "getModule",
            "a module file by its SHA-256 (`<hex>.wasm`)",
            Endpoint::ModuleByHash,
            Success::Wasm,
            &["200", "404"],
        ),
        public(
            "/catalogue",
            "getCatalogue",
            "the error catalogue",
            Endpoint::Catalogue,
            Success::Json("Catalogue"),
            &["200"],
        ),
        public(
            "/healthz",
            "health",
            "whether the process is alive (liveness): it answers whenever it can answer at all",
            Endpoint::Health,
            Success::Json("Health"),
            &["200"],
        ),
        public(
            "/readyz",
            "ready",
            "whether this host can serve (readiness): the database answers and every contract's module is loaded",
            Endpoint::Ready,
            Success::Json("Ready"),
            &["200", "503"],
        ),
        public("/metrics", "metrics", "Prometheus metrics", Endpoint::Metrics, Success::Text, &["200"]),
        public(
            "/openapi.json",
            "openapi",
            "this document",
            Endpoint::OpenApi,
            Success::Json("OpenApiDocument"),
            &["200"],
        ),
    ]);
    routes
}
