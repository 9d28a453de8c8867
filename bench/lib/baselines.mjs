// Hand-written node:crypto receivers, the "what you would write yourself" baselines: the same scheme checks as
// carehook (signature, digest, token, timestamp), JSON.parse, and for the pipeline rows an envelope object with the
// same fields carehook's CloudEvent has. bench/run.mjs checks that each envelope deep-equals carehook's before timing.

import { createHash, createHmac, createPublicKey, timingSafeEqual, verify as cryptoVerify } from "node:crypto";

const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** An Ed25519 public KeyObject from the raw 32-byte key in base64. */
export function ed25519PublicKey(base64) {
  const raw = Buffer.from(base64, "base64");
  if (raw.length !== 32) throw new Error("an Ed25519 public key is 32 bytes");
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

function fail(what) {
  throw new Error(`baseline: ${what}`);
}

/**
 * Standard Webhooks v1: createHmac over `id.timestamp.body`, timingSafeEqual against each `v1,` entry, ±300 s, then
 * JSON.parse of the body (returned).
 */
export function standardV1(secret) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  return (headers, body) => {
    const id = headers["webhook-id"];
    const ts = headers["webhook-timestamp"];
    const sigs = headers["webhook-signature"];
    if (!id || !ts || !sigs) fail("missing header");
    const t = Number(ts);
    if (!Number.isInteger(t) || Math.abs(Math.floor(Date.now() / 1000) - t) > 300) fail("timestamp");
    const mac = createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest();
    for (const entry of sigs.split(" ")) {
      const comma = entry.indexOf(",");
      if (entry.slice(0, comma) !== "v1") continue;
      const sig = Buffer.from(entry.slice(comma + 1), "base64");
      // Then the payload, parsed, as standardwebhooks and svix return it.
      if (sig.length === mac.length && timingSafeEqual(sig, mac)) return parseObject(body);
    }
    return fail("signature");
  };
}

// The naming rules carehook applies (src/event.rs), written out for the envelope.
function singular(word) {
  const lower = word.toLowerCase();
  if (["ss", "us", "is", "vitals", "staff", "news"].some((k) => lower.endsWith(k))) return word;
  for (const [plural, single] of [["ies", "y"], ["sses", "ss"], ["uses", "us"], ["shes", "sh"], ["ches", "ch"], ["xes", "x"], ["s", ""]]) {
    if (lower.endsWith(plural) && lower.length > plural.length) return word.slice(0, word.length - plural.length) + single;
  }
  return word;
}
const capital = (w) => w.charAt(0).toUpperCase() + w.slice(1);
function resourceType(name) {
  const words = name.split(/[_\- /]/).filter(Boolean);
  if (words.length === 0) return undefined;
  const last = words.pop();
  return words.map(capital).join("") + capital(singular(last));
}
function splitEvent(name) {
  const dot = name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? [name.slice(0, dot), name.slice(dot + 1)] : [name, undefined];
}
const ACTIONS = { create: "created", update: "updated", patch: "updated", remove: "deleted", delete: "deleted" };
const idText = (v) => (typeof v === "string" || typeof v === "number" ? String(v) : undefined);
/** carehook's id for an event without one: SHA-256 over (source, body, ""), each length-prefixed (64-bit BE). */
export const bodyId = (body, source) => {
  const h = createHash("sha256");
  for (const part of [Buffer.from(source), Buffer.from(body), Buffer.alloc(0)]) {
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(part.length));
    h.update(len).update(part);
  }
  return `sha256:${h.digest("hex").slice(0, 32)}`;
};
const receivedAt = (now) => `${new Date(now * 1000).toISOString().slice(0, 19)}Z`;

function envelope(vendor, a, now, data) {
  const ev = { specversion: "1.0", id: a.id, source: `carehook:${vendor}`, type: `${vendor}.${a.event}` };
  if (a.resourcetype !== undefined && a.resourceid !== undefined) ev.subject = `${a.resourcetype}/${a.resourceid}`;
  ev.time = a.time ?? receivedAt(now);
  ev.datacontenttype = "application/json";
  ev.vendor = vendor;
  if (a.resourcetype !== undefined) ev.resourcetype = a.resourcetype;
  if (a.resourceid !== undefined) ev.resourceid = a.resourceid;
  if (a.action !== undefined) ev.action = a.action;
  if (typeof a.resourceurl === "string") ev.resourceurl = a.resourceurl;
  ev.data = data;
  return ev;
}

/** A `sha256=<hex>` HMAC of the body in `header` (ELMED, GitHub), checked with timingSafeEqual. */
function checkHexHmac(headers, header, key, body) {
  const h = headers[header];
  if (!h || !h.startsWith("sha256=")) fail("missing header");
  const sig = Buffer.from(h.slice(7), "hex");
  const mac = createHmac("sha256", key).update(body).digest();
  if (sig.length !== 32 || !timingSafeEqual(sig, mac)) fail("signature");
}

