// carehook/fetch: webhook endpoints for Fetch API runtimes and frameworks (Cloudflare Workers, Deno, Bun, Hono,
// Next.js route handlers, SvelteKit, Remix). The Request stays readable; a refusal is a JSON Response with
// `{ error, message }` and the status from `httpStatus` (or the vendor's own for an unauthentic request: Fitbit
// 404); a vendor's handshake or endpoint check is answered as the vendor expects. Nothing is logged.
import { Verifier, CarehookError } from "#carehook";
import { NOT_ALLOWED, bodyLimit, clock, httpStatus, refusalBody, refusalStatus } from "./http.js";

export { httpStatus };

/**
 * `webhookHandler(options, handler)` → `(request, ...rest) => Promise<Response>`. `handler(event, request, ...rest)`
 * runs for each event of a verified webhook: once for most vendors, once per event, in order, for a batch (a Fitbit
 * array, a FHIR notification Bundle). It may return a Response, nothing (an empty answer with the vendor's accepted
 * status: 200, Fitbit 204), or a value sent as JSON with 200; in a batch, a Response that is not 2xx stops there and
 * answers, else the last call's result answers. `options` may be a function `(request, ...rest) => options` (sync or
 * async), for keys that live in a Worker's `env`.
 */
export function webhookHandler(options, handler) {
  if (typeof handler !== "function") throw new TypeError("carehook: webhookHandler(options, handler) needs a handler");
  const optionsOf = sourceOf(options);
  return async function carehookHandler(request, ...rest) {
    let verifier, outcome;
    try {
      let opts;
      [opts, verifier] = await optionsOf(request, ...rest);
      outcome = await verifyFetch(verifier, request, opts, rest);
    } catch (e) {
      if (e instanceof CarehookError) return refusal(e, refusalStatus(e, verifier));
      throw e;
    }
    if (outcome instanceof Response) return outcome;
    let out;
    for (const event of outcome.events) {
      out = await handler(event, request, ...rest);
      if (out instanceof Response && !out.ok) return out;
    }
    if (out instanceof Response) return out;
    if (out === undefined || out === null) return new Response(null, { status: verifier.acceptedStatus });
    return new Response(JSON.stringify(out), { status: 200, headers: { "content-type": "application/json" } });
  };
}

/**
 * Hono middleware: `app.post("/in/stripe", webhook(options), (c) => { const event = c.get("webhook"); ... })`.
 * `c.get("webhooks")` is every event of the request, `c.get("webhook")` the event when there is exactly one. A 200
 * from the route is answered with the vendor's accepted status when it is another (Fitbit: 204, no body). `options`
 * may be a function `(c) => options` (e.g. `(c) => ({ vendor: "stripe", keys: c.env.STRIPE_SECRET })`).
 */
export function webhook(options) {
  const optionsOf = sourceOf(options);
  return async function carehookMiddleware(c, next) {
    let verifier, outcome;
    try {
      let opts;
      [opts, verifier] = await optionsOf(c);
      outcome = await verifyFetch(verifier, c.req.raw, opts, [c]);
    } catch (e) {
      if (e instanceof CarehookError) return refusal(e, refusalStatus(e, verifier));
      throw e;
    }
    if (outcome instanceof Response) return outcome;
    const { events } = outcome;
    c.set("webhooks", events);
    c.set("webhook", events.length === 1 ? events[0] : undefined);
    await next();
    const accepted = verifier.acceptedStatus;
    if (accepted !== 200 && c.res?.status === 200) {
      const headers = new Headers(c.res.headers);
      let body = c.res.body;
      if (accepted === 204) {
        c.res.body?.cancel().catch(() => {});
        body = null;
        headers.delete("content-type");
        headers.delete("content-length");
      }
      c.res = new Response(body, { status: accepted, headers });
    }
  };
}

/** A refused webhook as a Response: `{ error, message }` with `status` (default: `httpStatus(err.code)`). */
export function refusal(err, status = httpStatus(err.code)) {
  const headers = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };
  if (status === 405) headers.allow = "POST";
  return new Response(refusalBody(err), { status, headers });
}

/** A handshake or endpoint check answered as the vendor expects: its status, and its JSON body if it has one. */
function answer({ status, body }) {
  const headers = { "cache-control": "no-store" };
  if (body) headers["content-type"] = "application/json";
  return new Response(body || null, { status, headers });
}

/** Options checked once when they are an object; built per request when they are a function. */
function sourceOf(options) {
  if (typeof options === "function") {
    return async (...args) => {
      const opts = await options(...args);
      return [opts, new Verifier(opts)];
    };
  }
  const verifier = new Verifier(options);
  return async () => [options, verifier];
}

/**
 * The request's events (`{ events, handshake: null }`, at least one event), or the Response that answers it
 * without the handler: a vendor's GET endpoint check, a handshake, a batch of none. Throws `CarehookError`.
 */
async function verifyFetch(verifier, request, opts, rest) {
  if (request.method === "GET") {
    const check = verifier.challenge({ method: "GET", url: request.url, headers: request.headers });
    return check ? answer(check) : refusal(NOT_ALLOWED, 405);
  }
  const body = await readBody(request, bodyLimit(opts));
  const verified = verifier.verifyAll({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body,
    now: clock(opts.now),
    remoteIp: typeof opts.remoteIp === "function" ? opts.remoteIp(request, ...rest) : opts.remoteIp,
  });
  if (verified.handshake) return answer(verified.handshake); // an endpoint check: nothing is emitted
  if (verified.events.length === 0) return answer({ status: verifier.acceptedStatus, body: "" });
  return verified;
}

/** Up to `limit + 1` bytes of a clone of the body (enough for the core to refuse an oversized one). */
async function readBody(request, limit) {
  if (request.bodyUsed) {
    throw new TypeError("carehook: the request body was already read; verify before anything parses it");
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.clone().body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) {
      // Not awaited: cancelling one branch of a tee settles only once the other branch (the caller's) is cancelled.
      reader.cancel().catch(() => {});
      break;
    }
  }
  const out = new Uint8Array(Math.min(size, limit + 1));
  let at = 0;
  for (const c of chunks) {
    const part = c.subarray(0, out.length - at);
    out.set(part, at);
    at += part.length;
    if (at === out.length) break;
  }
  return out;
}
