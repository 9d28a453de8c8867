//! The operator's API, `/admin/...`: off (404) unless the secret `ADMIN_TOKEN` is set, and then only for
//! `Authorization: Bearer <token>` (compared in constant time). Every answer is ledger metadata: never a payload,
//! a header value or a secret.
//!
//! - `GET  /admin/events?status=&source=&limit=`      records, newest first, across every shard
//! - `GET  /admin/events/<route>/<id>`                one record with every attempt
//! - `POST /admin/events/<route>/<id>/replay`         queue a dead event again (same id) → 202
//! - `POST /admin/replay?status=dead&source=`         replay every dead event (of a route)
//! - `GET  /admin/stats`                              counts per status, per route and in total

use super::config;
use super::ledger;
use super::ledger::Shards;
use super::reply::{self, Reply};
use crate::gateway::STATUSES;
use futures_util::future::join_all;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use worker::{Env, Method, Request};

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 500;

pub async fn handle(req: &Request, env: &Env, path: &str, query: &str) -> Reply {
    let Some(token) = config::admin_token(env) else {
        return reply::not_found();
    };
    if !authorized(req, &token) {
        let mut r = reply::error(401, "unauthorized", "unauthorized", "send Authorization: Bearer <ADMIN_TOKEN>");
        r.response = r.response.and_then(|mut r| {
            r.headers_mut().set("www-authenticate", "Bearer")?;
            Ok(r)
        });
        return r;
    }
    let params = Params::parse(query);
    let segments: Vec<String> = path.split('/').filter(|s| !s.is_empty()).map(crate::request::percent_decode).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = req.method();
    match (method, segments.as_slice()) {
        (Method::Get, ["admin", "events"]) => events(env, &params).await,
        (Method::Get, ["admin", "events", route, id]) => {
            with_route(env, route, |r| async move { show(env, &r, id).await }).await
        }
        (Method::Post, ["admin", "events", route, id, "replay"]) => {
            with_route(env, route, |r| async move { replay(env, &r, id).await }).await
        }
        (Method::Post, ["admin", "replay"]) => replay_all(env, &params).await,
        (Method::Get, ["admin", "stats"]) => stats(env).await,
        (_, ["admin", "events"] | ["admin", "events", _, _] | ["admin", "stats"]) => reply::method_not_allowed("GET"),
        (_, ["admin", "events", _, _, "replay"] | ["admin", "replay"]) => reply::method_not_allowed("POST"),
        _ => reply::not_found(),
    }
}

/// `Authorization: Bearer <token>`, compared as SHA-256 digests in constant time (so neither the content nor the
/// length of the token leaks through timing).
fn authorized(req: &Request, token: &str) -> bool {
    let given = req.headers().get("authorization").ok().flatten().unwrap_or_default();
    let given = given.strip_prefix("Bearer ").or_else(|| given.strip_prefix("bearer ")).unwrap_or("");
    crate::keys::ct_eq(&Sha256::digest(given.trim().as_bytes()), &Sha256::digest(token.trim().as_bytes()))
        && !given.is_empty()
}

struct Params {
    status: Option<String>,
    source: Option<String>,
    limit: u32,
}

impl Params {
    fn parse(query: &str) -> Params {
        let mut p = Params { status: None, source: None, limit: DEFAULT_LIMIT };
        for pair in query.split('&').filter(|s| !s.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let v = crate::request::percent_decode(v);
            match k {
                "status" if !v.is_empty() => p.status = Some(v),
                "source" if !v.is_empty() => p.source = Some(v),
                "limit" => p.limit = v.parse().unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT),
                _ => {}
            }
        }
        p
    }
}

/// A count in a ledger answer (0 when absent).
fn count(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or(0)
}

/// `{"received": n, "queued": n, ...}` from counts in [`STATUSES`] order.
fn by_status(counts: &[u64]) -> Value {
    Value::Object(STATUSES.iter().zip(counts).map(|(s, n)| ((*s).to_owned(), json!(n))).collect())
}

fn bad_request(message: &str) -> Reply {
    reply::error(400, "admin", "bad_request", message)
}

fn ledger_failed() -> Reply {
    reply::error(503, "admin", "unavailable", "the ledger could not be read; try again")
}

/// Every configured route (or the one named): its name and shard counts, read from `SOURCES` alone, so a route
/// whose keys are missing does not take the admin API down with it.
fn routes(env: &Env, only: Option<&str>) -> Result<Vec<Shards>, Reply> {
    let sources = config::sources(env).map_err(|e| reply::config_error(&e))?;
    let out: Vec<Shards> = sources
        .keys()
        .filter(|n| only.is_none_or(|o| o == n.as_str()))
        .map(|name| Shards {
            name: name.clone(),
            count: config::shards(env, name),
            span: config::shard_span(env, name),
        })
        .collect();
    if only.is_some() && out.is_empty() {
        return Err(reply::unknown_source());
    }
    Ok(out)
}

