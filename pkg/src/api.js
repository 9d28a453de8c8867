// The carehook API over the wasm bindings. Runtime-neutral: no Node globals here (see the index.*.mjs entries).
// Nothing here calls into wasm while the module is evaluated: each entry instantiates it first.
import * as wasm from "../dist/carehook.js";
import { ERROR_CODES } from "../dist/facts.js";

export { readCapture, toCurl, toHttp } from "./capture.js";

const encoder = new TextEncoder();
// The body was checked to be UTF-8 by the core before any event is made of it; a BOM is kept, as the core saw it.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Option names that describe the request (or a `Capture` from `readCapture`, or an adapter's per-request settings),
 * not the source. Every other option goes to the core, which refuses a name it does not know: a misspelt option is
 * an error, never silently dropped.
 */
const REQUEST_KEYS = new Set([
  "method", "url", "path", "query", "headers", "body", "now", "remoteIp",
  "format", "bodyFile", "entry", "entries", "notes",
]);

/** Every stable error code, in the core's fixed order (generated from the .wasm when the package is built). */
export const errorCodes = ERROR_CODES;

/** Every vendor identifier carehook verifies. */
export function vendors() {
  return wasm.vendors();
}

/** A webhook carehook refused. `code` is stable; `verified` says whether the signature itself was good. */
export class CarehookError extends Error {
  constructor({ code, message, hint = null, verified = false }) {
    super(message);
    this.name = "CarehookError";
    this.code = code;
    this.hint = hint ?? null;
    this.verified = Boolean(verified);
  }
}

function fail(raw, bodyWasText) {
  if (raw instanceof Error) return raw; // a TypeError from the bindings (bad options), or a CarehookError from here
  const err = new CarehookError(raw);
  if (bodyWasText && err.code === "signature_mismatch") {
    err.hint = "the body was passed as a string: pass the raw bytes received (Uint8Array, Buffer or ArrayBuffer); decoding and re-encoding can change them";
  }
  return err;
}

const UNSET =
  "an environment variable that is not set reads as undefined: check that it is set where this runs (a .env file, the Worker's secrets, the deployment's settings)";

/** The keyring as the core takes it: strings; an unset variable (undefined, null) is a key error that says so. */
function keyring(options) {
  const unset = (v) => v === undefined || v === null;
  const name = unset(options.keys) && "key" in options ? "key" : "keys";
  const given = options[name];
  if (unset(given)) {
    if (!("keys" in options) && !("key" in options)) return [];
    throw new CarehookError({ code: "invalid_key", message: `a configured key is invalid: ${name} is ${given}`, hint: UNSET });
  }
  const list = typeof given === "string" ? [given] : given;
  if (!Array.isArray(list)) throw new TypeError("carehook: keys must be a string or an array of strings");
  list.forEach((k, i) => {
    if (k === undefined || k === null) {
      throw new CarehookError({ code: "invalid_key", message: `a configured key is invalid: ${name}[${i}] is ${k}`, hint: UNSET });
    }
    if (typeof k !== "string") throw new TypeError(`carehook: ${name}[${i}] must be a string, not ${typeof k}`);
  });
  return list;
}

/** Source configuration (the vendor, the keyring and every source option), separate from the request. */
function sourceConfig(options) {
  if (!options || typeof options !== "object") throw new TypeError("carehook: options must be an object");
  const vendor = options.vendor ?? "";
  if (typeof vendor !== "string") throw new TypeError("carehook: vendor must be a string");
  const cfg = { vendor, keys: keyring(options) };
  for (const k of Object.keys(options)) {
    if (k === "vendor" || k === "keys" || k === "key" || REQUEST_KEYS.has(k)) continue;
    const v = options[k];
    if (v !== undefined && v !== null) cfg[k] = v; // unset means the default; the core judges everything else
  }
  return cfg;
}

/** Each vendor's answers: the status that acknowledges a webhook, and the one refusing an unauthentic one. */
let answers;
function answersOf(vendor) {
  answers ??= new Map(samples().map((s) => [s.vendor, { accepted: s.acceptedStatus, unauthenticated: s.unauthenticatedStatus }]));
  return answers.get(vendor) ?? { accepted: 200, unauthenticated: 401 };
}

