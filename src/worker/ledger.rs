//! The ledger: one SQLite-backed Durable Object per ingest route and hash bucket of the event id (no single object
//! carries all traffic). Each shard accepts its events exactly once and records their fate — metadata only: route,
//! vendor, id, type, status, attempts with their time and the origin's status. The only payloads it holds are dead
//! letters', for the retention window, so they can be replayed; the admin API never shows them.
//!
//! Accepting is one call: the object claims the id (an insert that only one request can win, the object being
//! single-threaded), puts the event on the queue, and only then answers `queued`. A concurrent copy of the same
//! event waits for that answer and is a duplicate; a failed send removes the claim, so the vendor's retry is
//! accepted.

use super::config::{self, Route};
use super::message::Message;
use crate::event::{CloudEvent, Head};
use crate::gateway::{self, STATUSES};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::time::Duration;
use worker::{
    durable_object, wasm_bindgen, Delay, DurableObject, Env, Method, Request, RequestInit, Response, Result, State,
};
use worker::{SqlStorage, SqlStorageValue as V};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events (
  source TEXT NOT NULL, id TEXT NOT NULL, vendor TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
  gen INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, last_status INTEGER,
  replays INTEGER NOT NULL DEFAULT 0, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  PRIMARY KEY (source, id));
CREATE INDEX IF NOT EXISTS events_by_time ON events (received_at);
CREATE TABLE IF NOT EXISTS attempts (
  source TEXT NOT NULL, id TEXT NOT NULL, gen INTEGER NOT NULL, n INTEGER NOT NULL, at INTEGER NOT NULL,
  status INTEGER, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_by_event ON attempts (source, id);
CREATE TABLE IF NOT EXISTS occurrences (
  source TEXT NOT NULL, base TEXT NOT NULL, n INTEGER NOT NULL, first_at INTEGER NOT NULL,
  PRIMARY KEY (source, base));
CREATE TABLE IF NOT EXISTS letters (
  source TEXT NOT NULL, id TEXT NOT NULL, event TEXT, payload_key TEXT, expires_at INTEGER NOT NULL,
  PRIMARY KEY (source, id));
CREATE TABLE IF NOT EXISTS leases (
  source TEXT NOT NULL, id TEXT NOT NULL, gen INTEGER NOT NULL, until INTEGER NOT NULL,
  PRIMARY KEY (source, id, gen));";

/// How long a delivery's lease outlives the origin's timeout: time for its attempt to be put on record. A consumer
/// that stops mid-delivery holds the generation this long at most; its message then comes back and is delivered.
const LEASE_MARGIN_MS: i64 = 60_000;

/// How long a concurrent copy of an event waits for the first copy's queue send.
const WAIT_FOR_CLAIM: Duration = Duration::from_secs(15);
/// How often a shard prunes what is past retention.
const PRUNE_EVERY_MS: i64 = 10 * 60 * 1000;
/// Most events one bulk replay call sends.
const REPLAY_BATCH: i64 = 1000;

#[durable_object(fetch)]
pub struct Ledger {
    state: State,
    env: Env,
    /// Events whose queue send is in flight, as `source\nid`.
    inflight: RefCell<HashSet<String>>,
    pruned_at: Cell<i64>,
    /// This object's shard number, as every call names it (`?shard=`): written into the messages it queues.
    shard: Cell<Option<u32>>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger").field("inflight", &self.inflight.borrow().len()).finish_non_exhaustive()
    }
}

impl DurableObject for Ledger {
    fn new(state: State, env: Env) -> Self {
        let _ = state.storage().sql().exec(SCHEMA, None);
        Ledger { state, env, inflight: RefCell::new(HashSet::new()), pruned_at: Cell::new(0), shard: Cell::new(None) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let op = req.path();
        if let Some(n) = req.url()?.query_pairs().find(|(k, _)| k == "shard").and_then(|(_, v)| v.parse().ok()) {
            self.shard.set(Some(n));
        }
        let body = req.text().await.unwrap_or_default();
        let now = config::now_ms();
        self.prune(now);
        match op.trim_start_matches('/') {
            "accept" => self.accept(&body, now).await,
            "prior" => self.prior(&body),
            "begin" => self.begin(&body, now),
            "attempt" => self.attempt(&body, now),
            "dead" => self.dead(&body, now),
            "replay" => self.replay(&body, now).await,
            "replay-all" => self.replay_all(&body, now).await,
            "list" => self.list(&body),
            "get" => self.get(&body),
            "stats" => self.stats(),
            _ => Response::error("no such ledger operation", 404),
        }
    }
}

/// What `accept` is given: the route, its repeat window, the event's head and what an earlier shard of the route
/// knows of it (see [`Prior`]); the request's second line on is the event's `data`.
#[derive(Serialize, Deserialize)]
struct AcceptMeta {
    route: String,
    window: u64,
    head: Head,
    #[serde(default)]
    prior: Option<Prior>,
}

/// What the shard an event would have lived on under an earlier shard count (`previousShards`) knows of it, asked
/// before the event is accepted on its shard now: the repeat counter of a content-derived id, and the record of the
/// id it stands for. The accepting shard's own record, when it has one, comes first.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Prior {
    /// The occurrence counter of a content-derived id (`n`, `first_at` in ms).
    occurrence: Option<Occurrence>,
    /// The id the earlier shard's record is under (for a derived id, its latest occurrence's).
    id: String,
    /// That record's status; `None` when there is none.
    status: Option<String>,
}