const parseObject = (body) => {
  const p = JSON.parse(body);
  if (p === null || typeof p !== "object" || Array.isArray(p)) fail("not a JSON object");
  return p;
};

/** `{ vendor: (key) => (req: {path, headers, body: Buffer, now}) => envelope }` for the seed vendors. */
export const pipelines = {
  elation(publicKeyBase64) {
    const key = ed25519PublicKey(publicKeyBase64);
    return ({ headers, body, now }) => {
      const h = headers["el8-ed25519-signature"];
      if (!h) fail("missing header");
      const sig = Buffer.from(h, "base64");
      if (sig.length !== 64 || !cryptoVerify(null, body, key, sig)) fail("signature");
      const p = parseObject(body);
      const a = {
        id: idText(p.event_uuid) ?? idText(p.event_id),
        event: `${p.resource}.${p.action}`,
        resourcetype: resourceType(p.resource),
        resourceid: idText(p.data?.id),
        action: p.action,
        resourceurl: p.resource_url,
      };
      return envelope("elation", a, now, p);
    };
  },

  elmed(secret) {
    const key = Buffer.from(secret, "utf8");
    return ({ headers, body, now }) => {
      checkHexHmac(headers, "x-elmed-signature", key, body);
      const p = parseObject(body);
      const event = p.event || headers["x-elmed-event"];
      const [resource, verb] = splitEvent(event);
      const ts = typeof p.timestamp === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(p.timestamp) ? `${p.timestamp}Z` : undefined;
      const a = {
        id: bodyId(body, "carehook:elmed"),
        event,
        time: ts,
        resourcetype: resourceType(resource),
        resourceid: idText(p.data?.[`${resource}_id`]),
        action: verb,
      };
      return envelope("elmed", a, now, p);
    };
  },

  healthie(secret, publicPath = "/in/healthie") {
    const key = Buffer.from(secret, "utf8");
    return ({ method, headers, body, now, query = "" }) => {
      const digest = headers["content-digest"];
      const signature = headers["signature"];
      if (!digest || !signature) fail("missing header");
      const eq = digest.indexOf("=");
      if (digest.slice(0, eq).toLowerCase() !== "sha-256") fail("digest algorithm");
      const claimed = Buffer.from(digest.slice(eq + 1), "base64");
      const actual = createHash("sha256").update(body).digest();
      if (claimed.length !== 32 || !timingSafeEqual(claimed, actual)) fail("digest");
      if (!signature.startsWith("sig1=")) fail("signature format");
      const sig = Buffer.from(signature.slice(5), "hex");
      const signed = `${method.toLowerCase()} ${publicPath} ${query} ${digest.slice(eq + 1)} application/json ${body.length}`;
      const mac = createHmac("sha256", key).update(signed).digest();
      if (sig.length !== 32 || !timingSafeEqual(sig, mac)) fail("signature");
      const p = parseObject(body);
      const [resource, verb] = splitEvent(p.event_type);
      const a = {
        id: bodyId(body, "carehook:healthie"),
        event: p.event_type,
        resourcetype: typeof p.resource_id_type === "string" ? p.resource_id_type : resourceType(resource),
        resourceid: idText(p.resource_id),
        action: verb,
      };
      return envelope("healthie", a, now, p);
    };
  },

  github(secret) {
    const key = Buffer.from(secret, "utf8");
    return ({ headers, body, now }) => {
      checkHexHmac(headers, "x-hub-signature-256", key, body);
      const p = parseObject(body);
      const name = headers["x-github-event"] ?? (typeof p.eventType === "string" ? p.eventType : "unknown");
      const action = typeof p.action === "string" && p.action !== "" ? p.action : splitEvent(name)[1]?.toLowerCase();
      const a = {
        id: bodyId(body, "carehook:github"),
        event: action !== undefined && "action" in p ? `${name}.${action}` : name,
        resourceid: idText(p.resourceId),
        action,
      };
      return envelope("github", a, now, p);
    };
  },

  mycure(token) {
    const want = Buffer.from(token, "utf8");
    return ({ path, body, now }) => {
      const got = Buffer.from(path.slice(path.lastIndexOf("/") + 1), "utf8");
      if (got.length !== want.length || !timingSafeEqual(got, want)) fail("token");
      const p = parseObject(body);
      const [service, method] = splitEvent(p.event);
      const a = {
        id: idText(p.id),
        event: p.event,
        resourcetype: method ? resourceType(service) : undefined,
        resourceid: idText(p.payload?.id),
        action: method ? (ACTIONS[method] ?? method) : undefined,
      };
      return envelope("mycure", a, now, p);
    };
  },
};
