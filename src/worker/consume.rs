//! The queue consumer: POST each CloudEvent to the origin, signed with Standard Webhooks (`webhook-id` = the event
//! id). 2xx → ack; 408, 429, 5xx or no answer → retry with exponential backoff; any other answer → dead-letter queue.

use super::config::{self, Delivery};
use super::log::{since, Line};
use super::message::{self, Message};
use crate::SignInput;
use futures_util::future::{join_all, select, Either};
use std::time::Duration;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::worker_sys::{Message as RawMessage, MessageBatch};
use worker::{
    js_sys, AbortController, Date, Delay, Env, Fetch, Headers, KvStore, Method, QueueContentType, RawMessageBuilder,
    Request, RequestInit,
};

/// Cloudflare Queues delays a retry by at most 12 hours.
const MAX_DELAY_SECONDS: u32 = 12 * 3600;

/// How one attempt ended.
enum Outcome {
    Delivered(u16),
    /// No answer (`None`) or one worth another try.
    Retry(Option<u16>),
    /// The origin refused the event for good.
    Refused(u16),
    /// The message names a stored payload that is gone.
    PayloadMissing,
    /// Configuration or storage trouble on this side: try again later.
    Trouble(&'static str),
}

fn judge(status: Option<u16>) -> Outcome {
    match status {
        Some(s @ 200..=299) => Outcome::Delivered(s),
        None | Some(408 | 429 | 500..=599) => Outcome::Retry(status),
        Some(s) => Outcome::Refused(s),
    }
}

/// `base`, doubled for each attempt already made, capped at the queue's maximum.
fn backoff(base: u32, attempt: u32) -> u32 {
    let doublings = attempt.saturating_sub(1).min(31);
    base.saturating_mul(1u32 << doublings).min(MAX_DELAY_SECONDS)
}

pub async fn batch(batch: &MessageBatch, env: &Env) {
    let Ok(raw) = batch.messages() else {
        return;
    };
    let delivery = config::delivery(env);
    let kv = message::kv(env).ok();
    let messages: Vec<RawMessage> = raw.iter().map(JsCast::unchecked_into).collect();
    join_all(messages.iter().map(|m| settle(m, env, delivery.as_ref(), kv.as_ref()))).await;
}

/// Delivers one message, then acks it, retries it or dead-letters it, and logs the attempt.
async fn settle(raw: &RawMessage, env: &Env, delivery: Result<&Delivery, &String>, kv: Option<&KvStore>) {
    let started = Date::now().as_millis();
    let attempt = attempts(raw);
    let body = raw.body().unwrap_or_default();
    let Some(msg) = decode(&body) else {
        // Not a message this gateway wrote: nothing to deliver, so keep it as it is for a person to look at.
        if dead_letter_raw(env, body).await {
            let _ = raw.ack();
            log(None, "unreadable", None, attempt, None, started);
        } else {
            let _ = raw.retry(retry_options(backoff(config::DEFAULT_RETRY_BASE_SECONDS, attempt)));
            log(None, "unreadable_retry", None, attempt, None, started);
        }
        return;
    };
    let outcome = match (delivery, kv) {
        (Ok(delivery), Some(kv)) => attempt_delivery(&msg, delivery, kv).await,
        (Err(_), _) => Outcome::Trouble("config_error"),
        (_, None) => Outcome::Trouble("store_failed"),
    };
    let base = delivery.map_or(config::DEFAULT_RETRY_BASE_SECONDS, |d| d.retry_base_seconds);
    let retry = |status: Option<u16>, what: &'static str| {
        let delay = backoff(base, attempt);
        let _ = raw.retry(retry_options(delay));
        log(Some(&msg), what, status, attempt, Some(delay), started);
    };
    match outcome {
        Outcome::Delivered(status) => {
            let _ = raw.ack();
            if let Some(kv) = kv {
                let _ = message::release(kv, &msg).await;
            }
            log(Some(&msg), "delivered", Some(status), attempt, None, started);
        }
        Outcome::Retry(status) => retry(status, "retry"),
        Outcome::Trouble(what) => retry(None, what),
        Outcome::Refused(status) => {
            if dead_letter(env, &msg, Some(status)).await {
                let _ = raw.ack();
                log(Some(&msg), "dead_letter", Some(status), attempt, None, started);
            } else {
                retry(Some(status), "dead_letter_failed");
            }
        }
        Outcome::PayloadMissing => {
            let _ = dead_letter(env, &msg, None).await;
            let _ = raw.ack();
            log(Some(&msg), "payload_missing", None, attempt, None, started);
        }
    }
}

