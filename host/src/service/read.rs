//! 1002: read an entity's data as a contract shows it.

use super::view::EntityView;
use super::{Accounts, Target};
use crate::apps::{AppConfig, Permission};
use crate::http::Problem;

/// A read's answer: the view, and what goes into `ETag` / `Pactum-Module`.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub entity: EntityView,
    pub version: i64,
    pub module_sha256: String,
}

impl Accounts {
    /// Endpoint 1002: needs `read`. An inactive entity is still shown: it exists, and
    /// still holds its values (400.5 names them).
    pub async fn read(&self, app: &AppConfig, target: &Target, contract: Option<&str>) -> Result<Read, Problem> {
        let (contract_id, registered) = self.contract_for(app, Permission::Read, contract)?;
        let entity = self.find(target).await?;
        Ok(Read {
            entity: EntityView::of(&entity, self.fields.get(contract_id), app.ext_key_type.as_deref()),
            version: entity.version,
            module_sha256: registered.module.sha256().to_owned(),
        })
    }
}