impl Prior {
    fn found(&self) -> bool {
        self.occurrence.is_some() || self.status.is_some()
    }

    /// Whether the earlier shard holds `id` as queued, delivered or dead: the vendor's retry of an event accepted
    /// before the change. A record still `received` (a send under way or abandoned there) is not enough.
    fn settles(&self, id: &str) -> bool {
        self.id == id && self.status.as_deref().is_some_and(|s| s != "received")
    }
}

/// A content-derived id's repeat counter.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Occurrence {
    n: u32,
    first_at: i64,
}

/// What `prior` is asked: the route, the event id (the base of a content-derived one) and whether it is derived.
#[derive(Serialize, Deserialize)]
struct PriorQuery {
    source: String,
    id: String,
    derived: bool,
}

/// Names one event (and, for the consumer, the generation of the message it holds).
#[derive(Serialize, Deserialize)]
struct Key {
    source: String,
    id: String,
    #[serde(default)]
    gen: u32,
}

/// One delivery attempt of a message, as the consumer reports it: attempt `n`, the origin's status if it answered,
/// and the outcome's word.
#[derive(Debug, Serialize, Deserialize)]
pub struct AttemptReport {
    source: String,
    id: String,
    gen: u32,
    n: u32,
    status: Option<u16>,
    outcome: String,
}

/// What `attempt` is given for one route and shard: the attempts made, and the messages whose delivery was not
/// tried (trouble on this side), whose leases end too.
#[derive(Serialize, Deserialize)]
pub struct Settled {
    reports: Vec<AttemptReport>,
    release: Vec<Key>,
}

impl Settled {
    pub fn new<'a>(reports: Vec<AttemptReport>, unattempted: impl IntoIterator<Item = &'a Message>) -> Self {
        let release =
            unattempted.into_iter().map(|m| Key { source: m.source.clone(), id: m.id.clone(), gen: m.gen }).collect();
        Settled { reports, release }
    }
}

impl AttemptReport {
    pub fn new(m: &Message, n: u32, status: Option<u16>, outcome: &str) -> Self {
        AttemptReport { source: m.source.clone(), id: m.id.clone(), gen: m.gen, n, status, outcome: outcome.into() }
    }
}

#[derive(Serialize, Deserialize)]
struct Query {
    status: Option<String>,
    limit: u32,
}

#[derive(Deserialize)]
struct Row {
    source: String,
    id: String,
    vendor: String,
    #[serde(rename = "type")]
    ty: String,
    status: String,
    gen: u32,
    attempts: u32,
    last_status: Option<u16>,
    replays: u32,
    received_at: i64,
    updated_at: i64,
}

impl Row {
    fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(self.to_map())
    }

    /// The record as the admin API shows it: metadata only.
    fn to_map(&self) -> serde_json::Map<String, serde_json::Value> {
        let serde_json::Value::Object(map) = json!({
            "source": self.source, "id": self.id, "vendor": self.vendor, "type": self.ty, "status": self.status,
            "attempts": self.attempts, "receivedAt": rfc3339_ms(self.received_at), "lastStatus": self.last_status,
            "updatedAt": rfc3339_ms(self.updated_at), "replays": self.replays,
        }) else {
            return serde_json::Map::new();
        };
        map
    }
}

fn rfc3339_ms(ms: i64) -> String {
    crate::date::rfc3339(ms.div_euclid(1000))
}

const ROW: &str =
    "SELECT source, id, vendor, type, status, gen, attempts, last_status, replays, received_at, updated_at FROM events";

fn s(text: &str) -> V {
    V::String(text.to_owned())
}