async fn attempt_delivery(msg: &Message, delivery: &Delivery, kv: &KvStore) -> Outcome {
    let json = match message::load(kv, msg).await {
        Ok(Some(json)) => json,
        Ok(None) => return Outcome::PayloadMissing,
        Err(_) => return Outcome::Trouble("store_failed"),
    };
    let Ok(request) = signed_request(msg, &json, delivery) else {
        return Outcome::Trouble("config_error");
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let sent = Box::pin(fetch.send_with_signal(&signal));
    let timeout = Box::pin(Delay::from(Duration::from_millis(delivery.timeout_ms.into())));
    let status = match select(sent, timeout).await {
        Either::Left((Ok(response), _)) => Some(response.status_code()),
        Either::Left((Err(_), _)) => None,
        Either::Right(_) => None,
    };
    if status.is_none() {
        controller.abort();
    }
    judge(status)
}

/// The CloudEvent as the core serialized it, with Standard Webhooks headers from the core's signer.
fn signed_request(msg: &Message, json: &str, delivery: &Delivery) -> Result<Request, ()> {
    let (path, query) = crate::request::split_target(&delivery.origin);
    let input = SignInput { method: "POST", path, query, body: json.as_bytes(), now: config::now(), id: Some(&msg.id) };
    let signed = crate::sign("standard", &delivery.secret, &input).map_err(|_| ())?;
    let headers = Headers::new();
    for (name, value) in &signed {
        headers.set(name, value).map_err(|_| ())?;
    }
    headers.set("content-type", "application/cloudevents+json").map_err(|_| ())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post).with_headers(headers).with_body(Some(JsValue::from_str(json)));
    Request::new_with_init(&delivery.origin, &init).map_err(|_| ())
}

async fn dead_letter(env: &Env, msg: &Message, status: Option<u16>) -> bool {
    let letter = Message { origin_status: status, ..msg.clone() };
    match env.queue(super::config::DEAD_LETTERS) {
        Ok(queue) => queue.send(&letter).await.is_ok(),
        Err(_) => false,
    }
}

async fn dead_letter_raw(env: &Env, body: JsValue) -> bool {
    let letter = RawMessageBuilder::new(body).build_with_content_type(QueueContentType::Json);
    match env.queue(super::config::DEAD_LETTERS) {
        Ok(queue) => queue.send_raw(letter).await.is_ok(),
        Err(_) => false,
    }
}

/// A message body (sent as JSON) back into a [`Message`].
fn decode(body: &JsValue) -> Option<Message> {
    let text = js_sys::JSON::stringify(body).ok()?.as_string()?;
    serde_json::from_str(&text).ok()
}

/// `{ delaySeconds }` for `message.retry()`.
fn retry_options(delay: u32) -> JsValue {
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"delaySeconds".into(), &delay.into());
    options.into()
}

/// This delivery's attempt number, 1 for the first.
fn attempts(raw: &RawMessage) -> u32 {
    js_sys::Reflect::get(raw, &"attempts".into())
        .ok()
        .and_then(|v| v.as_f64())
        .filter(|n| n.is_finite() && *n >= 1.0)
        .map_or(1, |n| n.min(f64::from(u32::MAX)) as u32)
}

fn log(msg: Option<&Message>, outcome: &str, status: Option<u16>, attempt: u32, retry_in: Option<u32>, started: u64) {
    Line {
        kind: "delivery",
        source: msg.map(|m| m.source.as_str()),
        vendor: msg.map(|m| m.vendor.as_str()),
        id: msg.map(|m| m.id.as_str()),
        ty: msg.map(|m| m.ty.as_str()),
        outcome,
        status,
        code: None,
        attempt: Some(attempt),
        retry_in_s: retry_in,
        duration_ms: since(started),
    }
    .emit();
}
