//! `POST /in/<source>[/<token>]`: size cap → verify and normalize (the core) → answer a handshake, or accept the
//! event exactly once in the ledger (which queues it) → 200. Nothing is acknowledged before the event is queued.
//! `GET /in/<source>?…`: a vendor's own endpoint check (DrChrono), answered by the core; anything else is 405.

use super::config::{self, Route};
use super::ledger::{self, Accepted};
use super::reply::{self, Reply};
use crate::{Error, Headers};
use futures_util::StreamExt;
use std::rc::Rc;
use worker::{Env, Method, Request};

pub async fn handle(mut req: Request, env: &Env, name: &str, url: &str) -> Reply {
    let route: Rc<Route> = match config::route(env, name) {
        Ok(Some(route)) => route,
        Ok(None) => return reply::unknown_source(),
        Err(e) => return reply::config_error(&e).with_source(name, None),
    };
    let tag = |r: Reply| r.with_source(name, Some(route.source.vendor()));
    if req.method() == Method::Get {
        // A vendor's endpoint check of its own (DrChrono's `GET ?msg=`): answered, nothing emitted.
        let headers = Headers::new();
        let check = crate::Request::new("GET", url, &headers, b"");
        return tag(route
            .source
            .challenge(&check)
            .map_or_else(|| reply::method_not_allowed("POST"), |h| reply::handshake(&h)));
    }
    if req.method() != Method::Post {
        return tag(reply::method_not_allowed("POST"));
    }
    let limit = route.source.options().max_body_bytes;
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
    let verified = match route.source.verify(&request, config::now()) {
        Ok(verified) => verified,
        Err(e) if e.kind() == crate::Kind::Unauthenticated => {
            return tag(reply::refused(&e).with_status(route.source.unauthenticated_status()))
        }
        Err(e) => return tag(reply::refused(&e)),
    };
    if let Some(handshake) = verified.handshake() {
        // An endpoint check: answered as the vendor expects; an event it also carries is not emitted.
        return tag(reply::handshake(handshake));
    }
    // Every event of the request, each accepted once; 200 only when all are queued (a vendor's retry of a batch
    // finds the ones already queued as duplicates).
    let mut ids = Vec::with_capacity(verified.events().len());
    let mut all_duplicates = true;
    for event in verified.events() {
        match ledger::accept(env, &route, event).await {
            Ok(Accepted::Queued(id)) => {
                all_duplicates = false;
                ids.push(id);
            }
            Ok(Accepted::Duplicate(id)) => ids.push(id),
            Ok(Accepted::Failed) => return tag(reply::unavailable("queue_failed").with_event(event)),
            Err(_) => return tag(reply::unavailable("ledger_failed").with_event(event)),
        }
    }
    let answer = match (verified.events(), ids.as_slice()) {
        ([event], [id]) => reply::accepted(id, all_duplicates).with_event(event),
        _ => reply::accepted_many(&ids, all_duplicates),
    };
    tag(answer.with_status(route.source.accepted_status()))
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