fn json_reply(status: u16, value: &serde_json::Value) -> Result<Response> {
    Response::from_json(value).map(|r| r.with_status(status))
}

impl Ledger {
    fn sql(&self) -> SqlStorage {
        self.state.storage().sql()
    }

    fn row(&self, source: &str, id: &str) -> Result<Option<Row>> {
        let rows: Vec<Row> =
            self.sql().exec(&format!("{ROW} WHERE source = ? AND id = ?"), vec![s(source), s(id)])?.to_array()?;
        Ok(rows.into_iter().next())
    }

    /// Drops what is past retention, at most once per [`PRUNE_EVERY_MS`]: finished records, their attempts, the
    /// occurrence counters and dead letters' payloads.
    fn prune(&self, now: i64) {
        if now - self.pruned_at.get() < PRUNE_EVERY_MS {
            return;
        }
        self.pruned_at.set(now);
        let cutoff = now - i64::from(config::retention_days(&self.env)) * 86_400_000;
        let sql = self.sql();
        let _ = sql.exec("DELETE FROM letters WHERE expires_at < ?", vec![V::Integer(now)]);
        let _ = sql.exec(
            "DELETE FROM events WHERE updated_at < ? AND status IN ('delivered', 'dead')",
            vec![V::Integer(cutoff)],
        );
        let _ = sql.exec("DELETE FROM attempts WHERE at < ?", vec![V::Integer(cutoff)]);
        let _ = sql.exec("DELETE FROM occurrences WHERE first_at < ?", vec![V::Integer(cutoff)]);
        let _ = sql.exec("DELETE FROM leases WHERE until < ?", vec![V::Integer(now)]);
    }

    /// The repeat counter of a content-derived id on this shard.
    fn counter(&self, source: &str, base: &str) -> Result<Option<Occurrence>> {
        let found: Vec<Occurrence> = self
            .sql()
            .exec("SELECT n, first_at FROM occurrences WHERE source = ? AND base = ?", vec![s(source), s(base)])?
            .to_array()?;
        Ok(found.into_iter().next())
    }

    /// The id of this occurrence of a content-derived id: the same while repeats are the vendor's retries, a new
    /// one (`<id>~2`, `~3`, ...) for a repeat after the window. With no counter of its own, the shard starts from
    /// `seed`, an earlier shard's (see [`Prior`]).
    fn occurrence(&self, source: &str, base: &str, now: i64, window: u64, seed: Option<Occurrence>) -> Result<String> {
        let sql = self.sql();
        let found = match (self.counter(source, base)?, seed) {
            (None, Some(o)) => {
                sql.exec(
                    "INSERT INTO occurrences (source, base, n, first_at) VALUES (?, ?, ?, ?)",
                    vec![s(source), s(base), V::Integer(o.n.into()), V::Integer(o.first_at)],
                )?;
                Some(o)
            }
            (own, _) => own,
        };
        match found {
            None => {
                sql.exec(
                    "INSERT INTO occurrences (source, base, n, first_at) VALUES (?, ?, 1, ?)",
                    vec![s(source), s(base), V::Integer(now)],
                )?;
                Ok(base.to_owned())
            }
            Some(o) if gateway::is_retry(o.first_at, now, window) => Ok(gateway::occurrence_id(base, o.n)),
            Some(o) => {
                let n = o.n.saturating_add(1);
                sql.exec(
                    "UPDATE occurrences SET n = ?, first_at = ? WHERE source = ? AND base = ?",
                    vec![V::Integer(n.into()), V::Integer(now), s(source), s(base)],
                )?;
                Ok(gateway::occurrence_id(base, n))
            }
        }
    }

