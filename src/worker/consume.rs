//! The queue consumers. The events queue: POST each CloudEvent to the origin, signed with Standard Webhooks
//! (`webhook-id` from the event id), redirects never followed; the origin's answer is judged by
//! [`crate::gateway::judge`] and every attempt recorded in the ledger. The dead-letter queue: record each letter
//! in the ledger as `dead`, with what is needed to replay it.

use super::config::{self, Delivery};
use super::ledger;
use super::log::{since, Line};
use super::message::Message;
use crate::gateway::{self, Outcome};
use futures_util::future::{join_all, select, Either};
use std::time::Duration;
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::worker_sys::{Message as RawMessage, MessageBatch};
use worker::{
    js_sys, AbortController, Date, Delay, Env, Fetch, Headers, Method, QueueContentType, RawMessageBuilder, Request,
    RequestInit, RequestRedirect,
};

pub async fn batch(batch: &MessageBatch, env: &Env) {
    let Ok(raw) = batch.messages() else {
        return;
    };
    let messages: Vec<RawMessage> = raw.iter().map(JsCast::unchecked_into).collect();
    let dead = batch.queue().ok().and_then(|q| q.as_string()) == Some(config::dead_letter_queue(env));
    if dead {
        join_all(messages.iter().map(|m| settle_dead(m, env))).await;
    } else {
        let delivery = config::delivery(env);
        join_all(messages.iter().map(|m| settle(m, env, delivery.as_deref().ok()))).await;
    }
}

/// How one attempt ended, beyond the origin's answer.
enum Attempt {
    Judged(Outcome),
    /// The message names a stored payload that is gone.
    PayloadMissing,
    /// Configuration or storage trouble on this side: try again later.
    Trouble(&'static str),
}

/// Delivers one message, then acks it, retries it or dead-letters it, records and logs the attempt.
async fn settle(raw: &RawMessage, env: &Env, delivery: Option<&Delivery>) {
    let started = Date::now().as_millis();
    let n = attempts(raw);
    let base = delivery.map_or(config::DEFAULT_RETRY_BASE_SECONDS, |d| d.retry_base_seconds);
    let Some(msg) = Message::decode(raw.body().unwrap_or_default()) else {
        // Not a message this gateway wrote: nothing to deliver, so keep it as it is for a person to look at.
        if dead_letter_raw(env, raw.body().unwrap_or_default()).await {
            let _ = raw.ack();
            log(None, "unreadable", None, n, None, started);
        } else {
            let _ = raw.retry(retry_options(gateway::backoff(base, n)));
            log(None, "unreadable_retry", None, n, None, started);
        }
        return;
    };
    let shards = config::shards(env, &msg.source);
    match ledger::begin(env, shards, &msg).await {
        Ok((false, reason)) => {
            let _ = raw.ack();
            log(
                Some(&msg),
                if reason == "superseded" { "superseded" } else { "already_settled" },
                None,
                n,
                None,
                started,
            );
            return;
        }
        Ok((true, _)) => {}
        Err(_) => {
            let delay = gateway::backoff(base, n);
            let _ = raw.retry(retry_options(delay));
            log(Some(&msg), "ledger_failed", None, n, Some(delay), started);
            return;
        }
    }
    let attempt = match delivery {
        Some(delivery) => deliver(&msg, env, delivery).await,
        None => Attempt::Trouble("config_error"),
    };
    let retry = |status: Option<u16>, what: &'static str| {
        let delay = gateway::backoff(base, n);
        let _ = raw.retry(retry_options(delay));
        log(Some(&msg), what, status, n, Some(delay), started);
    };
    match attempt {
        Attempt::Judged(outcome @ Outcome::Delivered(status)) => {
            // Recorded before the ack, so a redelivery of this message finds it delivered. The origin has it: a
            // ledger that stays unreachable after a few tries is logged (the record stays `queued`), never a
            // reason to deliver again.
            let mut recorded = false;
            for _ in 0..3 {
                if ledger::attempt(env, shards, &msg, n, Some(status), outcome.as_str()).await.is_ok() {
                    recorded = true;
                    break;
                }
            }
            let _ = raw.ack();
            let _ = msg.release(env).await;
            log(
                Some(&msg),
                if recorded { "delivered" } else { "delivered_unrecorded" },
                Some(status),
                n,
                None,
                started,
            );
        }
        Attempt::Judged(outcome @ Outcome::Retry(status)) => {
            let _ = ledger::attempt(env, shards, &msg, n, status, outcome.as_str()).await;
            retry(status, "retry");
        }
        Attempt::Judged(outcome @ Outcome::Refused(status)) => {
            let _ = ledger::attempt(env, shards, &msg, n, Some(status), outcome.as_str()).await;
            let letter = Message { origin_status: Some(status), ..msg.clone() };
            if letter.send(env, config::DEAD_LETTERS).await.is_ok() {
                let _ = raw.ack();
                log(Some(&msg), "dead_letter", Some(status), n, None, started);
            } else {
                retry(Some(status), "dead_letter_failed");
            }
        }
        Attempt::PayloadMissing => {
            let _ = ledger::attempt(env, shards, &msg, n, None, "payload_missing").await;
            let _ = msg.send(env, config::DEAD_LETTERS).await;
            let _ = raw.ack();
            log(Some(&msg), "payload_missing", None, n, None, started);
        }
        Attempt::Trouble(what) => retry(None, what),
    }
}

