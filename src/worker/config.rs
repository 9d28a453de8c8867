//! The gateway's configuration, read from the Worker's bindings (see `wrangler.toml`) and parsed once per isolate:
//! each route's source (scheme, keyring, options) and the forwarding key are kept until the text they came from
//! changes, so a rotated secret takes effect on the next request. Error details name bindings and fields, never a
//! secret's value, and go to the log, not to the sender.

use crate::gateway::ForwardKey;
use crate::{Source, SourceConfig};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use worker::{js_sys, Date, Env};

/// The queue that carries verified events to the consumer.
pub const EVENTS: &str = "EVENTS";
/// The dead-letter queue, for events the origin refused for good or that ran out of retries.
pub const DEAD_LETTERS: &str = "DEAD_LETTERS";
/// KV: payloads too large for a queue message.
pub const STATE: &str = "STATE";
/// The Durable Object namespace of the ledger.
pub const LEDGER: &str = "LEDGER";
/// The ledger shards per route unless a source sets `shards`.
pub const DEFAULT_SHARDS: u32 = 4;
/// The most shards a route may have (the admin API reads every one).
pub const MAX_SHARDS: u32 = 256;
/// The most earlier shard counts a route may list in `previousShards` (each is one more lookup, on the hot path, for
/// an event whose shard moved).
pub const MAX_PREVIOUS_SHARDS: usize = 4;
/// The first retry delay unless `RETRY_BASE_SECONDS` says otherwise.
pub const DEFAULT_RETRY_BASE_SECONDS: u32 = 30;

/// One ingest route, `POST /in/<name>`.
#[derive(Debug)]
pub struct Route {
    pub name: String,
    pub source: Source,
    /// Ledger shards (Durable Objects) this route's events are spread over.
    pub shards: u32,
    /// The route's earlier shard counts, newest first, while their records are within retention: a new event whose
    /// shard moved is looked up where it would have lived, so a vendor's retry from before the change is still a
    /// duplicate.
    pub previous_shards: Vec<u32>,
    /// Seconds a byte-identical repeat of an event without a vendor id counts as the vendor's retry.
    pub repeat_window: u64,
}

/// A configuration problem: what names the binding or field at fault (never a value), for the log; and the core's
/// own error when a source's keys or vendor are at fault (its code, `invalid_key` or `unsupported_vendor`, is the
/// answer's).
#[derive(Debug)]
pub struct ConfigError(pub String, pub Option<crate::Error>);

impl ConfigError {
    fn new(detail: impl Into<String>) -> Self {
        ConfigError(detail.into(), None)
    }
}

/// A parsed value and the text it was parsed from.
type Cached<T> = Option<(String, Rc<T>)>;
/// A route, the parsed `SOURCES` it was read from (compared by identity: `sources` keeps one until its text changes)
/// and the keyring text.
type CachedRoute = (Rc<serde_json::Map<String, Value>>, String, Rc<Route>);

thread_local! {
    static SOURCES: RefCell<Cached<serde_json::Map<String, Value>>> = const { RefCell::new(None) };
    static ROUTES: RefCell<HashMap<String, CachedRoute>> = RefCell::new(HashMap::new());
    static DELIVERY: RefCell<Cached<Delivery>> = const { RefCell::new(None) };
}

/// `SOURCES`, parsed again only when its text changes.
pub fn sources(env: &Env) -> Result<Rc<serde_json::Map<String, Value>>, ConfigError> {
    let text = var_text(env, "SOURCES").ok_or_else(|| ConfigError::new("the var SOURCES is not set"))?;
    SOURCES.with(|cell| {
        if let Some((cached, map)) = cell.borrow().as_ref() {
            if *cached == text {
                return Ok(map.clone());
            }
        }
        let map: serde_json::Map<String, Value> =
            serde_json::from_str(&text).map_err(|_| ConfigError::new("the var SOURCES is not a table of sources"))?;
        let map = Rc::new(map);
        *cell.borrow_mut() = Some((text, map.clone()));
        Ok(map)
    })
}

