//! The generator: clients running random operations against a small set
//! of shared entities until the deadline, each request to the next host in
//! turn.
//!
//! - PUTs of 1-3 random plain fields (fresh values; `null` clears an
//!   optional one), sometimes with the pool's e-mail (or `null`) or mobile
//!   (or `null`), 25 % with `If-Match` of the version the client last saw;
//! - verifies with the last code the gateway received for the entity, and
//!   with made-up codes; reads;
//! - creates claiming pool values (while fewer than `MAX_LIVE` entities are
//!   live); rare deactivations, at most one per `DELETE_EVERY` of the run,
//!   the unique values of a deactivated entity replaced in the pools by
//!   spares so that the contention does not run out.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};

use super::client::{Caller, Host};
use super::codes::CodeBook;
use super::model::{EMAIL, MOBILE, PLAIN, REQUIRED};
use super::record::{Op, Record};
use super::rng::Rng;

/// Entities in play at the start; deactivations stop at `MIN_LIVE`,
/// creates at `MAX_LIVE`.
pub const INITIAL: usize = 4;
const MIN_LIVE: usize = 3;
const MAX_LIVE: usize = 6;
/// Values of each pool in contention at once.
const POOL: usize = 8;
pub const DELETE_EVERY: Duration = Duration::from_millis(1500);

/// The unique values the clients draw from.
#[derive(Debug)]
pub struct Pools {
    pub mobiles: Vec<String>,
    pub emails: Vec<String>,
    spare_mobiles: Vec<String>,
    spare_emails: Vec<String>,
}

impl Pools {
    /// `POOL` values of each, and `spares` more to replace deactivated ones.
    pub fn new(spares: usize) -> Self {
        let mobiles: Vec<String> = (0..POOL + spares).map(|n| format!("+45281{n:05}")).collect();
        let emails: Vec<String> = (0..POOL + spares).map(|n| format!("pool{n}@history.test")).collect();
        let (mobiles, spare_mobiles) = (mobiles[..POOL].to_vec(), mobiles[POOL..].iter().rev().cloned().collect());
        let (emails, spare_emails) = (emails[..POOL].to_vec(), emails[POOL..].iter().rev().cloned().collect());
        Self { mobiles, emails, spare_mobiles, spare_emails }
    }

    /// Every mobile number the run may use.
    pub fn every_mobile(&self) -> Vec<String> {
        self.mobiles.iter().chain(&self.spare_mobiles).cloned().collect()
    }

    /// Takes `value` out of contention (an inactive entity keeps it).
    fn retire(&mut self, value: &str) {
        for (pool, spares) in [(&mut self.mobiles, &mut self.spare_mobiles), (&mut self.emails, &mut self.spare_emails)]
        {
            if let Some(at) = pool.iter().position(|held| held == value)
                && let Some(spare) = spares.pop()
            {
                pool[at] = spare;
            }
        }
    }
}

/// What every client shares.
#[derive(Debug)]
pub struct Workload {
    pub caller: Caller,
    pub hosts: Vec<Host>,
    pub book: std::sync::Arc<CodeBook>,
    pub pools: Mutex<Pools>,
    /// Entities the clients mostly target: not deactivated as far as they know.
    pub live: Mutex<Vec<i64>>,
    /// Every entity of the run, deactivated ones too.
    pub all: Mutex<Vec<i64>>,
    deletes: AtomicUsize,
    fresh: AtomicU64,
    started: Instant,
    /// The control run: one request at a time over all clients.
    serial: Option<tokio::sync::Mutex<()>>,
}

impl Workload {
    /// `serial`: the clients take turns, so the server sees one request at a
    /// time (a history that is linearizable by construction).
    pub fn new(caller: Caller, hosts: Vec<Host>, book: std::sync::Arc<CodeBook>, pools: Pools, serial: bool) -> Self {
        Self {
            caller,
            hosts,
            book,
            pools: Mutex::new(pools),
            live: Mutex::new(Vec::new()),
            all: Mutex::new(Vec::new()),
            deletes: AtomicUsize::new(0),
            fresh: AtomicU64::new(0),
            started: Instant::now(),
            serial: serial.then(|| tokio::sync::Mutex::new(())),
        }
    }

    /// Adds an entity the setup made.
    pub fn adopt(&self, id: i64) {
        self.live.lock().unwrap().push(id);
        self.all.lock().unwrap().push(id);
    }

