//! What travels through the queues: one verified event on its way to the origin. Sent as a structured-clone (`v8`)
//! message, so the CloudEvent's JSON text rides as a string and is never escaped inside more JSON; decoded with
//! `serde-wasm-bindgen`. Payloads too large for a queue message wait in KV.

use super::config;
use crate::CloudEvent;
use serde::{Deserialize, Serialize};
use worker::wasm_bindgen::JsValue;
use worker::{Date, Env, KvStore, QueueContentType, RawMessageBuilder, Result};

/// How long a large payload is kept: every retry, and the dead-letter retention after them.
const PAYLOAD_TTL_SECONDS: u64 = 14 * 24 * 3600;
/// The largest event sent inline. A queue message holds 128 KB; the rest is headroom for the other fields.
const INLINE_LIMIT: usize = 100_000;

/// One verified event on its way to the origin.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// The ingest route (the ledger's `source`).
    pub source: String,
    pub id: String,
    pub vendor: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// 0 when accepted; each replay adds one, so a stale copy of an earlier generation is never delivered.
    #[serde(default)]
    pub gen: u32,
    /// The CloudEvent JSON exactly as the core serialized it, when it fits in a queue message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Otherwise the KV key that holds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload_key: Option<String>,
    /// The ledger shard that holds the event's record (None in messages written before shards were recorded: then
    /// the route's current shard count decides). Kept with the message, so raising a route's `shards` never sends
    /// the consumer's check of an event in flight to a shard that has no record of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<u32>,
    /// On a dead letter: the origin's answer that refused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_status: Option<u16>,
}

pub fn kv(env: &Env) -> Result<KvStore> {
    env.kv(config::STATE)
}

impl Message {
    /// The message for `event`; a payload too large to go inline is written to KV first.
    pub async fn prepare(env: &Env, route: &str, event: &CloudEvent, gen: u32, shard: Option<u32>) -> Result<Message> {
        let json = event.to_json();
        let mut message = Message {
            source: route.to_owned(),
            id: event.id.clone(),
            vendor: event.vendor.to_owned(),
            ty: event.ty.clone(),
            gen,
            event: None,
            payload_key: None,
            shard,
            origin_status: None,
        };
        if json.len() + message.id.len() + message.ty.len() > INLINE_LIMIT {
            // Unique per write, so a copy in flight never deletes the payload of another.
            let key = format!(
                "payload:{}:{}",
                crate::event::body_id(format!("{route}\n{}", event.id).as_bytes()),
                Date::now().as_millis()
            );
            kv(env)?.put(&key, json)?.expiration_ttl(PAYLOAD_TTL_SECONDS).execute().await?;
            message.payload_key = Some(key);
        } else {
            message.event = Some(json);
        }
        Ok(message)
    }

    /// The ledger shard of the event's record.
    pub fn shard(&self, env: &Env) -> u32 {
        self.shard.unwrap_or_else(|| crate::gateway::shard_of(&self.id, config::shards(env, &self.source)))
    }

    /// Sends the message to a queue binding (`EVENTS` or `DEAD_LETTERS`).
    pub async fn send(&self, env: &Env, queue: &str) -> Result<()> {
        let body = serde_wasm_bindgen::to_value(self)?;
        env.queue(queue)?.send_raw(RawMessageBuilder::new(body).build_with_content_type(QueueContentType::V8)).await
    }

    /// A queue message body back into a [`Message`].
    pub fn decode(body: JsValue) -> Option<Message> {
        serde_wasm_bindgen::from_value(body).ok()
    }

    /// The CloudEvent JSON; `None` if its stored payload is gone.
    pub async fn load(&self, env: &Env) -> Result<Option<String>> {
        match (&self.event, &self.payload_key) {
            (Some(json), _) => Ok(Some(json.clone())),
            (None, Some(key)) => Ok(kv(env)?.get(key).text().await?),
            (None, None) => Ok(None),
        }
    }

    /// Deletes a delivered message's stored payload, if it has one.
    pub async fn release(&self, env: &Env) -> Result<()> {
        if let Some(key) = &self.payload_key {
            kv(env)?.delete(key).await?;
        }
        Ok(())
    }
}
