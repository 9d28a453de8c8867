//! The gateway's configuration, read from the Worker's bindings (see `wrangler.toml`). Error messages name bindings
//! and fields, never a secret's value.

use crate::SourceConfig;
use serde_json::Value;
use worker::{js_sys, Date, Env};

/// The queue that carries verified events to the consumer.
pub const EVENTS: &str = "EVENTS";
/// The dead-letter queue, for events the origin refused for good.
pub const DEAD_LETTERS: &str = "DEAD_LETTERS";
/// KV: dedupe marks and the payloads too large for a queue message.
pub const STATE: &str = "STATE";

/// The source `name` as `SOURCES` declares it, its keyring read from the secret binding it names. `Ok(None)` when
/// no source has that name.
///
/// A `SOURCES` entry holds the core's source options (`vendor`, `tolerance`, `publicPath`, `maxBodyBytes`,
/// `allowIps`, ...) plus `secret`, the name of the secret whose value is the keyring: one key per line, or a JSON
/// array of keys.
pub fn source(env: &Env, name: &str) -> Result<Option<SourceConfig>, String> {
    let sources = object_var(env, "SOURCES")?;
    let Some(entry) = sources.get(name) else {
        return Ok(None);
    };
    let Value::Object(entry) = entry else {
        return Err(format!("SOURCES.{name} is not a table"));
    };
    let mut entry = entry.clone();
    let Some(Value::String(secret)) = entry.remove("secret") else {
        return Err(format!("SOURCES.{name}.secret must name the secret that holds its keys"));
    };
    let text =
        env.secret(&secret).map_err(|_| format!("the secret {secret} (keys of source {name}) is not set"))?.to_string();
    let keys =
        keyring(&text).ok_or_else(|| format!("the secret {secret} is neither key lines nor a JSON array of keys"))?;
    entry.insert("keys".into(), Value::from(keys));
    serde_json::from_value(Value::Object(entry)).map(Some).map_err(|e| format!("SOURCES.{name} is invalid: {e}"))
}

/// A keyring secret: a JSON array of keys, or one key per line (blank lines ignored).
fn keyring(text: &str) -> Option<Vec<String>> {
    let text = text.trim();
    if text.starts_with('[') {
        return serde_json::from_str(text).ok();
    }
    Some(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
}

/// A var given as a TOML table / JSON object binding, or as JSON text.
fn object_var(env: &Env, name: &str) -> Result<serde_json::Map<String, Value>, String> {
    let value = js_sys::Reflect::get(env, &name.into()).unwrap_or_default();
    let text = match value.as_string() {
        Some(text) => text,
        None if value.is_object() => {
            js_sys::JSON::stringify(&value).ok().and_then(|s| s.as_string()).unwrap_or_default()
        }
        None => return Err(format!("the var {name} is not set")),
    };
    serde_json::from_str(&text).map_err(|_| format!("the var {name} is not a table of sources"))
}

fn var(env: &Env, name: &str) -> Option<String> {
    env.var(name).ok().map(|v| v.to_string())
}

fn number(env: &Env, name: &str, default: u32) -> u32 {
    var(env, name).and_then(|v| v.trim().parse().ok()).unwrap_or(default)
}

/// Unix seconds the core checks signed timestamps against. `TEST_FIXED_NOW` replaces the clock for the test
/// suite's recorded vectors (whose timestamps are years old); it must never be set in a deployment.
pub fn verify_now(env: &Env) -> i64 {
    var(env, "TEST_FIXED_NOW").and_then(|v| v.trim().parse().ok()).unwrap_or_else(now)
}

/// The real clock, in Unix seconds.
pub fn now() -> i64 {
    i64::try_from(Date::now().as_millis() / 1000).unwrap_or(0)
}

/// The first retry delay unless `RETRY_BASE_SECONDS` says otherwise.
pub const DEFAULT_RETRY_BASE_SECONDS: u32 = 30;

/// Where and how the consumer delivers.
pub struct Delivery {
    pub origin: String,
    pub secret: String,
    /// First retry delay; each later attempt doubles it.
    pub retry_base_seconds: u32,
    pub timeout_ms: u32,
}

pub fn delivery(env: &Env) -> Result<Delivery, String> {
    let origin = var(env, "ORIGIN_URL").ok_or("the var ORIGIN_URL is not set")?;
    let secret = env.secret("FORWARD_SECRET").map_err(|_| "the secret FORWARD_SECRET is not set")?.to_string();
    Ok(Delivery {
        origin,
        secret,
        // At least 1 s: with 0, every retry happens at once and a short outage exhausts them all.
        retry_base_seconds: number(env, "RETRY_BASE_SECONDS", DEFAULT_RETRY_BASE_SECONDS).max(1),
        timeout_ms: number(env, "ORIGIN_TIMEOUT_SECONDS", 30).saturating_mul(1000),
    })
}
