//! 1002: read an entity's data as a contract shows it.

use super::view::EntityView;
use super::{Accounts, Answer, Problem, Target};
use crate::apps::{AppConfig, Permission};

impl Accounts {
    /// Endpoint 1002: needs `read`. Answers in the same format as the writes
    /// (code `200`, the entity). An inactive entity is still shown: it
    /// exists, and still holds its values (400.5 names them).
    pub async fn read(&self, app: &AppConfig, target: &Target, contract: Option<&str>) -> Result<Answer, Problem> {
        let (contract_id, set) = self.contract_for(app, Permission::Read, contract)?;
        let registered = set.require(contract_id)?;
        let entity = self.find(target).await?;
        Ok(Answer {
            code: "200",
            // The catalogue's "200" speaks of an update; a read says what it is.
            message: "the account's data as the contract shows it",
            entity: EntityView::of(&entity, set.fields(contract_id), app.ext_key_type.as_deref()),
            pending: Vec::new(),
            version: entity.version,
            retry_after: None,
            module_sha256: registered.module.sha256().to_owned(),
        })
    }
}