    async fn accept(&self, body: &str, now: i64) -> Result<Response> {
        let Some((meta, data)) = body.split_once('\n') else {
            return Response::error("accept: no event", 400);
        };
        let Ok(AcceptMeta { route, window, mut head, prior }) = serde_json::from_str(meta) else {
            return Response::error("accept: unreadable", 400);
        };
        if head.derived_id {
            head.id = self.occurrence(&route, &head.id, now, window, prior.as_ref().and_then(|p| p.occurrence))?;
        }
        let id = head.id.clone();
        let key = format!("{route}\n{id}");
        let started = config::now_ms();
        loop {
            match self.row(&route, &id)? {
                Some(row) if row.status != "received" => return accepted("duplicate", &id),
                Some(_) if self.inflight.borrow().contains(&key) => {
                    // A copy of this event is being queued right now: its answer is this one's.
                    if config::now_ms() - started > WAIT_FOR_CLAIM.as_millis() as i64 {
                        return accepted("busy", &id);
                    }
                    Delay::from(Duration::from_millis(20)).await;
                }
                // A claim left by an earlier instance that stopped mid-send: send again (the consumer delivers a
                // generation once, so a second copy is never delivered twice).
                Some(_) => break,
                // Accepted under the route's earlier shard count, before the change: the vendor's retry.
                None if prior.as_ref().is_some_and(|p| p.settles(&id)) => return accepted("duplicate", &id),
                None => {
                    self.sql().exec(
                        "INSERT INTO events (source, id, vendor, type, status, received_at, updated_at) VALUES (?, ?, ?, ?, 'received', ?, ?)",
                        vec![s(&route), s(&id), s(&head.vendor), s(&head.ty), V::Integer(now), V::Integer(now)],
                    )?;
                    break;
                }
            }
        }
        let vendor = crate::schemes::by_vendor(&head.vendor).map(|s| s.vendor()).unwrap_or_default();
        let Some(event) = CloudEvent::from_head(head, vendor, data.to_owned()) else {
            let _ = self.sql().exec("DELETE FROM events WHERE source = ? AND id = ?", vec![s(&route), s(&id)]);
            return Response::error("accept: not an event", 400);
        };
        self.inflight.borrow_mut().insert(key.clone());
        let sent = match Message::prepare(&self.env, &route, &event, 0, self.shard.get()).await {
            Ok(message) => message.send(&self.env, config::EVENTS).await,
            Err(e) => Err(e),
        };
        self.inflight.borrow_mut().remove(&key);
        if sent.is_ok() {
            self.sql().exec(
                "UPDATE events SET status = 'queued', updated_at = ? WHERE source = ? AND id = ? AND status = 'received'",
                vec![V::Integer(config::now_ms()), s(&route), s(&id)],
            )?;
            accepted("queued", &id)
        } else {
            // Nothing is queued, so nothing is remembered: the vendor's retry is accepted.
            self.sql().exec(
                "DELETE FROM events WHERE source = ? AND id = ? AND status = 'received'",
                vec![s(&route), s(&id)],
            )?;
            accepted("queue_failed", &id)
        }
    }

    /// What this shard knows of an event another shard is about to accept (see [`Prior`]): read only.
    fn prior(&self, body: &str) -> Result<Response> {
        let Ok(q) = serde_json::from_str::<PriorQuery>(body) else {
            return Response::error("prior: unreadable", 400);
        };
        let occurrence = if q.derived { self.counter(&q.source, &q.id)? } else { None };
        let id = occurrence.map_or_else(|| q.id.clone(), |o| gateway::occurrence_id(&q.id, o.n));
        let status = self.row(&q.source, &id)?.map(|r| r.status);
        json_reply(200, &serde_json::to_value(Prior { occurrence, id, status })?)
    }

    /// Whether the consumer should deliver each message of a batch (one call per shard and batch): not when its
    /// generation was delivered or dead-lettered already, nor when a replay superseded it, nor when it repeats an
    /// earlier message of the same batch (two copies of one generation: the first is delivered or retried), nor
    /// while another delivery of the same generation is under way (`in_flight`: the consumer tries it again
    /// later). A message to deliver leases its generation until its attempt is on record (see [`Self::attempt`])
    /// or the lease runs out (origin timeout + [`LEASE_MARGIN_MS`]). No await between the reads and the writes: a
    /// second consumer's check waits for this one's.
    fn begin(&self, body: &str, now: i64) -> Result<Response> {
        let Ok(keys) = serde_json::from_str::<Vec<Key>>(body) else {
            return Response::error("begin: unreadable", 400);
        };
        let until = now + i64::from(config::origin_timeout_ms(&self.env)) + LEASE_MARGIN_MS;
        let sql = self.sql();
        let mut answers = Vec::with_capacity(keys.len());
        for (i, k) in keys.iter().enumerate() {
            let twin = keys.iter().take(i).any(|e| e.source == k.source && e.id == k.id && e.gen == k.gen);
            let (deliver, reason) = match self.row(&k.source, &k.id)? {
                _ if twin => (false, "duplicate_in_batch"),
                Some(r) if r.gen > k.gen => (false, "superseded"),
                Some(r) if r.gen == k.gen && r.status == "delivered" => (false, "already_delivered"),
                Some(r) if r.gen == k.gen && r.status == "dead" => (false, "already_dead"),
                None => (true, "unrecorded"),
                Some(_) => (true, "queued"),
            };
            let (deliver, reason) =
                if deliver && self.leased(k, now)? { (false, "in_flight") } else { (deliver, reason) };
            if deliver {
                sql.exec(
                    "INSERT OR REPLACE INTO leases (source, id, gen, until) VALUES (?, ?, ?, ?)",
                    vec![s(&k.source), s(&k.id), V::Integer(k.gen.into()), V::Integer(until)],
                )?;
            }
            answers.push(json!({ "deliver": deliver, "reason": reason }));
        }
        json_reply(200, &serde_json::Value::Array(answers))
    }