/// The route `name`, or `Ok(None)` when no source has that name.
pub fn route(env: &Env, name: &str) -> Result<Option<Rc<Route>>, ConfigError> {
    let sources = sources(env)?;
    let Some(entry) = sources.get(name) else {
        return Ok(None);
    };
    let Value::Object(entry) = entry else {
        return Err(ConfigError::new(format!("SOURCES.{name} is not a table")));
    };
    let Some(Value::String(secret)) = entry.get("secret") else {
        return Err(ConfigError::new(format!("SOURCES.{name}.secret must name the secret that holds its keys")));
    };
    let keys = env
        .secret(secret)
        .map_err(|_| ConfigError::new(format!("the secret {secret} (keys of source {name}) is not set")))?
        .to_string();
    let cached = ROUTES.with(|routes| {
        routes.borrow().get(name).filter(|(m, k, _)| Rc::ptr_eq(m, &sources) && *k == keys).map(|(_, _, r)| r.clone())
    });
    if let Some(route) = cached {
        return Ok(Some(route));
    }
    let route = Rc::new(parse_route(name, entry, &keys)?);
    ROUTES.with(|routes| routes.borrow_mut().insert(name.to_owned(), (sources.clone(), keys, route.clone())));
    Ok(Some(route))
}

/// A `SOURCES` entry: the core's source options plus the gateway's own fields (`secret`, `shards`,
/// `repeatWindowSeconds`).
fn parse_route(name: &str, entry: &serde_json::Map<String, Value>, keys: &str) -> Result<Route, ConfigError> {
    let mut entry = entry.clone();
    entry.remove("secret");
    let shards = match entry.remove("shards") {
        None => DEFAULT_SHARDS,
        Some(v) => shard_count(&v).ok_or_else(|| {
            ConfigError::new(format!("SOURCES.{name}.shards must be a whole number from 1 to {MAX_SHARDS}"))
        })?,
    };
    let previous_shards = match entry.remove("previousShards") {
        None => Vec::new(),
        Some(v) => previous_counts(&v).ok_or_else(|| {
            ConfigError::new(format!(
                "SOURCES.{name}.previousShards must be a list of at most {MAX_PREVIOUS_SHARDS} shard counts, each a whole number from 1 to {MAX_SHARDS}"
            ))
        })?,
    };
    let window =
        match entry.remove("repeatWindowSeconds") {
            None => None,
            Some(v) => Some(v.as_u64().ok_or_else(|| {
                ConfigError::new(format!("SOURCES.{name}.repeatWindowSeconds must be a whole number"))
            })?),
        };
    let keys = keyring(keys)
        .ok_or_else(|| ConfigError::new(format!("the keys of source {name} are neither key lines nor a JSON array")))?;
    entry.insert("keys".into(), Value::from(keys));
    // The CloudEvent source names the route, so two routes of one vendor never share a source + id.
    entry.entry("source").or_insert_with(|| Value::from(format!("carehook:in/{name}")));
    let cfg: SourceConfig = serde_json::from_value(Value::Object(entry))
        .map_err(|e| ConfigError::new(format!("SOURCES.{name} is invalid: {e}")))?;
    let source =
        Source::from_config(&cfg).map_err(|e| ConfigError(format!("SOURCES.{name}: {}", e.code()), Some(e)))?;
    let repeat_window = window.unwrap_or_else(|| source.repeat_window());
    Ok(Route { name: name.to_owned(), source, shards, previous_shards, repeat_window })
}

/// A keyring secret: a JSON array of keys, or one key per line (blank lines ignored).
fn keyring(text: &str) -> Option<Vec<String>> {
    let text = text.trim();
    if text.starts_with('[') {
        return serde_json::from_str(text).ok();
    }
    Some(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
}

/// A var as text: a string binding as it is, a TOML table / JSON object binding as JSON.
fn var_text(env: &Env, name: &str) -> Option<String> {
    let value = js_sys::Reflect::get(env, &name.into()).ok()?;
    match value.as_string() {
        Some(text) => Some(text),
        None if value.is_object() => js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string()),
        None => None,
    }
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string())
}

