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
        settle_all(&messages, env, delivery.as_deref().ok()).await;
    }
}

/// How one attempt ended, beyond the origin's answer.
#[derive(Clone, Copy)]
enum Attempt {
    Judged(Outcome),
    /// The message names a stored payload that is gone.
    PayloadMissing,
    /// Configuration or storage trouble on this side: try again later.
    Trouble(&'static str),
}

/// One readable message of a batch, with its place in the ledger.
struct Item<'a> {
    raw: &'a RawMessage,
    msg: Message,
    /// This delivery's attempt number.
    n: u32,
    shard: u32,
    started: u64,
}

impl Item<'_> {
    /// Gives the message back to the queue, to come again after the backoff for its attempt, and logs why.
    fn retry_later(&self, base: u32, status: Option<u16>, what: &str) {
        let delay = gateway::backoff(base, self.n);
        let _ = self.raw.retry(retry_options(delay));
        log(Some(&self.msg), what, status, self.n, Some(delay), self.started);
    }
}

/// `values` grouped by the (route, shard) of their item, in first-seen order: each group is one ledger call.
fn by_shard<'a, T: Copy>(values: impl IntoIterator<Item = T>, item: impl Fn(T) -> &'a Item<'a>) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = Vec::new();
    for v in values {
        let (source, shard) = (&item(v).msg.source, item(v).shard);
        let same =
            |g: &&mut Vec<T>| g.first().is_some_and(|&f| item(f).shard == shard && &item(f).msg.source == source);
        match groups.iter_mut().find(same) {
            Some(g) => g.push(v),
            None => groups.push(vec![v]),
        }
    }
    groups
}