    /// Whether a delivery of this generation holds a lease that has not run out.
    fn leased(&self, k: &Key, now: i64) -> Result<bool> {
        #[derive(Deserialize)]
        struct Lease {
            until: i64,
        }
        let found: Vec<Lease> = self
            .sql()
            .exec(
                "SELECT until FROM leases WHERE source = ? AND id = ? AND gen = ?",
                vec![s(&k.source), s(&k.id), V::Integer(k.gen.into())],
            )?
            .to_array()?;
        Ok(found.first().is_some_and(|l| l.until > now))
    }

    /// Records the attempts of a batch on this shard and ends their deliveries' leases, and the leases of
    /// deliveries that were not attempted (`release`: trouble on this side). No await between the writes: they
    /// are committed together.
    fn attempt(&self, body: &str, now: i64) -> Result<Response> {
        let Ok(Settled { reports, release }) = serde_json::from_str::<Settled>(body) else {
            return Response::error("attempt: unreadable", 400);
        };
        let sql = self.sql();
        let ended =
            reports.iter().map(|a| (&a.source, &a.id, a.gen)).chain(release.iter().map(|k| (&k.source, &k.id, k.gen)));
        for (source, id, gen) in ended {
            sql.exec(
                "DELETE FROM leases WHERE source = ? AND id = ? AND gen = ?",
                vec![s(source), s(id), V::Integer(gen.into())],
            )?;
        }
        for a in &reports {
            let status = a.status.map_or(V::Null, |s| V::Integer(s.into()));
            sql.exec(
                "INSERT INTO attempts (source, id, gen, n, at, status, outcome) VALUES (?, ?, ?, ?, ?, ?, ?)",
                vec![
                    s(&a.source),
                    s(&a.id),
                    V::Integer(a.gen.into()),
                    V::Integer(a.n.into()),
                    V::Integer(now),
                    status.clone(),
                    s(&a.outcome),
                ],
            )?;
            let delivered = a.outcome == "delivered";
            sql.exec(
                "UPDATE events SET attempts = attempts + 1, last_status = ?, updated_at = ?,
                   status = CASE WHEN ? THEN 'delivered' WHEN status = 'received' THEN 'queued' ELSE status END
                 WHERE source = ? AND id = ? AND gen = ?",
                vec![
                    status,
                    V::Integer(now),
                    V::Integer(i64::from(delivered)),
                    s(&a.source),
                    s(&a.id),
                    V::Integer(a.gen.into()),
                ],
            )?;
            if delivered {
                sql.exec("DELETE FROM letters WHERE source = ? AND id = ?", vec![s(&a.source), s(&a.id)])?;
            }
        }
        json_reply(200, &json!({ "ok": true }))
    }

    /// Records a dead letter and keeps what is needed to replay it: the event JSON, or the KV key of a large one.
    fn dead(&self, body: &str, now: i64) -> Result<Response> {
        let Ok(m) = serde_json::from_str::<Message>(body) else {
            return Response::error("dead: unreadable", 400);
        };
        let sql = self.sql();
        if let Some(r) = self.row(&m.source, &m.id)? {
            // A replay superseded this letter, or this generation was delivered after all (a redelivered
            // message): nothing is dead.
            if r.gen > m.gen || (r.gen == m.gen && r.status == "delivered") {
                return json_reply(200, &json!({ "ok": true, "superseded": true }));
            }
        }
        let last = m.origin_status.map_or(V::Null, |s| V::Integer(s.into()));
        sql.exec(
            "INSERT INTO events (source, id, vendor, type, status, gen, last_status, received_at, updated_at)
               VALUES (?, ?, ?, ?, 'dead', ?, ?, ?, ?)
             ON CONFLICT (source, id) DO UPDATE SET status = 'dead', last_status = COALESCE(excluded.last_status, last_status),
               updated_at = excluded.updated_at",
            vec![s(&m.source), s(&m.id), s(&m.vendor), s(&m.ty), V::Integer(m.gen.into()), last, V::Integer(now), V::Integer(now)],
        )?;
        let expires = now + i64::from(config::retention_days(&self.env)) * 86_400_000;
        let event = m.event.as_deref().map_or(V::Null, s);
        let payload_key = m.payload_key.as_deref().map_or(V::Null, s);
        sql.exec(
            "INSERT OR REPLACE INTO letters (source, id, event, payload_key, expires_at) VALUES (?, ?, ?, ?, ?)",
            vec![s(&m.source), s(&m.id), event, payload_key, V::Integer(expires)],
        )?;
        json_reply(200, &json!({ "ok": true }))
    }