    /// One client: operations until `deadline`.
    pub async fn client(&self, n: usize, seed: u64, deadline: Instant) {
        let mut rng = Rng::new(seed ^ (n as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let mut seen: BTreeMap<i64, i64> = BTreeMap::new();
        let mut turn = n;
        while Instant::now() < deadline {
            let host = &self.hosts[turn % self.hosts.len()];
            turn += 1;
            let _turn = match &self.serial {
                Some(serial) => Some(serial.lock().await),
                None => None,
            };
            let (entity, op) = self.choose(n, &mut rng, &seen);
            let record = self.caller.run(n, host, entity, op).await;
            self.learn(&record, &mut seen);
        }
    }

    fn choose(&self, n: usize, rng: &mut Rng, seen: &BTreeMap<i64, i64>) -> (Option<i64>, Op) {
        let live = self.live.lock().unwrap().clone();
        let all = self.all.lock().unwrap().clone();
        let entity = if rng.percent(8) { rng.pick(&all) } else { rng.pick(&live) }.copied();
        let Some(id) = entity else { return (None, Op::Create { body: self.create_body(n, rng) }) };
        let roll = rng.below(1000);
        let right = if (120..270).contains(&roll) { self.book.latest(id) } else { None };
        let op = match (roll, right) {
            (0..10, _) if self.may_deactivate(live.len()) => Op::Delete,
            (10..40, _) if live.len() < MAX_LIVE => return (None, Op::Create { body: self.create_body(n, rng) }),
            (40..120, _) => Op::Get,
            (_, Some(sent)) => Op::Verify { code: sent.code, value: Some(sent.to) },
            (120..320, _) => Op::Verify { code: format!("{:010}", rng.next() % 10_000_000_000), value: None },
            _ => {
                let if_match = if rng.percent(25) { seen.get(&id).copied() } else { None };
                Op::Put { body: self.put_body(n, rng), if_match }
            }
        };
        (Some(id), op)
    }

    /// One more deactivation, if the run's budget so far and the live set allow.
    fn may_deactivate(&self, live: usize) -> bool {
        let elapsed = self.started.elapsed().as_millis() / DELETE_EVERY.as_millis();
        let allowed = 1 + usize::try_from(elapsed).unwrap_or(usize::MAX);
        live > MIN_LIVE
            && self
                .deletes
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |done| (done < allowed).then_some(done + 1))
                .is_ok()
    }

    fn fresh(&self, n: usize, field: &str) -> Value {
        Value::String(format!("{field} {n}.{}", self.fresh.fetch_add(1, Ordering::Relaxed)))
    }

    fn put_body(&self, n: usize, rng: &mut Rng) -> Value {
        let mut body = Map::new();
        let special = rng.below(100);
        let plain = if special < 36 { rng.below(3) } else { 1 + rng.below(3) };
        for _ in 0..plain {
            let field = PLAIN[rng.below(PLAIN.len())];
            let value = if field != REQUIRED && rng.percent(15) { Value::Null } else { self.fresh(n, field) };
            body.insert(field.to_owned(), value);
        }
        let pools = self.pools.lock().unwrap();
        if special < 18 {
            let email = if rng.percent(12) { None } else { rng.pick(&pools.emails) };
            body.insert(EMAIL.to_owned(), email.map_or(Value::Null, |email| json!(email)));
        } else if special < 36 {
            let mobile = if rng.percent(8) { None } else { rng.pick(&pools.mobiles) };
            body.insert(MOBILE.to_owned(), mobile.map_or(Value::Null, |mobile| json!(mobile)));
        }
        Value::Object(body)
    }

    fn create_body(&self, n: usize, rng: &mut Rng) -> Value {
        let mut body = Map::new();
        body.insert(REQUIRED.to_owned(), self.fresh(n, REQUIRED));
        if rng.percent(50) {
            body.insert("city".to_owned(), self.fresh(n, "city"));
        }
        let pools = self.pools.lock().unwrap();
        if rng.percent(60)
            && let Some(email) = rng.pick(&pools.emails)
        {
            body.insert(EMAIL.to_owned(), json!(email));
        }
        if rng.percent(50)
            && let Some(mobile) = rng.pick(&pools.mobiles)
        {
            body.insert(MOBILE.to_owned(), json!(mobile));
        }
        Value::Object(body)
    }

    /// What a client takes from an answer: the version it saw, a new
    /// entity, a deactivated one.
    fn learn(&self, record: &Record, seen: &mut BTreeMap<i64, i64>) {
        let (Some(id), true) = (record.entity, record.acked()) else { return };
        if let Some(version) = record.version {
            seen.insert(id, version);
        }
        match record.op {
            Op::Create { .. } => self.adopt(id),
            Op::Delete => {
                self.live.lock().unwrap().retain(|live| *live != id);
                let mut pools = self.pools.lock().unwrap();
                for field in [EMAIL, MOBILE] {
                    if let Some(Value::String(value)) = record.body.as_ref().and_then(|body| body.get(field)) {
                        pools.retire(value);
                    }
                }
            }
            _ => {}
        }
    }
}
