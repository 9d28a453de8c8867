//! `POST /in/<source>[/<token>]`: size cap → verify and normalize (the core) → dedupe → queue → 200.
//! Nothing is acknowledged before the event is durable in the queue.

use super::reply::{self, Reply};
use super::{config, message};
use crate::{CloudEvent, Error, Headers, Source};
use futures_util::StreamExt;
use worker::{Env, Method, Request};

pub async fn handle(mut req: Request, env: &Env, name: &str, url: &str) -> Reply {
    let source = match config::source(env, name).map(|c| c.map(|c| Source::from_config(&c))) {
        Ok(Some(Ok(source))) => source,
        Ok(Some(Err(e))) => return reply::refused(&e).with_source(name, None),
        Ok(None) => return reply::unknown_source(),
        Err(message) => return reply::config_error(&message).with_source(name, None),
    };
    let tag = |r: Reply| r.with_source(name, Some(source.vendor()));
    if req.method() != Method::Post {
        return tag(reply::method_not_allowed("POST"));
    }
    let limit = source.options().max_body_bytes;
    let too_large = || reply::refused(&Error::BodyTooLarge { limit });
    if declared_length(&req).is_some_and(|n| n > limit) {
        return tag(too_large());
    }
    let body = match read_capped(&mut req, limit).await {
        Ok(Some(body)) => body,
        Ok(None) => return tag(too_large()),
        Err(()) => return tag(reply::unreadable()),
    };
    let headers: Headers = req.headers().entries().collect();
    let remote_ip = req.headers().get("cf-connecting-ip").ok().flatten();
    let method = req.method().to_string();
    let request = crate::Request::new(&method, url, &headers, &body).with_remote_ip(remote_ip.as_deref());
    match source.verify(&request, config::verify_now(env)) {
        Ok(verified) => tag(accept(env, name, verified.event()).await),
        Err(e) => tag(reply::refused(&e)),
    }
}

/// Dedupe, then queue, then remember the id: a failed send leaves nothing marked, so the vendor's retry counts.
async fn accept(env: &Env, name: &str, event: &CloudEvent) -> Reply {
    let Ok(kv) = message::kv(env) else {
        return reply::unavailable("store_failed").with_event(event);
    };
    match message::seen(&kv, name, &event.id).await {
        Ok(true) => return reply::accepted(event, true),
        Ok(false) => {}
        Err(_) => return reply::unavailable("store_failed").with_event(event),
    }
    let Ok(message) = message::prepare(&kv, name, event).await else {
        return reply::unavailable("store_failed").with_event(event);
    };
    let sent = match env.queue(config::EVENTS) {
        Ok(queue) => queue.send(&message).await.is_ok(),
        Err(_) => false,
    };
    if !sent {
        // Best effort: the payload expires on its own if this fails too.
        let _ = message::release(&kv, &message).await;
        return reply::unavailable("queue_failed").with_event(event);
    }
    let mut reply = reply::accepted(event, false);
    if message::mark_seen(&kv, name, &event.id).await.is_err() {
        // Queued, so still acknowledged; a redelivery would be forwarded again, and the origin dedupes on webhook-id.
        reply.outcome = "queued_unmarked";
    }
    reply
}

fn declared_length(req: &Request) -> Option<usize> {
    req.headers().get("content-length").ok().flatten().and_then(|v| v.trim().parse().ok())
}

/// The body, or `None` as soon as it grows past `limit` (a missing or lying Content-Length changes nothing).
async fn read_capped(req: &mut Request, limit: usize) -> Result<Option<Vec<u8>>, ()> {
    let mut body = Vec::new();
    let Ok(mut stream) = req.stream() else {
        return Ok(Some(body)); // no body at all
    };
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| ())?;
        if body.len().saturating_add(chunk.len()) > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}
