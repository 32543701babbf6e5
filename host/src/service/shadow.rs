//! Shadow evaluation: a contract's `shadow` module decides every call as
//! well, after the primary, off the answer's path. Its outcome is only
//! compared with the primary's (canonical bytes, so the merged entity
//! counts too) and counted in `pactum_shadow_evaluations_total`; the answer
//! and the commit are always the primary's. A divergence is logged with the
//! two decisions as codes and pointers only: no value, which may be
//! personal data.
//!
//! The shadow's own limits: its module's fuel, memory and deadline per call
//! (it always runs in fresh instances), and at most [`MAX_SHADOW_CALLS`] at
//! once in the process; a call that finds them all busy is not shadowed
//! (`skipped`), so a slow shadow never queues behind or ahead of real work.

use std::sync::{Arc, OnceLock};

use pactum_core::wire::{Call, Outcome, to_bytes};
use tokio::sync::Semaphore;

use crate::registry::RegisteredContract;
use crate::telemetry::{SHADOW_EVALUATIONS, SHADOW_RESULTS};

/// Shadow calls running at once in this process.
pub const MAX_SHADOW_CALLS: usize = 2;

fn slots() -> Arc<Semaphore> {
    static SLOTS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    Arc::clone(SLOTS.get_or_init(|| Arc::new(Semaphore::new(MAX_SHADOW_CALLS))))
}

/// Puts a contract's shadow counters at zero, so they are present before
/// its first call.
pub(super) fn announce(id: &str) {
    // The contracts load before the router is built: install the recorder
    // now, or these zeros would go nowhere.
    let _ = crate::telemetry::recorder();
    for result in SHADOW_RESULTS {
        metrics::counter!(SHADOW_EVALUATIONS, "contract" => id.to_owned(), "result" => *result).absolute(0);
    }
}

/// Runs `call` through `contract`'s shadow module later, on a blocking
/// thread of the current runtime, and compares it with `primary`. Returns
/// at once. Does nothing for a contract without a shadow.
pub(super) fn compare_later(id: &str, contract: &Arc<RegisteredContract>, call: Call, primary: &Outcome) {
    if contract.shadow.is_none() {
        return;
    }
    let count = |result: &'static str| {
        metrics::counter!(SHADOW_EVALUATIONS, "contract" => id.to_owned(), "result" => result).increment(1);
    };
    let Ok(permit) = slots().try_acquire_owned() else {
        count("skipped");
        return;
    };
    let (id, contract, primary) = (id.to_owned(), Arc::clone(contract), primary.clone());
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        count("skipped");
        return;
    };
    runtime.spawn_blocking(move || {
        let _permit = permit;
        let Some(shadow) = &contract.shadow else { return };
        let count = |result: &'static str| {
            metrics::counter!(SHADOW_EVALUATIONS, "contract" => id.clone(), "result" => result).increment(1);
        };
        match shadow.evaluate(&contract.document, call) {
            Ok(outcome) if to_bytes(&outcome) == to_bytes(&primary) => count("agree"),
            Ok(outcome) => {
                count("diverge");
                tracing::warn!(
                    contract = %id,
                    primary = %crate::redact::outcome(&primary),
                    shadow = %crate::redact::outcome(&outcome),
                    "the shadow module decided otherwise"
                );
            }
            Err(error) => {
                count("failed");
                tracing::warn!(contract = %id, kind = error.kind(), %error, "the shadow module failed");
            }
        }
    });
}
