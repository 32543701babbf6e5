//! The codes the gateway received, by entity: how a client learns the right
//! code, and which mobile number it was sent for (the webhook's `to`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::common::gateway::Gateway;

/// One code as the gateway received it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub code: String,
    /// The recipient: the pending mobile number.
    pub to: String,
}

#[derive(Debug, Default)]
pub struct CodeBook {
    /// Per entity, its SMS codes in the order they arrived.
    by_entity: Mutex<BTreeMap<i64, Vec<Sent>>>,
}

impl CodeBook {
    /// Follows `gateway` until the handle is aborted.
    pub fn follow(self: &Arc<Self>, gateway: Gateway) -> JoinHandle<()> {
        let book = Arc::clone(self);
        tokio::spawn(async move {
            let mut from = 0;
            loop {
                let new = gateway.answered_from(from);
                from += new.len();
                for posted in new.iter().filter(|posted| posted.body["field"] == super::model::MOBILE) {
                    let (Some(entity), Some(code), Some(to)) =
                        (posted.body["entity"].as_i64(), posted.body["code"].as_str(), posted.body["to"].as_str())
                    else {
                        continue;
                    };
                    let sent = Sent { code: code.to_owned(), to: to.to_owned() };
                    book.by_entity.lock().unwrap().entry(entity).or_default().push(sent);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    }

    /// The last code that arrived for `entity`.
    pub fn latest(&self, entity: i64) -> Option<Sent> {
        self.by_entity.lock().unwrap().get(&entity).and_then(|sent| sent.last()).cloned()
    }

    /// Every code that arrived for `entity`.
    pub fn sent(&self, entity: i64) -> Vec<Sent> {
        self.by_entity.lock().unwrap().get(&entity).cloned().unwrap_or_default()
    }
}
