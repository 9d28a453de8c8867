// carehook/express: a middleware for Express and other Node `(req, res, next)` servers (Connect, plain node:http).
// It reads the raw body itself, verifies it, sets `req.webhooks` to every CloudEvent of the request (and
// `req.webhook` to the event when there is exactly one), or answers the request itself: a refusal with
// `{ error, message }`, a vendor's handshake or endpoint check as the vendor expects. It never logs.
import { Verifier, CarehookError } from "#carehook";
import { NOT_ALLOWED, bodyLimit, clock, httpStatus, refusalBody, refusalStatus } from "./http.js";

export { httpStatus };

const PARSED =
  "carehook: the body was parsed before webhook() ran, so the bytes the sender signed are gone: " +
  "mount webhook() before express.json() / express.text(), or give this route express.raw({ type: '*/*' })";

/**
 * `webhook(options)`: options as for `verify` (vendor, keys, tolerance, publicPath, maxBodyBytes, allowIps, ...),
 * plus `now` (Unix seconds, Date, or a function returning one) and `remoteIp(req)`. `options` may also be a function
 * `(req) => options` (sync or async) to pick keys per request; an object is checked once, here.
 *
 * `next()` runs only for a verified request that carries events, with `res.statusCode` set to the status that
 * acknowledges a webhook to this vendor (Fitbit: 204), so `res.end()` answers as the vendor expects. A handshake
 * (Metriport's ping, a FHIR handshake or heartbeat) and a vendor's `GET` endpoint check (DrChrono's `?msg=`, Fitbit's
 * `?verify=`) are answered here; nothing is emitted for them.
 */
export function webhook(options) {
  const perRequest = typeof options === "function";
  const fixed = perRequest ? null : new Verifier(options);
  return function carehookWebhook(req, res, next = defaultNext(res)) {
    handle(req, res, next, fixed, perRequest ? options : () => options).catch(next);
  };
}

async function handle(req, res, next, fixed, optionsOf) {
  const options = await optionsOf(req);
  let verifier = fixed;
  try {
    verifier ??= new Verifier(options);
  } catch (e) {
    if (!(e instanceof CarehookError)) throw e;
    refuse(res, e, null); // a key or vendor that cannot be used: 500, and the code says which
    return;
  }
  const url = req.originalUrl ?? req.url;
  if (req.method === "GET") {
    const check = verifier.challenge({ method: "GET", url, headers: headerPairs(req) });
    if (check) answer(res, check);
    else refuse(res, NOT_ALLOWED, null, 405);
    return;
  }
  const given = req.body;
  let body;
  if (given instanceof Uint8Array) body = given; // express.raw() ran first
  else if (consumed(req)) throw new TypeError(PARSED);
  else {
    body = await readBody(req, bodyLimit(options));
    if (body === null) return; // the client went away
  }
  let verified;
  try {
    verified = verifier.verifyAll({
      method: req.method,
      url,
      headers: headerPairs(req),
      body,
      now: clock(options.now),
      remoteIp: options.remoteIp ? options.remoteIp(req) : remoteAddress(req),
    });
  } catch (e) {
    if (!(e instanceof CarehookError)) throw e;
    refuse(res, e, verifier);
    return;
  }
  const { events, handshake } = verified;
  if (handshake) return answer(res, handshake); // an endpoint check: answered as the vendor expects, nothing emitted
  if (events.length === 0) return answer(res, { status: verifier.acceptedStatus, body: "" }); // a batch of none
  req.webhooks = events;
  req.webhook = events.length === 1 ? events[0] : undefined;
  if (!(given instanceof Uint8Array)) req.body = body;
  res.statusCode = verifier.acceptedStatus;
  next();
}

/** Whether a body parser has already read the stream. */
function consumed(req) {
  return req._body === true || req.readableEnded === true;
}

/** Up to `limit + 1` bytes: enough for the core to see an oversized body; the rest is drained unread. */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const done = (value, error) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      if (error) reject(error);
      else resolve(value);
    };
    const bytes = () => {
      const all = concat(chunks, size);
      return all.length > limit + 1 ? all.subarray(0, limit + 1) : all;
    };
    const onData = (chunk) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        done(bytes());
        req.resume(); // discard what is left without holding it
      }
    };
    const onEnd = () => done(bytes());
    const onError = (e) => done(null, e);
    const onClose = () => done(null);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onClose);
  });
}

function concat(chunks, size) {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Headers as received, repeats kept (Node joins repeated headers in `req.headers`; the core must see each). */
function headerPairs(req) {
  const raw = req.rawHeaders;
  if (!Array.isArray(raw)) return req.headers;
  const pairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i], raw[i + 1]]);
  return pairs;
}

/** Express's `req.ip` (which honours "trust proxy"), else the socket's address; IPv4-mapped IPv6 read as IPv4. */
function remoteAddress(req) {
  const ip = req.ip ?? req.socket?.remoteAddress;
  if (typeof ip !== "string") return undefined;
  return ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip;
}

function refuse(res, err, verifier, status = refusalStatus(err, verifier)) {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.setHeader("cache-control", "no-store");
  if (status === 405) res.setHeader("allow", "POST");
  // Part of an oversized body may still be arriving: do not keep the connection for another request.
  if (status === 413) res.setHeader("connection", "close");
  res.end(refusalBody(err));
}

/** A handshake or endpoint check answered as the vendor expects: its status, and its JSON body if it has one. */
function answer(res, { status, body }) {
  res.statusCode = status;
  res.setHeader("cache-control", "no-store");
  if (body) res.setHeader("content-type", "application/json");
  res.end(body || undefined);
}

/** Without a `next` (plain node:http), a programming error answers 500 without detail. */
function defaultNext(res) {
  return (err) => {
    if (!err || res.headersSent) return;
    res.statusCode = 500;
    res.end();
  };
}
