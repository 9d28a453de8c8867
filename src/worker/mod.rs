//! The Cloudflare Worker (feature `worker`): an edge gateway in front of the core. It reads like a router: HTTP in,
//! bindings (Durable Objects, Queues, KV, secrets) around it, and every decision about a webhook is a call into the
//! core ([`crate::Source::verify`]) or into its pure gateway policy ([`crate::gateway`]).
//!
//! - `POST /in/<source>[/<token>]`: size cap → verify → handshake, or accept exactly once in the ledger → 200.
//! - the queue consumers: POST each CloudEvent to `ORIGIN_URL`, signed with Standard Webhooks; retry or
//!   dead-letter; dead letters recorded in the ledger for replay.
//! - `/admin/...`: the ledger, and replay (see `admin.rs`); `GET /healthz`.

mod admin;
mod config;
mod consume;
mod ingest;
mod ledger;
mod log;
mod message;
mod reply;

use worker::{event, Context, Date, Env, Method, Request, Response, Result};

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let started = Date::now().as_millis();
    let url = req.inner().url();
    let (path, query) = crate::request::split_target(&url);
    let mut segments = path.trim_start_matches('/').splitn(3, '/');
    let reply = match (segments.next(), segments.next()) {
        (Some("in"), Some(source)) if !source.is_empty() => {
            let source = source.to_owned();
            ingest::handle(req, &env, &source, &url).await
        }
        (Some("admin"), _) => admin::handle(&req, &env, path, query).await,
        (Some("healthz"), None) if req.method() == Method::Get => reply::health(),
        (Some("healthz"), None) => reply::method_not_allowed("GET"),
        _ => reply::not_found(),
    };
    log::Line::request(&reply, started).emit();
    reply.response
}

/// The queue consumer, for the events queue and the dead-letter queue. Written out by hand rather than with
/// `#[event(queue)]`: the delivery backoff needs each message's `attempts`, which `worker` 0.8.7 does not expose.
#[worker::wasm_bindgen::prelude::wasm_bindgen(
    wasm_bindgen = ::worker::wasm_bindgen,
    wasm_bindgen_futures = ::worker::wasm_bindgen_futures,
    js_sys = ::worker::js_sys
)]
pub async fn queue(
    batch: worker::worker_sys::MessageBatch,
    env: Env,
    _ctx: worker::worker_sys::Context,
) -> std::result::Result<worker::wasm_bindgen::JsValue, worker::wasm_bindgen::JsValue> {
    consume::batch(&batch, &env).await;
    Ok(worker::wasm_bindgen::JsValue::UNDEFINED)
}