/// Records a dead letter in the ledger (keeping its payload for a replay); retried until the ledger has it.
async fn settle_dead(raw: &RawMessage, env: &Env) {
    let started = Date::now().as_millis();
    let n = attempts(raw);
    let Some(msg) = Message::decode(raw.body().unwrap_or_default()) else {
        let _ = raw.ack();
        log(None, "dead_unreadable", None, n, None, started);
        return;
    };
    match ledger::dead(env, config::shards(env, &msg.source), &msg).await {
        Ok(()) => {
            let _ = raw.ack();
            log(Some(&msg), "dead", msg.origin_status, n, None, started);
        }
        Err(_) => {
            let delay = gateway::backoff(config::DEFAULT_RETRY_BASE_SECONDS, n);
            let _ = raw.retry(retry_options(delay));
            log(Some(&msg), "dead_record_failed", msg.origin_status, n, Some(delay), started);
        }
    }
}

async fn deliver(msg: &Message, env: &Env, delivery: &Delivery) -> Attempt {
    let json = match msg.load(env).await {
        Ok(Some(json)) => json,
        Ok(None) => return Attempt::PayloadMissing,
        Err(_) => return Attempt::Trouble("store_failed"),
    };
    let Ok(request) = signed_request(msg, &json, delivery) else {
        return Attempt::Trouble("config_error");
    };
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let sent = Box::pin(fetch.send_with_signal(&signal));
    let timeout = Box::pin(Delay::from(Duration::from_millis(delivery.timeout_ms.into())));
    let status = match select(sent, timeout).await {
        Either::Left((Ok(response), _)) => Some(response.status_code()),
        Either::Left((Err(_), _)) | Either::Right(_) => None,
    };
    if status.is_none() {
        controller.abort();
    }
    Attempt::Judged(gateway::judge(status))
}

/// The CloudEvent as the core serialized it, with Standard Webhooks headers. Redirects are answers, not
/// instructions: `redirect: "manual"`.
fn signed_request(msg: &Message, json: &str, delivery: &Delivery) -> Result<Request, ()> {
    let id = gateway::webhook_id(&msg.id);
    let now = config::now();
    let headers = Headers::new();
    headers.set("webhook-id", &id).map_err(|_| ())?;
    headers.set("webhook-timestamp", &now.to_string()).map_err(|_| ())?;
    headers.set("webhook-signature", &delivery.key.sign(&id, now, json.as_bytes())).map_err(|_| ())?;
    headers.set("content-type", "application/cloudevents+json").map_err(|_| ())?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(JsValue::from_str(json)));
    Request::new_with_init(&delivery.origin, &init).map_err(|_| ())
}

async fn dead_letter_raw(env: &Env, body: JsValue) -> bool {
    let letter = RawMessageBuilder::new(body).build_with_content_type(QueueContentType::V8);
    match env.queue(config::DEAD_LETTERS) {
        Ok(queue) => queue.send_raw(letter).await.is_ok(),
        Err(_) => false,
    }
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
        detail: None,
        attempt: Some(attempt),
        retry_in_s: retry_in,
        duration_ms: since(started),
    }
    .emit();
}
