// carehook/fetch: webhook endpoints for Fetch API runtimes and frameworks (Cloudflare Workers, Deno, Bun, Hono,
// Next.js route handlers, SvelteKit, Remix). The Request stays readable; a refusal is a JSON Response with
// `{ error, message }` and the status from `httpStatus`. Nothing is logged.
import { Verifier, CarehookError } from "#carehook";
import { bodyLimit, clock, httpStatus, refusalBody } from "./http.js";

export { httpStatus };

/**
 * `webhookHandler(options, handler)` → `(request, ...rest) => Promise<Response>`. `handler(event, request, ...rest)`
 * runs only for a verified webhook; it may return a Response, or nothing for an empty 200 (some vendors retry on any
 * other status, 204 included). `options` may be a function `(request, ...rest) => options` (sync or async), for keys
 * that live in a Worker's `env`.
 */
export function webhookHandler(options, handler) {
  if (typeof handler !== "function") throw new TypeError("carehook: webhookHandler(options, handler) needs a handler");
  const optionsOf = sourceOf(options);
  return async function carehookHandler(request, ...rest) {
    let event;
    try {
      const [opts, verifier] = await optionsOf(request, ...rest);
      event = await verifyFetch(verifier, request, opts, rest);
    } catch (e) {
      if (e instanceof CarehookError) return refusal(e);
      throw e;
    }
    const out = await handler(event, request, ...rest);
    if (out instanceof Response) return out;
    if (out === undefined || out === null) return new Response(null, { status: 200 });
    return new Response(JSON.stringify(out), { status: 200, headers: { "content-type": "application/json" } });
  };
}

/**
 * Hono middleware: `app.post("/in/stripe", webhook(options), (c) => { const event = c.get("webhook"); ... })`.
 * `options` may be a function `(c) => options` (e.g. `(c) => ({ vendor: "stripe", keys: c.env.STRIPE_SECRET })`).
 */
export function webhook(options) {
  const optionsOf = sourceOf(options);
  return async function carehookMiddleware(c, next) {
    try {
      const [opts, verifier] = await optionsOf(c);
      c.set("webhook", await verifyFetch(verifier, c.req.raw, opts, [c]));
    } catch (e) {
      if (e instanceof CarehookError) return refusal(e);
      throw e;
    }
    await next();
  };
}

/** A refused webhook as a Response. */
export function refusal(err) {
  return new Response(refusalBody(err), {
    status: httpStatus(err.code),
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
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

async function verifyFetch(verifier, request, opts, rest) {
  const body = await readBody(request, bodyLimit(opts));
  return verifier.verify({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body,
    now: clock(opts.now),
    remoteIp: typeof opts.remoteIp === "function" ? opts.remoteIp(request, ...rest) : opts.remoteIp,
  });
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