pub fn number(env: &Env, name: &str, default: u32) -> u32 {
    var(env, name).and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// The clock, in Unix seconds (and milliseconds below).
pub fn now() -> i64 {
    now_ms() / 1000
}

pub fn now_ms() -> i64 {
    i64::try_from(Date::now().as_millis()).unwrap_or(0)
}

/// The name of the queue whose batches are dead letters (the consumer of `wrangler.toml`'s `dead_letter_queue`).
pub fn dead_letter_queue(env: &Env) -> String {
    var(env, "DEAD_LETTER_QUEUE").unwrap_or_else(|| "carehook-dead-letters".into())
}

/// Where and how the consumer delivers.
#[derive(Debug)]
pub struct Delivery {
    pub origin: String,
    pub key: ForwardKey,
    /// First retry delay; each later attempt doubles it.
    pub retry_base_seconds: u32,
    pub timeout_ms: u32,
}

/// How long the consumer waits for the origin's answer to one delivery.
pub fn origin_timeout_ms(env: &Env) -> u32 {
    number(env, "ORIGIN_TIMEOUT_SECONDS", 30).saturating_mul(1000)
}

/// The delivery settings, parsed again only when one of them changes.
pub fn delivery(env: &Env) -> Result<Rc<Delivery>, ConfigError> {
    let origin = var(env, "ORIGIN_URL").ok_or_else(|| ConfigError::new("the var ORIGIN_URL is not set"))?;
    let secret =
        env.secret("FORWARD_SECRET").map_err(|_| ConfigError::new("the secret FORWARD_SECRET is not set"))?.to_string();
    // At least 1 s: with 0, every retry happens at once and a short outage exhausts them all.
    let retry_base_seconds = number(env, "RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS).max(1);
    let timeout_ms = origin_timeout_ms(env);
    let fingerprint = format!("{origin}\n{retry_base_seconds}\n{timeout_ms}\n{secret}");
    DELIVERY.with(|cell| {
        if let Some((cached, delivery)) = cell.borrow().as_ref() {
            if *cached == fingerprint {
                return Ok(delivery.clone());
            }
        }
        let key = ForwardKey::parse(secret.trim())
            .map_err(|_| ConfigError::new("the secret FORWARD_SECRET is not whsec_ followed by base64"))?;
        let delivery = Rc::new(Delivery { origin, key, retry_base_seconds, timeout_ms });
        *cell.borrow_mut() = Some((fingerprint, delivery.clone()));
        Ok(delivery)
    })
}

/// The admin token, when the admin API is enabled.
pub fn admin_token(env: &Env) -> Option<String> {
    env.secret("ADMIN_TOKEN").ok().map(|s| s.to_string()).filter(|t| !t.is_empty())
}

/// Days the ledger keeps an event's record (and a dead letter's payload) after its last change.
pub fn retention_days(env: &Env) -> u32 {
    number(env, "LEDGER_RETENTION_DAYS", 14).max(3)
}

/// A shard count: a whole number from 1 to [`MAX_SHARDS`].
fn shard_count(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok()).filter(|n| (1..=MAX_SHARDS).contains(n))
}

/// `previousShards`: a list of at most [`MAX_PREVIOUS_SHARDS`] shard counts.
fn previous_counts(v: &Value) -> Option<Vec<u32>> {
    let list = v.as_array().filter(|l| l.len() <= MAX_PREVIOUS_SHARDS)?;
    list.iter().map(shard_count).collect()
}

/// A route's `SOURCES` entry field, from `SOURCES` alone (the consumer and the admin API need no keys for it).
fn entry_field(env: &Env, name: &str, field: &str) -> Option<Value> {
    sources(env).ok().and_then(|s| s.get(name).and_then(|e| e.get(field)).cloned())
}

/// The shard count of a route, from `SOURCES` alone.
pub fn shards(env: &Env, name: &str) -> u32 {
    entry_field(env, name, "shards").as_ref().and_then(shard_count).unwrap_or(DEFAULT_SHARDS)
}

/// How many shards may hold a route's records: its shard count, or more while `previousShards` names a larger
/// earlier one (the admin API reads them all).
pub fn shard_span(env: &Env, name: &str) -> u32 {
    let previous = entry_field(env, name, "previousShards").as_ref().and_then(previous_counts).unwrap_or_default();
    previous.into_iter().fold(shards(env, name), u32::max)
}