/// Delivers a batch: asks the ledger which messages to deliver (one call per route and shard), POSTs those to the
/// origin concurrently, records every attempt (again one call per route and shard), and only then acks, retries
/// or dead-letters each message. A delivered message is acked only after its delivery is on record, or after the
/// ledger stayed unreachable for three tries (the origin has it: it is never delivered again).
async fn settle_all(messages: &[RawMessage], env: &Env, delivery: Option<&Delivery>) {
    let base = delivery.map_or(config::DEFAULT_RETRY_BASE_SECONDS, |d| d.retry_base_seconds);
    let mut items = Vec::with_capacity(messages.len());
    let mut unreadable = Vec::new();
    for raw in messages {
        let started = Date::now().as_millis();
        match Message::decode(raw.body().unwrap_or_default()) {
            Some(msg) => {
                let shard = msg.shard(env);
                items.push(Item { raw, msg, n: attempts(raw), shard, started });
            }
            None => unreadable.push((raw, started)),
        }
    }
    // Not a message this gateway wrote: nothing to deliver, so keep it as it is for a person to look at.
    join_all(unreadable.into_iter().map(|(raw, started)| async move {
        let n = attempts(raw);
        if dead_letter_raw(env, raw.body().unwrap_or_default()).await {
            let _ = raw.ack();
            log(None, "unreadable", None, n, None, started);
        } else {
            let _ = raw.retry(retry_options(gateway::backoff(base, n)));
            log(None, "unreadable_retry", None, n, None, started);
        }
    }))
    .await;

    // 1. Which to deliver.
    let groups = by_shard(items.iter(), |i| i);
    let answers = join_all(groups.iter().map(|g| async move {
        let batch: Vec<&Message> = g.iter().map(|i| &i.msg).collect();
        match g.first() {
            Some(first) => ledger::begin(env, &first.msg.source, first.shard, &batch).await,
            None => Ok(Vec::new()),
        }
    }))
    .await;
    let mut go = Vec::with_capacity(items.len());
    for (g, answer) in groups.iter().zip(answers) {
        match answer {
            Ok(answers) => {
                for (item, (deliver, reason)) in g.iter().zip(answers) {
                    match (deliver, reason.as_str()) {
                        (true, _) => go.push(*item),
                        // Another consumer is delivering this generation: ask again once it has settled (or its
                        // lease has run out, when it stopped mid-delivery).
                        (false, "in_flight") => item.retry_later(base, None, "in_flight"),
                        (false, reason) => {
                            let _ = item.raw.ack();
                            let what = match reason {
                                "superseded" | "duplicate_in_batch" => reason,
                                _ => "already_settled",
                            };
                            log(Some(&item.msg), what, None, item.n, None, item.started);
                        }
                    }
                }
            }
            Err(_) => g.iter().for_each(|item| item.retry_later(base, None, "ledger_failed")),
        }
    }

    // 2. The deliveries, side by side.
    let outcomes = join_all(go.iter().map(|item| async move {
        match delivery {
            Some(delivery) => deliver(&item.msg, env, delivery).await,
            None => Attempt::Trouble("config_error"),
        }
    }))
    .await;
    let attempted: Vec<(&Item<'_>, Attempt)> = go.into_iter().zip(outcomes).collect();

    // 3. The attempts on record, one call per route and shard (trouble on this side is not an attempt: the origin
    // was not asked), and 4. each message settled.
    let groups = by_shard(attempted.iter(), |(item, _)| item);
    let settled = groups.iter().map(|g| async move {
        let reports: Vec<ledger::AttemptReport> = g
            .iter()
            .filter_map(|(item, attempt)| match attempt {
                Attempt::Judged(o) => Some(ledger::AttemptReport::new(&item.msg, item.n, o.status(), o.as_str())),
                Attempt::PayloadMissing => Some(ledger::AttemptReport::new(&item.msg, item.n, None, "payload_missing")),
                Attempt::Trouble(_) => None,
            })
            .collect();
        // A delivery is on record before its ack, so a redelivery of the message finds it delivered.
        let tries = if g.iter().any(|(_, a)| matches!(a, Attempt::Judged(Outcome::Delivered(_)))) { 3 } else { 1 };
        let unattempted = g.iter().filter(|(_, a)| matches!(a, Attempt::Trouble(_))).map(|(item, _)| &item.msg);
        // Never empty: every item of the group was attempted or is released.
        let record = ledger::Settled::new(reports, unattempted);
        let mut recorded = false;
        if let Some((first, _)) = g.first() {
            for _ in 0..tries {
                if ledger::attempts(env, &first.msg.source, first.shard, &record).await.is_ok() {
                    recorded = true;
                    break;
                }
            }
        }
        join_all(g.iter().map(|&&(item, attempt)| finish(item, attempt, recorded, env, base))).await;
    });
    join_all(settled).await;
}

/// Acks, retries or dead-letters one message after its delivery attempt was recorded (or not), and logs it.
async fn finish(item: &Item<'_>, attempt: Attempt, recorded: bool, env: &Env, base: u32) {
    let Item { raw, msg, n, started, .. } = item;
    let (n, started) = (*n, *started);
    let retry = |status: Option<u16>, what: &str| item.retry_later(base, status, what);
    match attempt {
        Attempt::Judged(Outcome::Delivered(status)) => {
            // The origin has it: a ledger that stayed unreachable is logged (the record stays `queued`), never a
            // reason to deliver again.
            let _ = raw.ack();
            let _ = msg.release(env).await;
            let what = if recorded { "delivered" } else { "delivered_unrecorded" };
            log(Some(msg), what, Some(status), n, None, started);
        }
        Attempt::Judged(Outcome::Retry(status)) => retry(status, "retry"),
        Attempt::Judged(Outcome::Refused(status)) => {
            let letter = Message { origin_status: Some(status), ..msg.clone() };
            if letter.send(env, config::DEAD_LETTERS).await.is_ok() {
                let _ = raw.ack();
                log(Some(msg), "dead_letter", Some(status), n, None, started);
            } else {
                retry(Some(status), "dead_letter_failed");
            }
        }
        Attempt::PayloadMissing => {
            let _ = msg.send(env, config::DEAD_LETTERS).await;
            let _ = raw.ack();
            log(Some(msg), "payload_missing", None, n, None, started);
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
    match ledger::dead(env, &msg).await {
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