    /// Queues a dead event again, as a new generation with the same id (so the origin can dedupe).
    async fn replay_one(&self, source: &str, id: &str, now: i64) -> Result<(u16, &'static str)> {
        #[derive(Deserialize)]
        struct Letter {
            event: Option<String>,
            payload_key: Option<String>,
        }
        let Some(row) = self.row(source, id)? else {
            return Ok((404, "not_found"));
        };
        if row.status != "dead" {
            return Ok((409, "not_dead"));
        }
        let letters: Vec<Letter> = self
            .sql()
            .exec("SELECT event, payload_key FROM letters WHERE source = ? AND id = ?", vec![s(source), s(id)])?
            .to_array()?;
        let Some(letter) = letters.into_iter().next().filter(|l| l.event.is_some() || l.payload_key.is_some()) else {
            return Ok((410, "payload_expired"));
        };
        let gen = row.gen.saturating_add(1);
        self.sql().exec(
            "UPDATE events SET status = 'queued', gen = ?, replays = replays + 1, updated_at = ? WHERE source = ? AND id = ?",
            vec![V::Integer(gen.into()), V::Integer(now), s(source), s(id)],
        )?;
        let message = Message {
            source: source.to_owned(),
            id: id.to_owned(),
            vendor: row.vendor.clone(),
            ty: row.ty.clone(),
            gen,
            event: letter.event,
            payload_key: letter.payload_key,
            shard: self.shard.get(),
            origin_status: None,
        };
        if message.send(&self.env, config::EVENTS).await.is_ok() {
            Ok((202, "replayed"))
        } else {
            self.sql().exec(
                "UPDATE events SET status = 'dead', gen = ?, replays = replays - 1 WHERE source = ? AND id = ? AND gen = ?",
                vec![V::Integer(row.gen.into()), s(source), s(id), V::Integer(gen.into())],
            )?;
            Ok((503, "queue_failed"))
        }
    }

    async fn replay(&self, body: &str, now: i64) -> Result<Response> {
        let Ok(k) = serde_json::from_str::<Key>(body) else {
            return Response::error("replay: unreadable", 400);
        };
        let (status, outcome) = self.replay_one(&k.source, &k.id, now).await?;
        json_reply(status, &json!({ "outcome": outcome, "source": k.source, "id": k.id }))
    }

    async fn replay_all(&self, body: &str, now: i64) -> Result<Response> {
        #[derive(Deserialize)]
        struct Ids {
            source: String,
            id: String,
        }
        let _: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        let dead: Vec<Ids> = self
            .sql()
            .exec(
                "SELECT source, id FROM events WHERE status = 'dead' ORDER BY received_at LIMIT ?",
                vec![V::Integer(REPLAY_BATCH)],
            )?
            .to_array()?;
        let (mut replayed, mut failed) = (0u32, 0u32);
        for d in &dead {
            match self.replay_one(&d.source, &d.id, now).await? {
                (202, _) => replayed += 1,
                _ => failed += 1,
            }
        }
        json_reply(200, &json!({ "replayed": replayed, "failed": failed }))
    }

    fn list(&self, body: &str) -> Result<Response> {
        let Ok(q) = serde_json::from_str::<Query>(body) else {
            return Response::error("list: unreadable", 400);
        };
        let limit = V::Integer(q.limit.into());
        let rows: Vec<Row> = match &q.status {
            Some(status) => self
                .sql()
                .exec(&format!("{ROW} WHERE status = ? ORDER BY received_at DESC LIMIT ?"), vec![s(status), limit])?,
            None => self.sql().exec(&format!("{ROW} ORDER BY received_at DESC LIMIT ?"), vec![limit])?,
        }
        .to_array()?;
        let rows: Vec<serde_json::Value> = rows.iter().map(Row::to_json).collect();
        json_reply(200, &json!({ "events": rows }))
    }

