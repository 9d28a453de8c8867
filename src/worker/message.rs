//! What travels through the queue, and the KV records around it: dedupe marks, and payloads too large for a
//! queue message.

use super::config;
use crate::CloudEvent;
use serde::{Deserialize, Serialize};
use worker::{Date, Env, KvStore, Result};

/// How long a delivered event id is remembered: vendors retry for up to 72 hours.
const SEEN_TTL_SECONDS: u64 = 72 * 3600;
/// How long a large payload is kept: long enough for every retry and for the dead-letter queue's retention.
const PAYLOAD_TTL_SECONDS: u64 = 14 * 24 * 3600;
/// The largest message sent inline. A queue message holds 128 KB; the rest is headroom for the envelope.
const INLINE_LIMIT: usize = 100_000;
/// KV keys are at most 512 bytes: longer event ids are stored by digest.
const LONGEST_ID_IN_KEY: usize = 256;

/// One verified event on its way to the origin.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Message {
    pub source: String,
    pub vendor: String,
    pub id: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// The CloudEvent JSON exactly as the core serialized it, when it fits in a queue message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Otherwise the KV key that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_key: Option<String>,
    /// On a dead letter: the origin's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_status: Option<u16>,
}

fn key(prefix: &str, source: &str, id: &str) -> String {
    if id.len() <= LONGEST_ID_IN_KEY {
        format!("{prefix}:{source}:{id}")
    } else {
        format!("{prefix}:{source}:{}", crate::event::body_id(id.as_bytes()))
    }
}

pub fn kv(env: &Env) -> Result<KvStore> {
    env.kv(config::STATE)
}

/// Whether this source already queued an event with this id.
pub async fn seen(kv: &KvStore, source: &str, id: &str) -> Result<bool> {
    Ok(kv.get(&key("seen", source, id)).text().await?.is_some())
}

/// Remembers the id. Called only once the event is in the queue: a failed send is not marked, so the vendor's
/// retry is queued.
pub async fn mark_seen(kv: &KvStore, source: &str, id: &str) -> Result<()> {
    kv.put(&key("seen", source, id), "1")?.expiration_ttl(SEEN_TTL_SECONDS).execute().await?;
    Ok(())
}

/// The message for `event`; a payload too large to go inline is written to KV first.
pub async fn prepare(kv: &KvStore, source: &str, event: &CloudEvent) -> Result<Message> {
    let mut message = Message {
        source: source.to_owned(),
        vendor: event.vendor.to_owned(),
        id: event.id.clone(),
        ty: event.ty.clone(),
        event: Some(event.to_json()),
        payload_key: None,
        origin_status: None,
    };
    if serde_json::to_vec(&message).map_or(usize::MAX, |v| v.len()) > INLINE_LIMIT {
        // Unique per delivery, so a duplicate in flight never deletes the payload of another.
        let key = format!("{}:{}", key("payload", source, &event.id), Date::now().as_millis());
        let json = message.event.take().unwrap_or_default();
        kv.put(&key, json)?.expiration_ttl(PAYLOAD_TTL_SECONDS).execute().await?;
        message.payload_key = Some(key);
    }
    Ok(message)
}

/// The CloudEvent JSON of a message; `None` if its stored payload is gone.
pub async fn load(kv: &KvStore, message: &Message) -> Result<Option<String>> {
    match (&message.event, &message.payload_key) {
        (Some(json), _) => Ok(Some(json.clone())),
        (None, Some(key)) => Ok(kv.get(key).text().await?),
        (None, None) => Ok(None),
    }
}

/// Deletes a delivered message's stored payload, if it has one.
pub async fn release(kv: &KvStore, message: &Message) -> Result<()> {
    if let Some(key) = &message.payload_key {
        kv.delete(key).await?;
    }
    Ok(())
}
