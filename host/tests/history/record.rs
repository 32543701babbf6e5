//! The recorder: every request a client made and the answer it got, with
//! its invocation and completion times on one clock (microseconds since the
//! run started).

use std::sync::Mutex;
use std::time::Instant;

use serde_json::{Map, Value};

/// The `client` of the setup's requests (the entities the run starts with).
pub const SETUP: usize = 1000;
/// The `client` of the reads made after every client stopped.
pub const FINAL: usize = 1001;

/// What a request asked for.
#[derive(Debug, Clone)]
pub enum Op {
    /// 1001 with this body.
    Create { body: Value },
    /// 1003 with this body, `If-Match` when `if_match` is set.
    Put { body: Value, if_match: Option<i64> },
    /// 2004 with `code`. `value` is the mobile number the gateway received
    /// that code for (a right code); `None` for a made-up code.
    Verify { code: String, value: Option<String> },
    /// 1004.
    Delete,
    /// 1002.
    Get,
}

/// One request and its answer.
#[derive(Debug, Clone)]
pub struct Record {
    /// Its position in the history.
    pub id: usize,
    pub client: usize,
    pub host: String,
    /// The entity it names (a create: the one it made, if any).
    pub entity: Option<i64>,
    pub op: Op,
    pub invoked_us: u64,
    pub completed_us: u64,
    /// The HTTP status; 0 when no answer came.
    pub status: u16,
    /// The body's `code` (`204` for a verify's empty answer).
    pub code: String,
    /// The `ETag`'s version, when the answer has one.
    pub version: Option<i64>,
    /// A success answer's entity, its fields only (no `dpKeyid`).
    pub body: Option<Map<String, Value>>,
    /// The transport error, when no answer came.
    pub error: Option<String>,
}

impl Record {
    /// The operation kind, for the counts: what the request did, not how it was answered.
    pub fn kind(&self) -> String {
        match &self.op {
            Op::Create { .. } => "POST".to_owned(),
            Op::Put { body, if_match } => {
                let mut kind = "PUT".to_owned();
                for special in [super::model::EMAIL, super::model::MOBILE] {
                    if let Some(value) = body.get(special) {
                        kind.push_str(if value.is_null() { " clear " } else { " " });
                        kind.push_str(special);
                    }
                }
                if if_match.is_some() {
                    kind.push_str(" If-Match");
                }
                kind
            }
            Op::Verify { value: Some(_), .. } => "verify right code".to_owned(),
            Op::Verify { value: None, .. } => "verify wrong code".to_owned(),
            Op::Delete => "DELETE".to_owned(),
            Op::Get if self.client == FINAL => "GET final".to_owned(),
            Op::Get => "GET".to_owned(),
        }
    }

    /// The answer is a success (2xx): the operation took effect or was a no-op.
    pub fn acked(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// One line naming the request and its answer, for evidence.
    pub fn describe(&self) -> String {
        let what = match &self.op {
            Op::Create { body } | Op::Put { body, if_match: None } => format!(" {body}"),
            Op::Put { body, if_match: Some(version) } => format!(" {body} If-Match {version}"),
            Op::Verify { code, value: Some(value) } => format!(" code {code} (sent for {value})"),
            Op::Verify { code, value: None } => format!(" code {code} (made up)"),
            Op::Delete | Op::Get => String::new(),
        };
        let version = self.version.map_or_else(|| "-".to_owned(), |version| format!("v{version}"));
        let answer = match (&self.error, &self.body) {
            (Some(error), _) => format!("no answer: {error}"),
            (None, Some(body)) => format!("{} {} {version} {}", self.status, self.code, Value::Object(body.clone())),
            (None, None) => format!("{} {} {version}", self.status, self.code),
        };
        format!(
            "#{} {} entity {} via {} (client {}, {:.3}-{:.3} s){what} -> {answer}",
            self.id,
            self.kind(),
            self.entity.map_or_else(|| "-".to_owned(), |id| id.to_string()),
            self.host,
            self.client,
            seconds(self.invoked_us),
            seconds(self.completed_us),
        )
    }
}

fn seconds(us: u64) -> f64 {
    std::time::Duration::from_micros(us).as_secs_f64()
}

/// The history of one run, shared by every client.
#[derive(Debug)]
pub struct History {
    start: Instant,
    records: Mutex<Vec<Record>>,
}

impl Default for History {
    fn default() -> Self {
        Self { start: Instant::now(), records: Mutex::new(Vec::new()) }
    }
}

impl History {
    /// Microseconds since the run started.
    pub fn now_us(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// Appends `record` under the next id; answers it as stored.
    pub fn push(&self, mut record: Record) -> Record {
        let mut records = self.records.lock().unwrap();
        record.id = records.len();
        records.push(record.clone());
        record
    }

    pub fn records(&self) -> Vec<Record> {
        self.records.lock().unwrap().clone()
    }
}