    fn get(&self, body: &str) -> Result<Response> {
        #[derive(Deserialize)]
        struct Attempt {
            gen: u32,
            n: u32,
            at: i64,
            status: Option<u16>,
            outcome: String,
        }
        let Ok(k) = serde_json::from_str::<Key>(body) else {
            return Response::error("get: unreadable", 400);
        };
        let Some(row) = self.row(&k.source, &k.id)? else {
            return json_reply(404, &json!({ "error": "not_found" }));
        };
        let attempts: Vec<Attempt> = self
            .sql()
            .exec(
                "SELECT gen, n, at, status, outcome FROM attempts WHERE source = ? AND id = ? ORDER BY at, n",
                vec![s(&k.source), s(&k.id)],
            )?
            .to_array()?;
        let kept: Vec<serde_json::Value> = self
            .sql()
            .exec("SELECT expires_at FROM letters WHERE source = ? AND id = ?", vec![s(&k.source), s(&k.id)])?
            .to_array()?;
        let mut record = row.to_map();
        record.insert("generation".into(), json!(row.gen));
        record.insert("replayable".into(), json!(row.status == "dead" && !kept.is_empty()));
        let history = attempts
            .iter()
            .map(|a| json!({ "generation": a.gen, "attempt": a.n, "at": rfc3339_ms(a.at), "status": a.status, "outcome": a.outcome }))
            .collect();
        record.insert("history".into(), history);
        json_reply(200, &serde_json::Value::Object(record))
    }

    fn stats(&self) -> Result<Response> {
        #[derive(Deserialize)]
        struct Count {
            status: String,
            n: u64,
        }
        let counts: Vec<Count> =
            self.sql().exec("SELECT status, COUNT(*) AS n FROM events GROUP BY status", None)?.to_array()?;
        let mut out = serde_json::Map::new();
        for status in STATUSES {
            out.insert(status.into(), json!(counts.iter().find(|c| c.status == status).map_or(0, |c| c.n)));
        }
        json_reply(200, &serde_json::Value::Object(out))
    }
}

fn accepted(outcome: &str, id: &str) -> Result<Response> {
    json_reply(200, &json!({ "outcome": outcome, "id": id }))
}

// ------------------------------------------------------------------------------------------------ the client side

/// One call to a shard.
async fn call(env: &Env, route: &str, shard: u32, op: &str, body: String) -> Result<Response> {
    let stub = env.durable_object(config::LEDGER)?.get_by_name(&gateway::shard_name(route, shard))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_body(Some(wasm_bindgen::JsValue::from_str(&body)));
    stub.fetch_with_request(Request::new_with_init(&format!("https://ledger/{op}?shard={shard}"), &init)?).await
}

async fn call_json(
    env: &Env,
    route: &str,
    shard: u32,
    op: &str,
    body: &impl Serialize,
) -> Result<(u16, serde_json::Value)> {
    let mut res = call(env, route, shard, op, serde_json::to_string(body)?).await?;
    let status = res.status_code();
    Ok((status, res.json().await.unwrap_or_default()))
}

/// How an accept ended.
pub enum Accepted {
    /// Queued now, under this id.
    Queued(String),
    /// Already queued (or delivered) under this id.
    Duplicate(String),
    /// Not queued: the vendor should send it again.
    Failed,
}

/// Accepts `event` on its route exactly once: see the module doc.
pub async fn accept(env: &Env, route: &Route, event: &CloudEvent) -> Result<Accepted> {
    let shard = gateway::shard_of(&event.id, route.shards);
    let prior = prior(env, route, event, shard).await?;
    let meta = AcceptMeta { route: route.name.clone(), window: route.repeat_window, head: event.head(), prior };
    let body = format!("{}\n{}", serde_json::to_string(&meta)?, event.data());
    let mut res = call(env, &route.name, shard, "accept", body).await?;
    let answer: serde_json::Value = res.json().await?;
    let id = answer.get("id").and_then(|v| v.as_str()).unwrap_or_default().to_owned();
    Ok(match answer.get("outcome").and_then(|v| v.as_str()) {
        Some("queued") => Accepted::Queued(id),
        Some("duplicate") => Accepted::Duplicate(id),
        _ => Accepted::Failed,
    })
}

/// What the shards `event` would have lived on under the route's earlier shard counts know of it, newest count
/// first, skipping the shard it lives on now (its own record answers there): the first that knows it answers. No
/// call at all for a route without `previousShards`. A shard that cannot answer fails the accept (the vendor is
/// told to retry), rather than risk a second delivery.
async fn prior(env: &Env, route: &Route, event: &CloudEvent, home: u32) -> Result<Option<Prior>> {
    let mut asked = Vec::new();
    for &count in &route.previous_shards {
        let shard = gateway::shard_of(&event.id, count);
        if shard == home || asked.contains(&shard) {
            continue;
        }
        asked.push(shard);
        let q = PriorQuery { source: route.name.clone(), id: event.id.clone(), derived: event.derived_id };
        let answer: Prior = serde_json::from_value(call_ok(env, &route.name, shard, "prior", &q).await?)?;
        if answer.found() {
            return Ok(Some(answer));
        }
    }
    Ok(None)
}