async fn with_route<F, Fut>(env: &Env, name: &str, f: F) -> Reply
where
    F: FnOnce(Shards) -> Fut,
    Fut: std::future::Future<Output = Reply>,
{
    match routes(env, Some(name)) {
        Ok(mut found) => match found.pop() {
            Some(route) => f(route).await,
            None => reply::unknown_source(),
        },
        Err(r) => r,
    }
}

fn check_status(status: Option<&str>) -> Result<(), Reply> {
    match status {
        Some(s) if !STATUSES.contains(&s) => Err(bad_request(&format!("status is one of {}", STATUSES.join(", ")))),
        _ => Ok(()),
    }
}

async fn events(env: &Env, p: &Params) -> Reply {
    if let Err(r) = check_status(p.status.as_deref()) {
        return r;
    }
    let routes = match routes(env, p.source.as_deref()) {
        Ok(routes) => routes,
        Err(r) => return r,
    };
    let calls = routes
        .iter()
        .flat_map(|r| (0..r.span).map(move |shard| ledger::list(env, r, shard, p.status.as_deref(), p.limit)));
    let mut rows = Vec::new();
    for answer in join_all(calls).await {
        match answer {
            Ok(part) => rows.extend(part),
            Err(_) => return ledger_failed(),
        }
    }
    rows.sort_by(|a, b| b["receivedAt"].as_str().cmp(&a["receivedAt"].as_str()));
    rows.truncate(p.limit as usize);
    Reply::json(200, "admin", &json!({ "events": rows }))
}

async fn show(env: &Env, route: &Shards, id: &str) -> Reply {
    match ledger::get(env, route, id).await {
        Ok((200, record)) => Reply::json(200, "admin", &record),
        Ok(_) => reply::error(404, "admin", "not_found", "no event with this id on this route"),
        Err(_) => ledger_failed(),
    }
}

async fn replay(env: &Env, route: &Shards, id: &str) -> Reply {
    match ledger::replay(env, route, id).await {
        Ok((202, _)) => Reply::json(202, "replay", &json!({ "replayed": 1, "source": route.name, "id": id })),
        Ok((404, _)) => reply::error(404, "admin", "not_found", "no event with this id on this route"),
        Ok((409, _)) => reply::error(409, "admin", "not_dead", "only a dead event can be replayed"),
        Ok((410, _)) => reply::error(410, "admin", "payload_expired", "the payload is past the retention window"),
        _ => ledger_failed(),
    }
}

async fn replay_all(env: &Env, p: &Params) -> Reply {
    if p.status.as_deref() != Some("dead") {
        return bad_request("only status=dead can be replayed");
    }
    let routes = match routes(env, p.source.as_deref()) {
        Ok(routes) => routes,
        Err(r) => return r,
    };
    let calls = routes.iter().flat_map(|r| (0..r.span).map(move |shard| ledger::replay_all(env, r, shard)));
    let (mut replayed, mut failed) = (0, 0);
    for answer in join_all(calls).await {
        match answer {
            Ok(v) => {
                replayed += count(&v, "replayed");
                failed += count(&v, "failed");
            }
            Err(_) => failed += 1,
        }
    }
    Reply::json(202, "replay", &json!({ "replayed": replayed, "failed": failed }))
}

async fn stats(env: &Env) -> Reply {
    let routes = match routes(env, None) {
        Ok(routes) => routes,
        Err(r) => return r,
    };
    let calls = routes.iter().map(|r| async move {
        let parts = join_all((0..r.span).map(|shard| ledger::stats(env, r, shard))).await;
        (r.name.clone(), parts)
    });
    let mut total = [0u64; STATUSES.len()];
    let mut per_source = serde_json::Map::new();
    for (name, parts) in join_all(calls).await {
        let mut counts = [0u64; STATUSES.len()];
        for part in parts {
            let Ok(part) = part else {
                return ledger_failed();
            };
            for (i, s) in STATUSES.iter().enumerate() {
                let n = count(&part, s);
                counts.get_mut(i).into_iter().chain(total.get_mut(i)).for_each(|c| *c += n);
            }
        }
        per_source.insert(name, by_status(&counts));
    }
    let total = by_status(&total);
    // The Queues binding reports no backlog to the Worker: the dashboard and the GraphQL API have it.
    Reply::json(200, "admin", &json!({ "counts": total, "sources": per_source, "queueBacklog": null }))
}
