//! The entity and contract a path names, in both addressing forms:
//! `/dp-keyid/{dp-keyid}/...` and `/ext-key/{ext-key}/{ext-type}/...`, with
//! an optional `{contract-id}`.

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;

use crate::service::{Problem, Target};

/// Path parameter names, shared with the route table.
pub const DP_KEYID: &str = "dp-keyid";
pub const EXT_KEY: &str = "ext-key";
pub const EXT_TYPE: &str = "ext-type";
pub const CONTRACT_ID: &str = "contract-id";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locator {
    /// `None` on the create routes, which name no entity.
    pub target: Option<Target>,
    pub contract: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Locator {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(mut params) = Path::<BTreeMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| Problem::new("404").detail(rejection.body_text()))?;
        let contract = params.remove(CONTRACT_ID);
        let target = match (params.remove(DP_KEYID), params.remove(EXT_KEY), params.remove(EXT_TYPE)) {
            // A dp-keyid is a positive integer; anything else names no entity.
            (Some(id), _, _) => Some(Target::DpKeyid(id.parse().ok().filter(|id| *id > 0).ok_or_else(|| {
                Problem::new("404.1").detail(format!("`{id}` is not a dp-keyid (a positive integer)"))
            })?)),
            (None, Some(ext_key), Some(ext_type)) => Some(Target::ExtKey { ext_key, ext_type }),
            _ => None,
        };
        Ok(Self { target, contract })
    }
}

impl Locator {
    /// The entity, for routes whose path always names one.
    pub fn entity(&self) -> Result<&Target, Problem> {
        self.target.as_ref().ok_or_else(|| Problem::internal(&"a route without an entity asked for one"))
    }
}