/** Headers as `name\0value\0...`: a Fetch `Headers`, a plain object (Node's arrays included) or [name, value] pairs. */
export function flattenHeaders(headers) {
  if (!headers) return "";
  // Built as one string (no array, no join): this runs on every verification.
  let out = "";
  let first = true;
  const add = (name, value) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) {
      for (const v of value) add(name, v);
      return;
    }
    const n = typeof name === "string" ? name : String(name);
    const v = typeof value === "string" ? value : String(value);
    if (n.includes("\0") || v.includes("\0")) throw new TypeError("carehook: a header contains a NUL character");
    out += first ? `${n}\0${v}` : `\0${n}\0${v}`;
    first = false;
  };
  if (typeof headers.forEach === "function" && typeof headers.get === "function") headers.forEach((v, k) => add(k, v));
  else if (Array.isArray(headers)) headers.forEach(([k, v]) => add(k, v));
  else if (typeof headers === "object") for (const k of Object.keys(headers)) add(k, headers[k]);
  else throw new TypeError("carehook: headers must be a Headers, an object or [name, value] pairs");
  return out;
}

/** The body as bytes; a string is accepted (UTF-8) but raw bytes are safer. */
function bodyBytes(body) {
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (typeof body === "string") return encoder.encode(body);
  if (body === undefined || body === null) return new Uint8Array(0);
  throw new TypeError("carehook: body must be the raw bytes (Uint8Array, Buffer, ArrayBuffer); a parsed object cannot be verified");
}

/** Bodies from this size on have their `data` parsed when first read; smaller ones at once (it costs less). */
const LAZY_DATA_BYTES = 16384;

/**
 * `event.data` from the request body, which the core has checked is a JSON object (so parsing cannot fail). The
 * text is taken now (the caller may reuse its buffer); a string body is the text itself, unless it holds a lone
 * surrogate (its UTF-8 bytes then differ from it).
 */
function setData(event, r) {
  const text = r.bodyText !== undefined && r.bodyText.isWellFormed?.() ? r.bodyText : decoder.decode(r.body);
  if (r.body.length < LAZY_DATA_BYTES) event.data = JSON.parse(text);
  else lazyData(event, text);
}

/**
 * `event.data` as an ordinary enumerable property whose value is `JSON.parse(text)`, parsed on first read (then
 * kept). Spreading, `JSON.stringify`, `structuredClone` and assignment all behave as with a plain value.
 */
