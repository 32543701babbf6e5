//! 2004: complete a verification with the code the user received.

use super::write::{taken, write_problem};
use super::{Accounts, Problem, Target, now, require};
use crate::apps::{AppConfig, Permission};
use crate::store::VerifyOutcome;
use crate::verification::code;

impl Accounts {
    /// Endpoint 2004: needs `verify`. Applies the pending change the code belongs to
    /// (re-checking uniqueness: 400.2 / 400.4 / 400.5), or activates an
    /// unverified entity. Answers the entity's new version.
    ///
    /// Wrong codes count against the pending change's attempts (403, then
    /// 403.2 when they are used up and it is cancelled); an expired code is
    /// 403.1. Each of those is committed before the answer.
    pub async fn verify(&self, app: &AppConfig, target: &Target, candidate: &str) -> Result<i64, Problem> {
        require(app, Permission::Verify)?;
        if !code::LENGTHS.contains(&candidate.len()) || !candidate.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(Problem::new("400.23").detail("a code is 4 to 10 digits"));
        }
        let id = self.id_of(target).await?;
        let _queued = self.queue.enter(id).await;
        // The store reads the entity and its pending changes in the write
        // transaction and applies the value onto that row.
        let outcome = self
            .store
            .verify(id, &app.name, now(), &self.codes.matcher(candidate))
            .await
            .map_err(|error| write_problem(error, &[], Some(target)))?;
        match outcome {
            VerifyOutcome::Verified { entity, field } => {
                tracing::info!(entity = entity.id, field, app = %app.name, "verified");
                Ok(entity.version)
            }
            VerifyOutcome::Mismatch { attempts_left: 0 } => {
                Err(Problem::new("403.2").detail("too many wrong codes: the pending change was cancelled"))
            }
            VerifyOutcome::Mismatch { attempts_left } => {
                Err(Problem::new("403").detail(format!("the code does not match; {attempts_left} attempts left")))
            }
            VerifyOutcome::Expired => {
                Err(Problem::new("403.1").detail("the code expired: the pending change was cancelled"))
            }
            VerifyOutcome::Taken { field, holder_id, holder_status } => {
                let role = self.role_of(app, &field);
                Err(taken(&field, role.as_deref(), holder_id, holder_status))
            }
            VerifyOutcome::NotNeeded => Err(Problem::new("501.2")),
            VerifyOutcome::NoCode => Err(Problem::new("501.3")),
        }
    }

    /// The `x-pactum-role` of a top-level field, looked up in the app's
    /// contracts (its default first): a pending change does not record the
    /// contract it came through.
    fn role_of(&self, app: &AppConfig, field: &str) -> Option<String> {
        let set = self.current();
        std::iter::once(&app.default_contract).chain(&app.contracts).filter_map(|id| set.get(id)).find_map(|contract| {
            contract.document.schema.pointer(&format!("/properties/{field}/x-pactum-role"))?.as_str().map(str::to_owned)
        })
    }
}