/// Whether the consumer should deliver each of `batch` (messages of one route on one shard), and why (for the
/// log): one call for them all.
pub async fn begin(env: &Env, route: &str, shard: u32, batch: &[&Message]) -> Result<Vec<(bool, String)>> {
    let keys: Vec<Key> = batch.iter().map(|m| Key { source: m.source.clone(), id: m.id.clone(), gen: m.gen }).collect();
    let answer = call_ok(env, route, shard, "begin", &keys).await?;
    let answers = answer.as_array().filter(|a| a.len() == batch.len()).ok_or_else(|| {
        worker::Error::RustError("the ledger's answer does not name every message of the batch".into())
    })?;
    Ok(answers
        .iter()
        .map(|a| {
            let deliver = a.get("deliver").and_then(|v| v.as_bool()).unwrap_or(true);
            (deliver, a.get("reason").and_then(|v| v.as_str()).unwrap_or_default().to_owned())
        })
        .collect())
}

/// Records the attempts of one route on one shard, and ends their leases, in one call.
pub async fn attempts(env: &Env, route: &str, shard: u32, settled: &Settled) -> Result<()> {
    call_ok(env, route, shard, "attempt", settled).await.map(|_| ())
}

pub async fn dead(env: &Env, m: &Message) -> Result<()> {
    let (status, _) = call_json(env, &m.source, m.shard(env), "dead", m).await?;
    if status == 200 {
        Ok(())
    } else {
        Err(worker::Error::RustError(format!("the ledger answered {status}")))
    }
}

/// A route as the admin API needs it: its name, shard count and how many shards may hold its records (no keys).
#[derive(Debug, Clone)]
pub struct Shards {
    pub name: String,
    pub count: u32,
    /// The current count, or a larger earlier one still listed in `previousShards`.
    pub span: u32,
}

/// A call whose answer must be the shard's own 200: anything else is the ledger failing.
async fn call_ok(env: &Env, route: &str, shard: u32, op: &str, body: &impl Serialize) -> Result<serde_json::Value> {
    let (status, answer) = call_json(env, route, shard, op, body).await?;
    if status == 200 {
        Ok(answer)
    } else {
        Err(worker::Error::RustError(format!("the ledger answered {status}")))
    }
}

pub async fn replay(env: &Env, route: &Shards, id: &str) -> Result<(u16, serde_json::Value)> {
    by_id(env, route, id, "replay").await
}

pub async fn replay_all(env: &Env, route: &Shards, shard: u32) -> Result<serde_json::Value> {
    call_ok(env, &route.name, shard, "replay-all", &json!({})).await
}

pub async fn get(env: &Env, route: &Shards, id: &str) -> Result<(u16, serde_json::Value)> {
    by_id(env, route, id, "get").await
}

/// `op` on the event `id`: asked of the shard the id hashes to, then (when that shard has no record of it, as for an
/// event recorded before the route's `shards` changed) of the route's other shards, one at a time.
async fn by_id(env: &Env, route: &Shards, id: &str, op: &str) -> Result<(u16, serde_json::Value)> {
    let key = Key { source: route.name.clone(), id: id.to_owned(), gen: 0 };
    let home = gateway::shard_of(id, route.count);
    let answer = call_json(env, &route.name, home, op, &key).await?;
    if answer.0 != 404 {
        return Ok(answer);
    }
    for shard in (0..route.span).filter(|&s| s != home) {
        let other = call_json(env, &route.name, shard, op, &key).await?;
        if other.0 != 404 {
            return Ok(other);
        }
    }
    Ok(answer)
}

pub async fn list(
    env: &Env,
    route: &Shards,
    shard: u32,
    status: Option<&str>,
    limit: u32,
) -> Result<Vec<serde_json::Value>> {
    let q = Query { status: status.map(str::to_owned), limit };
    let mut answer = call_ok(env, &route.name, shard, "list", &q).await?;
    Ok(match answer.get_mut("events").map(serde_json::Value::take).unwrap_or_default() {
        serde_json::Value::Array(rows) => rows,
        _ => Vec::new(),
    })
}

pub async fn stats(env: &Env, route: &Shards, shard: u32) -> Result<serde_json::Value> {
    call_ok(env, &route.name, shard, "stats", &json!({})).await
}