function lazyData(event, text) {
  const settle = (value) => Object.defineProperty(event, "data", { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(event, "data", {
    enumerable: true,
    configurable: true,
    get() {
      const value = JSON.parse(text);
      settle(value);
      return value;
    },
    set: settle,
  });
}

function nowSeconds(now) {
  if (now === undefined || now === null) return Math.floor(Date.now() / 1000);
  if (now instanceof Date) return Math.floor(now.getTime() / 1000);
  if (typeof now !== "number" || !Number.isFinite(now)) throw new TypeError("carehook: now must be Unix seconds or a Date");
  if (now > 1e11) throw new TypeError("carehook: now is in seconds, not milliseconds (use Date.now() / 1000)");
  return Math.floor(now);
}

function target(options) {
  if (options.url !== undefined && options.url !== null) return String(options.url);
  const path = options.path ?? "/";
  const q = options.query ? String(options.query).replace(/^\?/, "") : "";
  return q ? `${path}?${q}` : String(path);
}

/** The request as the bindings take it; `bodyText` is the body when it was given as a string (else undefined). */
function requestParts(options) {
  return {
    method: String(options.method ?? "POST"),
    url: target(options),
    headers: flattenHeaders(options.headers),
    body: bodyBytes(options.body),
    bodyText: typeof options.body === "string" ? options.body : undefined,
    now: nowSeconds(options.now),
    remoteIp: options.remoteIp ?? undefined,
  };
}

/** The envelope's attribute names in the core's order (read from the core on first use). */
let attributeNames;

/** The method, target and flat headers as one NUL-joined UTF-8 byte string: one copy into the core. */
let scratch = new Uint8Array(2048);
function requestLine(r) {
  const text = `${r.method}\0${r.url}\0${r.headers}`;
  // Into a reused buffer (UTF-8 takes at most 3 bytes per UTF-16 unit); the bindings copy it into the core.
  if (scratch.length < text.length * 3) scratch = new Uint8Array(text.length * 3);
  return scratch.subarray(0, encoder.encodeInto(text, scratch).written);
}

/** A source whose keys are parsed once; `verify` it against many requests. */
export class Verifier {
  #inner;
  constructor(options) {
    try {
      this.#inner = new wasm.Verifier(JSON.stringify(sourceConfig(options)));
    } catch (e) {
      throw fail(e, false);
    }
  }

  get vendor() {
    return this.#inner.vendor;
  }

  /** The status that acknowledges a webhook to this vendor: 200 for most, 204 for Fitbit. */
  get acceptedStatus() {
    return answersOf(this.vendor).accepted;
  }

  /** The status refusing a request that is not authentic: 401 for most, 404 for Fitbit. */
  get unauthenticatedStatus() {
    return answersOf(this.vendor).unauthenticated;
  }

  /** The status to answer this vendor's request refused with `code`: `httpStatus(code)`, or this vendor's own for an unauthentic request. */
  httpStatus(code) {
    return errorKind(code) === "unauthenticated" ? this.unauthenticatedStatus : httpStatus(code);
  }

  /** The CloudEvent as JSON text, exactly as carehook serializes it (numbers keep their text). */
  verifyToJSON(request) {
    const r = requestParts(request);
    try {
      return this.#inner.verify(r.method, r.url, r.headers, r.body, r.now, r.remoteIp);
    } catch (e) {
      throw fail(e, r.bodyText !== undefined);
    }
  }

  /**
   * The CloudEvent, or throws a `CarehookError`. A request that carries no event (a handshake) or several (a FHIR
   * notification Bundle, a Fitbit array) is refused with `invalid_payload`: use `verifyAll`, so none is dropped.
   */
  verify(request) {
    const r = requestParts(request);
    let flat;
    try {
      flat = this.#inner.verifyOne(requestLine(r), r.body, r.now, r.remoteIp);
    } catch (e) {
      throw fail(e, r.bodyText !== undefined);
    }
    // `B|N|J` and a letter per attribute present, then each value, then for `J` the data (src/wasm.rs, verifyOne).
    const p = flat.split("\0");
    const names = (attributeNames ??= wasm.attributeNames());
    const head = p[0];
    const event = {};
    for (let i = 1; i < head.length; i++) event[names[head.charCodeAt(i) - 97]] = p[i];
    if (head[0] === "J") event.data = JSON.parse(p[head.length]);
    else if (head[0] === "B") setData(event, r);
    return event;
  }

  /**
   * Every event of the request and, for an endpoint check (Metriport's ping, a FHIR handshake or heartbeat), the
   * answer the sender expects: `{ events: CloudEvent[], handshake: { status, body } | null }`. An event whose data
   * is the whole body arrives without it (no copy of the body through the envelope) and gets it from the body here.
   */
  verifyAll(request) {
    const r = requestParts(request);
    let answer;
    try {
      answer = JSON.parse(this.#inner.verifyEvents(requestLine(r), r.body, r.now, r.remoteIp));
    } catch (e) {
      throw fail(e, r.bodyText !== undefined);
    }
    const { events, handshake, bodyData } = answer;
    for (const i of bodyData) setData(events[i], r);
    return { events, handshake };
  }

  /** The answer to a vendor's own endpoint check (DrChrono's `GET ?msg=`, Fitbit's `GET ?verify=`), or null. */
  challenge(request) {
    const r = requestParts({ method: "GET", ...request, body: undefined });
    const answer = this.#inner.challenge(r.method, r.url, r.headers);
    return answer === undefined ? null : JSON.parse(answer);
  }

  /** Verifies a Fetch API `Request` without consuming it. */
  async verifyRequest(request, extra = {}) {
    return this.verify(await fromFetchRequest(request, extra));
  }
}

async function fromFetchRequest(request, extra) {
  const body = new Uint8Array(await request.clone().arrayBuffer());
  return { method: request.method, url: request.url, headers: request.headers, body, ...extra };
}

/** Verifies one webhook and returns its CloudEvent; throws `CarehookError`. */
export function verify(options) {
  return new Verifier(options).verify(options);
}

/** Every event of one webhook, and the answer an endpoint check expects; throws `CarehookError`. */
export function verifyAll(options) {
  return new Verifier(options).verifyAll(options);
}

/** The answer to a vendor's own endpoint check request (`GET ?msg=`, `GET ?verify=`), or null when it is not one. */
export function challenge(options) {
  return new Verifier(options).challenge(options);
}

/** The HTTP status a receiver answers an error code with (401, 400, 413 or 500), from the core's one mapping. */
export function httpStatus(code) {
  return wasm.httpStatus(String(code));
}

/** What kind of refusal a code is: "unauthenticated", "unreadable", "too_large" or "misconfigured"; null for an unknown code. */
export function errorKind(code) {
  return wasm.errorKind(String(code)) ?? null;
}

/** Like `verify`, for Fetch API runtimes (Workers, Deno, Bun, Next.js, Hono); the Request stays usable. */
export async function verifyRequest(request, options) {
  return verify({ ...(await fromFetchRequest(request, {})), ...options });
}

/**
 * A step-by-step report of one verification. Never throws. Without a `vendor` nothing is verified (only
 * configuration picks the scheme): the report is not ok, and `suggested` names the vendor the headers look like.
 */
export function inspect(options) {
  try {
    const r = requestParts(options);
    const report = JSON.parse(wasm.inspect(JSON.stringify(sourceConfig(options)), r.method, r.url, r.headers, r.body, r.now, r.remoteIp));
    if (r.bodyText !== undefined && report.error?.code === "signature_mismatch") {
      report.diagnosis.push("the body was given as text: if it came from a parsed or re-encoded request, use the raw bytes");
    }
    return report;
  } catch (e) {
    const err = e instanceof CarehookError ? { code: e.code, message: e.message, hint: e.hint }
      : e instanceof Error ? { code: "invalid_options", message: e.message, hint: null }
      : { code: e.code, message: e.message, hint: e.hint ?? null };
    return {
      vendor: null, detected: false, suggested: null, ok: false, verified: false, steps: [], matched_key: null, error: err,
      diagnosis: [], event: null, events: [], handshake: null,
    };
  }
}

/** The headers a vendor would send for `body`: `{ vendor, key, body, method?, url?|path?, now?, id? }`. */
export function sign(options) {
  const r = requestParts({ ...options, headers: undefined });
  try {
    return Object.fromEntries(JSON.parse(wasm.sign(String(options.vendor), String(options.key), r.method, r.url, r.body, r.now, options.id)));
  } catch (e) {
    throw fail(e, false);
  }
}

/** The verification key for a signing key (an Ed25519 public key, or the same secret). */
export function verifyKey(vendor, signingKey) {
  try {
    return wasm.verifyKey(vendor, signingKey);
  } catch (e) {
    throw fail(e, false);
  }
}

/**
 * A realistic example for every vendor: `{ vendor, path, body, signingKey, verifyKey, headers, signsBody, batches,
 * acceptedStatus, unauthenticatedStatus }`.
 */
export function samples() {
  return JSON.parse(wasm.samples());
}

/** One vendor's sample, signed now: `{ vendor, method, path, headers, body, verifyKey }`. */
export function signedSample(vendor, { now, id } = {}) {
  const s = samples().find((x) => x.vendor === vendor);
  if (!s) throw new CarehookError({ code: "unsupported_vendor", message: "the vendor is not supported" });
  const headers = { ...Object.fromEntries(s.headers), ...sign({ vendor, key: s.signingKey, body: s.body, path: s.path, now, id }) };
  return { vendor, method: "POST", path: s.path, headers, body: s.body, verifyKey: s.verifyKey };
}

/** The vendor whose signature header is present, or null. */
export function detectVendor(headers) {
  return wasm.detect(flattenHeaders(headers)) ?? null;
}
