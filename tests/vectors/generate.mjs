// Writes tests/vectors/carehook.json: carehook's own cases, one per failure mode per scheme, with every signature
// computed here by Node's crypto from the published scheme definitions (never by carehook itself).
//   node tests/vectors/generate.mjs           rewrite the file
//   node tests/vectors/generate.mjs --check   fail if the file differs from what this script writes
import { createHash, createHmac, createPrivateKey, createPublicKey, sign as edSign } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const OUT = new URL("./carehook.json", import.meta.url);
const NOW = 1763800000;
const HOST = "https://hooks.example.com";

// ---------------------------------------------------------------- primitives (Node crypto only)
const sha256 = (bytes) => createHash("sha256").update(bytes).digest();
/** carehook's id for an event the vendor gave none: sha256 over (source, body, extra), each length-prefixed. */
function derivedId(source, body, extra = "") {
  const h = createHash("sha256");
  for (const part of [source, body, extra].map((p) => Buffer.from(p))) {
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(part.length));
    h.update(len).update(part);
  }
  return `sha256:${h.digest("hex").slice(0, 32)}`;
}
const hmac = (key, ...parts) => {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest();
};
const b64 = (buf) => Buffer.from(buf).toString("base64");
const hex = (buf) => Buffer.from(buf).toString("hex");

/** A deterministic Ed25519 key pair from a label: { seed, pub (raw 32 bytes), sign(msg) }. */
function edKey(label) {
  const seed = sha256(Buffer.from(`carehook test key: ${label}`));
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const priv = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  const pub = createPublicKey(priv).export({ format: "der", type: "spki" }).subarray(12);
  return { seed, pub, sign: (msg) => edSign(null, Buffer.from(msg), priv) };
}

/** The same signature with S replaced by S + L: valid under lax verification, refused by strict verification. */
function nonCanonical(sig) {
  const L = (1n << 252n) + 27742317777372353535851937790883648493n;
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
  s += L;
  const out = Buffer.from(sig);
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

// ---------------------------------------------------------------- case collection
const cases = [];
function add(name, c, expect) {
  const body = c.body ?? "";
  const entry = {
    name,
    vendor: c.vendor,
    keys: c.keys,
    method: c.method ?? "POST",
    url: c.url,
    now: c.now ?? NOW,
    headers: c.headers,
  };
  if (Buffer.isBuffer(body)) entry.body_base64 = b64(body);
  else entry.body = body;
  if (c.public_path) entry.public_path = c.public_path;
  if (c.remote_ip) entry.remote_ip = c.remote_ip;
  if (c.options) entry.options = c.options;
  entry.expect = expect;
  if (cases.some((x) => x.name === name)) throw new Error(`duplicate case name: ${name}`);
  cases.push(entry);
}
const ok = (event) => (event ? { ok: true, event } : { ok: true });
const fail = (error, verified = false) => (verified ? { ok: false, error, verified } : { ok: false, error });

// ---------------------------------------------------------------- Elation: Ed25519 over the raw body
{
  const k = edKey("elation A");
  const k2 = edKey("elation B");
  const pub = b64(k.pub);
  const url = `${HOST}/in/elation`;
  const body =
    '{"data": {"id": 555, "patient": 140754680, "status": {"status": "Scheduled"}}, "action": "saved", "event_id": 77, ' +
    '"event_uuid": "019a6f4e-0000-7a10-b3e4-5f6a7b8c9d0e", "application_id": 12345, "resource": "appointments", "resource_url": null}';
  const sig = k.sign(body);
  const e = (headers, extra = {}) => ({ vendor: "elation", keys: [pub], url, body, headers, ...extra });
  const H = "el8-ed25519-signature";

  add("elation: valid appointment saved", e({ [H]: b64(sig) }), ok({
    vendor: "elation", id: "019a6f4e-0000-7a10-b3e4-5f6a7b8c9d0e", type: "elation.appointments.saved",
    resourcetype: "Appointment", resourceid: "555", action: "saved",
  }));
  const noUuid = body.replace(', "event_uuid": "019a6f4e-0000-7a10-b3e4-5f6a7b8c9d0e"', "");
  add("elation: no event_uuid, the id falls back to event_id", {
    ...e({ [H]: b64(k.sign(noUuid)) }), body: noUuid,
  }, ok({ id: "77" }));
  const byUrl = '{"action": "deleted", "event_id": 78, "event_uuid": "019a6f4e-0001-7a10-b3e4-5f6a7b8c9d0e", "application_id": 12345, "resource": "patients", "resource_url": "https://app.elationemr.com/api/2.0/patients/140754680"}';
  add("elation: resource_url without data", { ...e({ [H]: b64(k.sign(byUrl)) }), body: byUrl }, ok({
    type: "elation.patients.deleted", resourcetype: "Patient", action: "deleted",
    resourceurl: "https://app.elationemr.com/api/2.0/patients/140754680",
  }));
  add("elation: header name in mixed case", e({ "EL8-Ed25519-Signature": b64(sig) }), ok());
  add("elation: signature without base64 padding", e({ [H]: b64(sig).replace(/=+$/, "") }), ok());
  add("elation: public key with whitespace around it (trimmed: it is base64)", e({ [H]: b64(sig) }, { keys: [` ${pub}\n`] }), ok());
  add("elation: keyring rotation, second key matches", e({ [H]: b64(sig) }, { keys: [b64(k2.pub), pub] }), ok());
  add("elation: missing signature header", e({ "content-type": "application/json" }), fail("missing_header"));
  add("elation: empty signature header", e({ [H]: "" }), fail("malformed_header"));
  add("elation: signature truncated to 63 bytes", e({ [H]: b64(sig.subarray(0, 63)) }), fail("malformed_header"));
  add("elation: signature of 65 bytes", e({ [H]: b64(Buffer.concat([sig, Buffer.from([0])])) }), fail("malformed_header"));
  add("elation: signature text truncated", e({ [H]: b64(sig).slice(0, 40) }), fail("malformed_header"));
  add("elation: non-canonical signature (S + L) refused by strict verification", e({ [H]: b64(nonCanonical(sig)) }), fail("signature_mismatch"));
  add("elation: signed by another key", e({ [H]: b64(k2.sign(body)) }), fail("signature_mismatch"));
  add("elation: body with one byte changed", { ...e({ [H]: b64(sig) }), body: body.replace("555", "556") }, fail("signature_mismatch"));
  add("elation: duplicate signature header, same value", e([[H, b64(sig)], [H, b64(sig)]]), ok());
  add("elation: duplicate signature header, different values", e([[H, b64(sig)], [H, b64(k2.sign(body))]]), fail("malformed_header"));
  add("elation: key not base64", e({ [H]: b64(sig) }, { keys: ["not base64!"] }), fail("invalid_key"));
  add("elation: empty key", e({ [H]: b64(sig) }, { keys: [""] }), fail("invalid_key"));
  add("elation: small-order public key (the identity) refused", e({ [H]: b64(sig) }, {
    keys: [b64(Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]))],
  }), fail("invalid_key"));
  add("elation: one bad key spoils the keyring", e({ [H]: b64(sig) }, { keys: [pub, "AAAA"] }), fail("invalid_key"));
  const notJson = "saved appointment 555";
  add("elation: valid signature over a body that is not JSON", { ...e({ [H]: b64(k.sign(notJson)) }), body: notJson }, fail("invalid_payload", true));
  const notElation = '{"hello": "world"}';
  add("elation: valid signature over JSON that is not an Elation event", { ...e({ [H]: b64(k.sign(notElation)) }), body: notElation }, fail("invalid_payload", true));
  add("elation: body larger than options.maxBodyBytes", e({ [H]: b64(sig) }, { options: { maxBodyBytes: 64 } }), fail("body_too_large"));
  add("elation: body exactly options.maxBodyBytes", e({ [H]: b64(sig) }, { options: { maxBodyBytes: Buffer.byteLength(body) } }), ok());
}

// ---------------------------------------------------------------- ELMED and WebSub: sha256=<hex> over the body
{
  const secret = "elmed_whsec_9b1c7e2a";
  const url = `${HOST}/in/elmed`;
  const body = '{"event":"order.status_changed","timestamp":"2026-03-29T10:45:00","data":{"order_id":9001,"status":"shipped"}}';
  const mac = hex(hmac(secret, body));
  const H = "x-elmed-signature";
  const e = (headers, extra = {}) => ({ vendor: "elmed", keys: [secret], url, body, headers, ...extra });

  add("elmed: valid order.status_changed", e({ [H]: `sha256=${mac}`, "x-elmed-event": "order.status_changed" }), ok({
    vendor: "elmed", type: "elmed.order.status_changed", resourcetype: "Order", resourceid: "9001",
    action: "status_changed", time: "2026-03-29T10:45:00Z",
  }));
  add("elmed: zone-less timestamp read at options.utcOffsetMinutes", e({ [H]: `sha256=${mac}` }, { options: { utcOffsetMinutes: 120 } }), ok({
    time: "2026-03-29T08:45:00Z",
  }));
  add("elmed: prefix in upper case (SHA256=)", e({ [H]: `SHA256=${mac}` }), ok());
  add("elmed: hex in upper case", e({ [H]: `sha256=${mac.toUpperCase()}` }), ok());
  add("elmed: header name in upper case", e({ "X-ELMED-SIGNATURE": `sha256=${mac}` }), ok());
  const noEvent = '{"timestamp":"2026-03-29T10:45:00.123456","data":{"prescription_id":42}}';
  add("elmed: event name from X-ELMED-Event when the body has none", {
    ...e({ [H]: `sha256=${hex(hmac(secret, noEvent))}`, "x-elmed-event": "prescription.dispensed" }), body: noEvent,
  }, ok({ type: "elmed.prescription.dispensed", resourceid: "42", time: "2026-03-29T10:45:00.123456Z" }));
  add("elmed: no event name anywhere", { ...e({ [H]: `sha256=${hex(hmac(secret, noEvent))}` }), body: noEvent }, fail("invalid_payload", true));
  add("elmed: missing signature header", e({ "x-elmed-event": "order.status_changed" }), fail("missing_header"));
  add("elmed: sha1= prefix", e({ [H]: `sha1=${mac.slice(0, 40)}` }), fail("malformed_header"));
  add("elmed: not hex", e({ [H]: `sha256=${"zz".repeat(32)}` }), fail("malformed_header"));
  add("elmed: hex truncated to 62 digits", e({ [H]: `sha256=${mac.slice(0, 62)}` }), fail("malformed_header"));
  add("elmed: odd number of hex digits", e({ [H]: `sha256=${mac}0` }), fail("malformed_header"));
  add("elmed: wrong secret", e({ [H]: `sha256=${hex(hmac("elmed_whsec_other", body))}` }), fail("signature_mismatch"));
  add("elmed: secret with a trailing newline (keys are used exactly as given)", e({ [H]: `sha256=${mac}` }, { keys: [`${secret}\n`] }), fail("signature_mismatch"));
  add("elmed: secret rotation, the old secret still matches", e({ [H]: `sha256=${mac}` }, { keys: [secret, "elmed_whsec_next"] }), ok());
  add("elmed: empty key", e({ [H]: `sha256=${mac}` }, { keys: [""] }), fail("invalid_key"));
  add("elmed: empty keyring", e({ [H]: `sha256=${mac}` }, { keys: [] }), fail("invalid_key"));
  add("elmed: duplicate signature header with different values", e([[H, `sha256=${mac}`], [H, `sha256=${"0".repeat(64)}`]]), fail("malformed_header"));
  add("elmed: body larger than options.maxBodyBytes", e({ [H]: `sha256=${mac}` }, { options: { maxBodyBytes: 10 } }), fail("body_too_large"));
}
{
  const secret = "carehook-github-secret";
  const body = '{"action":"closed","issue":{"id":7,"number":12}}';
  const mac = hex(hmac(secret, body));
  const H = "x-hub-signature-256";
  const delivery = "9f2b1a3c-0d4e-11f1-8a2b-0242ac120002";
  const e = (headers, extra = {}) => ({ vendor: "github", keys: [secret], url: `${HOST}/in/github`, body, headers, ...extra });
  // The delivery id is not signed, so the event id is derived from the CloudEvent source and the body (each
  // length-prefixed, 64-bit big-endian): a replay with a new delivery id dedupes.
  const bodyId = derivedId("carehook:github", body);
  add("github: valid issues.closed", e({ [H]: `sha256=${mac}`, "x-github-event": "issues", "x-github-delivery": delivery }), ok({
    vendor: "github", type: "github.issues.closed", id: bodyId, action: "closed",
  }));
  add("github: prefix in upper case (SHA256=)", e({ [H]: `SHA256=${mac}` }), ok());
  add("github: only the SHA-1 header is sent", e({ "x-hub-signature": `sha1=${hex(createHmac("sha1", secret).update(body).digest())}` }), fail("missing_header"));
  add("github: sha1= in the SHA-256 header", e({ [H]: `sha1=${mac.slice(0, 40)}` }), fail("malformed_header"));
  add("github: wrong secret", e({ [H]: `sha256=${hex(hmac("other", body))}` }), fail("signature_mismatch"));

  const abody = '{"eventId":"6a1f0c1e-7d2b-4c55-9a51-0c8d2f1e3b70","eventType":"Appointment.Cancelled","resourceType":"Appointment","resourceId":"1234567","practiceId":"195900"}';
  const akey = "athena-test-secret";
  const a = (headers) => ({ vendor: "athenahealth", keys: [akey], url: `${HOST}/in/athenahealth`, body: abody, headers });
  add("athenahealth: valid", a({ "x-hub-signature": `sha256=${hex(hmac(akey, abody))}` }), ok({
    vendor: "athenahealth", id: "6a1f0c1e-7d2b-4c55-9a51-0c8d2f1e3b70", resourcetype: "Appointment", resourceid: "1234567",
  }));
  add("athenahealth: prefix in upper case (SHA256=)", a({ "X-Hub-Signature": `SHA256=${hex(hmac(akey, abody))}` }), ok());
  add("athenahealth: missing X-Hub-Signature", a({ "x-hub-signature-256": `sha256=${hex(hmac(akey, abody))}` }), fail("missing_header"));
}

// ---------------------------------------------------------------- Medplum, Metriport, Photon: bare hex over the body
{
  const secret = "medplum-test-secret";
  const body = '{"resourceType":"Patient","id":"7c1d","meta":{"versionId":"1"},"name":[{"family":"Reyes"}]}';
  const mac = hex(hmac(secret, body));
  const e = (headers, extra = {}) => ({ vendor: "medplum", keys: [secret], url: `${HOST}/in/medplum`, body, headers, ...extra });
  add("medplum: valid create", e({ "x-signature": mac, "x-medplum-interaction": "create" }), ok({
    vendor: "medplum", type: "medplum.Patient.create", resourcetype: "Patient", resourceid: "7c1d", action: "created",
  }));
  add("medplum: sha256= prefix on a bare-hex header", e({ "x-signature": `sha256=${mac}` }), fail("malformed_header"));
  add("medplum: missing X-Signature", e({ "x-medplum-interaction": "create" }), fail("missing_header"));
  add("medplum: wrong secret", e({ "x-signature": hex(hmac("other", body)) }), fail("signature_mismatch"));
  add("medplum: delete sends {}", { ...e({ "x-signature": hex(hmac(secret, "{}")), "x-medplum-interaction": "delete" }), body: "{}" }, ok({
    type: "medplum.Resource.delete", action: "deleted",
  }));
  // The deleted resource is named only by the (unsigned) X-Medplum-Deleted-Resource header: it is the subject, and
  // part of the derived id, so deletes of two resources are two events.
  const del = (ref) => ({ ...e({ "x-signature": hex(hmac(secret, "{}")), "x-medplum-interaction": "delete", "x-medplum-deleted-resource": ref }), body: "{}" });
  for (const ref of ["Patient/7c1d", "Observation/obs-1.a"]) {
    const [type, id] = ref.split("/");
    add(`medplum: delete of ${ref} names it`, del(ref), ok({
      type: `medplum.${type}.delete`, action: "deleted", subject: ref, resourcetype: type, resourceid: id,
      id: derivedId("carehook:medplum", "{}", ref),
    }));
  }
  add("medplum: delete with a malformed deleted-resource header stays anonymous", del("Patient/../x y"), ok({
    type: "medplum.Resource.delete", id: derivedId("carehook:medplum", "{}"),
  }));

  const mkey = "metriport-test-key";
  const mbody = '{"meta":{"messageId":"m-0001","when":"2026-11-22T08:00:00.000Z","type":"medical.document-download"},"patients":[]}';
  const m = (body, headers) => ({ vendor: "metriport", keys: [mkey], url: `${HOST}/in/metriport`, body, headers });
  add("metriport: valid", m(mbody, { "x-metriport-signature": hex(hmac(mkey, mbody)) }), ok({
    vendor: "metriport", id: "m-0001", type: "metriport.medical.document-download", time: "2026-11-22T08:00:00.000Z",
  }));
  add("metriport: valid signature, no meta", m('{"ping":"pong"}', { "x-metriport-signature": hex(hmac(mkey, '{"ping":"pong"}')) }), fail("invalid_payload", true));
  const ping = '{"ping":"3f9c1d2e7a","meta":{"type":"ping","messageId":"m-ping-1","when":"2026-11-22T08:00:00.000Z"}}';
  // `handshake`: what a gateway answers instead of forwarding an event.
  add("metriport: ping verifies (a gateway answers pong)", m(ping, { "x-metriport-signature": hex(hmac(mkey, ping)) }), {
    ok: true, events: [{ type: "metriport.ping", id: "m-ping-1" }], handshake: { status: 200, body: '{"pong":"3f9c1d2e7a"}' },
  });
  add("metriport: ping with a wrong signature", m(ping, { "x-metriport-signature": hex(hmac("other", ping)) }), fail("signature_mismatch"));
  // Control characters never reach an attribute (they would break headers and logs); an id over 256 bytes is
  // replaced by a digest of it.
  const ctl = '{"meta":{"messageId":"m-\\r\\n0002\\u0000","when":"2026-11-22T08:00:00.000Z","type":"medical.\\u001bdocument"},"patients":[]}';
  add("metriport: control characters are stripped from attributes", m(ctl, { "x-metriport-signature": hex(hmac(mkey, ctl)) }), ok({
    id: "m-0002", type: "metriport.medical.document",
  }));
  const longId = "m".repeat(300);
  const long = `{"meta":{"messageId":"${longId}","when":"2026-11-22T08:00:00.000Z","type":"medical.document-download"},"patients":[]}`;
  add("metriport: an id over 256 bytes is replaced by its digest", m(long, { "x-metriport-signature": hex(hmac(mkey, long)) }), ok({
    id: derivedId("carehook:metriport", longId),
  }));
  const longType = `{"meta":{"messageId":"m-0003","type":"${"t".repeat(1100)}"},"patients":[]}`;
  add("metriport: an event name over 1 KiB is refused", m(longType, { "x-metriport-signature": hex(hmac(mkey, longType)) }), fail("invalid_payload", true));
  add("metriport: signature not hex", m(mbody, { "x-metriport-signature": "g".repeat(64) }), fail("malformed_header"));

  const pkey = "photon-test-secret";
  const pbody = '{"id":"01HQ7E8Z9ABCDEF0123456780","type":"photon:order:created","createdAt":"2026-11-22T08:00:00.000Z","data":{"id":"ord_01HQ7E"}}';
  const p = (headers, keys = [pkey]) => ({ vendor: "photon", keys, url: `${HOST}/in/photon`, body: pbody, headers });
  add("photon: valid", p({ "x-photon-signature": hex(hmac(pkey, pbody)) }), ok({
    vendor: "photon", id: "01HQ7E8Z9ABCDEF0123456780", resourceid: "ord_01HQ7E",
  }));
  add("photon: empty secret refused (an empty HMAC key authenticates nothing)", p({ "x-photon-signature": hex(hmac("", pbody)) }, [""]), fail("invalid_key"));
  add("photon: signature truncated", p({ "x-photon-signature": hex(hmac(pkey, pbody)).slice(0, 63) }), fail("malformed_header"));
}

// ---------------------------------------------------------------- Healthie: HMAC over a composed string, digest checked
{
  const secret = "whsec_healthie_test_7d1e";
  const body = '{"resource_id":"4242","resource_id_type":"Appointment","event_type":"appointment.updated","changed_fields":["date"]}';
  const digest = sha256(body);
  const covered = 'sig1=("@method" "@path" "@query" "content-digest" "content-type" "content-length")';
  // The string Healthie signs: lower(method) path query digest-after-first-= application/json byte-length.
  const signed = ({ method = "POST", path = "/in/healthie", query = "", header, bytes = body, key = secret }) => {
    const value = header.slice(header.indexOf("=") + 1);
    const s = `${method.toLowerCase()} ${path} ${query} ${value} application/json ${Buffer.byteLength(bytes)}`;
    return `sig1=${hex(hmac(key, s))}`;
  };
  const headersFor = (header, sig, bytes = body) => ({
    "content-type": "application/json", "content-length": String(Buffer.byteLength(bytes)),
    "content-digest": header, "signature-input": covered, signature: sig,
  });
  const e = (headers, extra = {}) => ({ vendor: "healthie", keys: [secret], url: `${HOST}/in/healthie`, body, headers, ...extra });
  const std = `SHA-256=${b64(digest)}`;
  const good = headersFor(std, signed({ header: std }));

  add("healthie: valid appointment.updated", e(good), ok({
    vendor: "healthie", type: "healthie.appointment.updated", resourcetype: "Appointment", resourceid: "4242", action: "updated",
  }));
  for (const [form, header] of [
    ["RFC 9530 colons (sha-256=:b64:)", `sha-256=:${b64(digest)}:`],
    ["hex", `sha-256=${hex(digest)}`],
    ["hex in upper case", `SHA-256=${hex(digest).toUpperCase()}`],
    ["lower-case algorithm", `sha-256=${b64(digest)}`],
    ["algorithm without the dash (sha256=)", `sha256=${b64(digest)}`],
    ["base64 without padding", `SHA-256=${b64(digest).replace(/=+$/, "")}`],
  ]) {
    add(`healthie: digest form: ${form}`, e(headersFor(header, signed({ header }))), ok());
  }
  const sampleForm = `SHA-256=${b64(digest).replace(/=+$/, "")}`;
  add("healthie: padded digest sent, unpadded form signed (the vendor's sample code)", e(headersFor(std, signed({ header: sampleForm }))), ok());
  add("healthie: signature hex in upper case", e(headersFor(std, signed({ header: std }).replace(/[0-9a-f]{64}$/, (h) => h.toUpperCase()))), ok());
  add("healthie: no Signature-Input header (not needed)", e({ ...good, "signature-input": undefined }), ok());
  const q = "practiceId=42&x=%20y";
  add("healthie: query string signed", { ...e(headersFor(std, signed({ header: std, query: q }))), url: `${HOST}/in/healthie?${q}` }, ok());
  // A relative request target whose query holds "://" (Express's req.originalUrl, the CLI): the query starts at "?".
  const q2 = "next=https://app.example/callback&x=1";
  add("healthie: relative target with :// inside the query", { ...e(headersFor(std, signed({ header: std, query: q2 }))), url: `/in/healthie?${q2}` }, ok());
  add("healthie: query string dropped by a proxy", e(headersFor(std, signed({ header: std, query: q }))), fail("signature_mismatch"));
  add("healthie: public path configured, request on a rewritten path with a query", {
    ...e(headersFor(std, signed({ header: std, path: "/webhooks/healthie", query: "a=1" }))),
    url: "http://10.0.0.5:8080/internal/hooks?a=1", public_path: "/webhooks/healthie",
  }, ok());
  add("healthie: rewritten path without publicPath", {
    ...e(headersFor(std, signed({ header: std, path: "/webhooks/healthie" }))), url: "http://10.0.0.5:8080/internal/hooks",
  }, fail("signature_mismatch"));
  add("healthie: method is signed (sent as PUT)", { ...e(good), method: "PUT" }, fail("signature_mismatch"));
  const utf8 = '{"resource_id":"9","resource_id_type":"Patient","event_type":"patient.updated","note":"Pérez"}';
  const utf8Digest = `SHA-256=${b64(sha256(utf8))}`;
  add("healthie: non-ASCII body, content length counted in bytes", {
    ...e(headersFor(utf8Digest, signed({ header: utf8Digest, bytes: utf8 }), utf8)), body: utf8,
  }, ok({ resourcetype: "Patient", resourceid: "9" }));
  add("healthie: body changed, digest and signature kept", { ...e(good), body: body.replace("4242", "4243") }, fail("digest_mismatch"));
  const otherBody = body.replace("4242", "4243");
  add("healthie: digest matches a swapped body, signature covers the old digest", {
    ...e({ ...good, "content-digest": `SHA-256=${b64(sha256(otherBody))}` }), body: otherBody,
  }, fail("signature_mismatch"));
  add("healthie: digest algorithm MD5", e({ ...good, "content-digest": `md5=${b64(createHash("md5").update(body).digest())}` }), fail("malformed_header"));
  add("healthie: digest of 16 bytes", e({ ...good, "content-digest": `SHA-256=${b64(digest.subarray(0, 16))}` }), fail("malformed_header"));
  add("healthie: digest without algorithm", e({ ...good, "content-digest": b64(digest) }), fail("malformed_header"));
  add("healthie: signature without sig1=", e({ ...good, signature: good.signature.slice(5) }), fail("malformed_header"));
  add("healthie: signature truncated", e({ ...good, signature: good.signature.slice(0, -2) }), fail("malformed_header"));
  add("healthie: missing Content-Digest", e({ ...good, "content-digest": undefined }), fail("missing_header"));
  add("healthie: missing Signature", e({ ...good, signature: undefined }), fail("missing_header"));
  add("healthie: secret base64-decoded by the sender (Healthie uses it as text)", e(headersFor(std, signed({
    header: std, key: Buffer.from(secret.slice(6), "base64"),
  }))), fail("signature_mismatch"));
  add("healthie: secret with whitespace around it", e(good, { keys: [` ${secret} `] }), fail("signature_mismatch"));
  add("healthie: keyring rotation, second secret matches", e(good, { keys: ["whsec_old_secret", secret] }), ok());
  const notHealthie = '{"resource_id":"1"}';
  const nhDigest = `SHA-256=${b64(sha256(notHealthie))}`;
  add("healthie: valid signature, no event_type", {
    ...e(headersFor(nhDigest, signed({ header: nhDigest, bytes: notHealthie }), notHealthie)), body: notHealthie,
  }, fail("invalid_payload", true));
  add("healthie: duplicate Signature header with different values", e(Object.entries({ ...good }).concat([["Signature", `sig1=${"0".repeat(64)}`]])), fail("malformed_header"));
}

// ---------------------------------------------------------------- MYCURE: URL token, optional IP allowlist
{
  const tok = "tok_live_7f3a9c2e5b1d4e6f";
  const old = "tok_live_0000aaaa1111bbbb";
  const body = '{"id":"wh_evt_9","event":"medical-patients.patch","payload":{"id":"pat_9","name":"Reyes"}}';
  const e = (url, extra = {}) => ({ vendor: "mycure", keys: [tok], url: `${HOST}${url}`, body, headers: { "content-type": "application/json" }, ...extra });
  add("mycure: valid token", e(`/in/mycure/${tok}`), ok({
    vendor: "mycure", id: "wh_evt_9", type: "mycure.medical-patients.patch", resourcetype: "MedicalPatient", resourceid: "pat_9", action: "updated",
  }));
  add("mycure: token rotation, the new token in a keyring", e(`/in/mycure/${tok}`, { keys: [old, tok] }), ok());
  add("mycure: token rotation, the old token still accepted", e(`/in/mycure/${old}`, { keys: [old, tok] }), ok());
  add("mycure: token with a query string after it", e(`/in/mycure/${tok}?source=mycure`), ok());
  add("mycure: wrong token", e(`/in/mycure/${old}`), fail("token_mismatch"));
  add("mycure: token missing its last character", e(`/in/mycure/${tok.slice(0, -1)}`), fail("token_mismatch"));
  add("mycure: token with an extra character", e(`/in/mycure/${tok}x`), fail("token_mismatch"));
  add("mycure: token in upper case", e(`/in/mycure/${tok.toUpperCase()}`), fail("token_mismatch"));
  add("mycure: trailing slash after the token", e(`/in/mycure/${tok}/`), fail("token_mismatch"));
  add("mycure: token only in the query", e(`/in/mycure?token=${tok}`), fail("token_mismatch"));
  add("mycure: short token refused as guessable", e("/in/mycure/short", { keys: ["short"] }), fail("invalid_key"));
  add("mycure: token of 15 characters refused", e("/in/mycure/abcdefghijklmno", { keys: ["abcdefghijklmno"] }), fail("invalid_key"));
  add("mycure: token with a slash refused", e(`/in/mycure/${tok}`, { keys: [`a/${tok}`] }), fail("invalid_key"));
  add("mycure: token with whitespace refused", e(`/in/mycure/${tok}`, { keys: [`${tok} `] }), fail("invalid_key"));
  add("mycure: empty token", e(`/in/mycure/${tok}`, { keys: [""] }), fail("invalid_key"));
  add("mycure: allowlist (CIDR) allows the sender", e(`/in/mycure/${tok}`, { remote_ip: "203.0.113.7", options: { allowIps: ["198.51.100.0/24", "203.0.113.0/24"] } }), ok());
  add("mycure: allowlist (single address) allows the sender", e(`/in/mycure/${tok}`, { remote_ip: "203.0.113.7", options: { allowIps: ["203.0.113.7"] } }), ok());
  add("mycure: allowlist (IPv6) allows the sender", e(`/in/mycure/${tok}`, { remote_ip: "2001:db8::1", options: { allowIps: ["2001:db8::/32"] } }), ok());
  add("mycure: allowlist denies the sender", e(`/in/mycure/${tok}`, { remote_ip: "198.51.100.9", options: { allowIps: ["203.0.113.0/24"] } }), fail("token_mismatch"));
  add("mycure: allowlist denies an unknown sender address", e(`/in/mycure/${tok}`, { options: { allowIps: ["203.0.113.0/24"] } }), fail("token_mismatch"));
  add("mycure: allowlist denies an unreadable sender address", e(`/in/mycure/${tok}`, { remote_ip: "203.0.113.7:443", options: { allowIps: ["203.0.113.0/24"] } }), fail("token_mismatch"));
  add("mycure: allowlist entry that is not an address", e(`/in/mycure/${tok}`, { remote_ip: "203.0.113.7", options: { allowIps: ["mycure.example"] } }), fail("invalid_key"));
  add("mycure: valid token, body without an event", { ...e(`/in/mycure/${tok}`), body: '{"id":"x"}' }, fail("invalid_payload", true));
  add("mycure: body larger than options.maxBodyBytes", e(`/in/mycure/${tok}`, { options: { maxBodyBytes: 16 } }), fail("body_too_large"));
}

// ---------------------------------------------------------------- Standard Webhooks (and Svix): the negative checklist
{
  const keyBytes = Buffer.from("carehook-standard-webhooks-key-1");
  const key = `whsec_${b64(keyBytes)}`;
  const ed = edKey("standard v1a");
  const id = "msg_2q7NcR0carehook";
  const ts = NOW - 5;
  const body = '{"type":"invoice.created","timestamp":"2026-11-22T08:33:15Z","data":{"id":"inv_1","amount":2500}}';
  const v1 = (t = ts, b = body, k = keyBytes, i = id) => `v1,${b64(hmac(k, `${i}.${t}.`, b))}`;
  const v1a = (t = ts, b = body) => `v1a,${b64(ed.sign(`${id}.${t}.${b}`))}`;
  const e = (headers, extra = {}) => ({ vendor: "standard", keys: [key], url: `${HOST}/in/standard`, body, headers, ...extra });
  const hdr = (sig, t = ts) => ({ "webhook-id": id, "webhook-timestamp": String(t), "webhook-signature": sig });

  add("standard: valid v1", e(hdr(v1())), ok({
    vendor: "standard", id, type: "standard.invoice.created", resourcetype: "Invoice", resourceid: "inv_1", action: "created",
    time: "2025-11-22T08:26:35Z",
  }));
  add("standard: missing webhook-id", e({ ...hdr(v1()), "webhook-id": undefined }), fail("missing_header"));
  add("standard: missing webhook-timestamp", e({ ...hdr(v1()), "webhook-timestamp": undefined }), fail("missing_header"));
  add("standard: missing webhook-signature", e({ ...hdr(v1()), "webhook-signature": undefined }), fail("missing_header"));
  add("standard: signature without base64 padding", e(hdr(v1().replace(/=+$/, ""))), ok());
  add("standard: signature truncated by one base64 digit", e(hdr(v1().replace(/=+$/, "").slice(0, -1))), fail("signature_mismatch"));
  add("standard: signature truncated to half", e(hdr(v1().slice(0, 25))), fail("signature_mismatch"));
  add("standard: signature without the v1, prefix", e(hdr(v1().slice(3))), fail("signature_mismatch"));
  add("standard: id is signed (another id sent)", e({ ...hdr(v1()), "webhook-id": "msg_other" }), fail("signature_mismatch"));
  add("standard: timestamp is signed (another timestamp sent)", e(hdr(v1(), ts + 1)), fail("signature_mismatch"));
  add("standard: timestamp 300 s old (at the edge)", e(hdr(v1()), { now: ts + 300 }), ok());
  add("standard: timestamp 301 s old", e(hdr(v1()), { now: ts + 301 }), fail("timestamp_out_of_tolerance"));
  add("standard: timestamp 300 s ahead (at the edge)", e(hdr(v1()), { now: ts - 300 }), ok());
  add("standard: timestamp 301 s ahead", e(hdr(v1()), { now: ts - 301 }), fail("timestamp_out_of_tolerance"));
  add("standard: options.tolerance 10, 10 s old", e(hdr(v1()), { now: ts + 10, options: { tolerance: 10 } }), ok());
  add("standard: options.tolerance 10, 11 s old", e(hdr(v1()), { now: ts + 11, options: { tolerance: 10 } }), fail("timestamp_out_of_tolerance"));
  add("standard: timestamp far in the past (0)", e(hdr(v1(0), 0)), fail("timestamp_out_of_tolerance"));
  add("standard: negative timestamp", e(hdr(v1(-1), -1)), fail("timestamp_out_of_tolerance"));
  add("standard: timestamp beyond i64", e(hdr(v1("9223372036854775808"), "9223372036854775808")), fail("malformed_header"));
  add("standard: timestamp in milliseconds", e(hdr(v1(ts * 1000), ts * 1000)), fail("timestamp_out_of_tolerance"));
  add("standard: timestamp with a fraction", e(hdr(v1(`${ts}.5`), `${ts}.5`)), fail("malformed_header"));
  add("standard: timestamp with a plus sign", e(hdr(v1(`+${ts}`), `+${ts}`)), fail("malformed_header"));
  const bad = `v1,${b64(hmac("wrong", "x"))}`;
  add("standard: several signatures, one valid (first)", e(hdr(`${v1()} ${bad}`)), ok());
  add("standard: several signatures, one valid (last)", e(hdr(`${bad} v1,AAAA ${v1()}`)), ok());
  add("standard: several signatures, none valid", e(hdr(`${bad} v1,${b64(hmac(keyBytes, "other"))}`)), fail("signature_mismatch"));
  add("standard: signatures separated by tabs and double spaces", e(hdr(`${bad}\t ${v1()}`)), ok());
  add("standard: unknown version only (v2)", e(hdr(`v2,${v1().slice(3)}`)), fail("signature_mismatch"));
  add("standard: 16 signatures (the default limit), last valid", e(hdr([...Array(15).fill(bad), v1()].join(" "))), ok());
  add("standard: 17 signatures, more than the default limit", e(hdr([...Array(16).fill(bad), v1()].join(" "))), fail("malformed_header"));
  add("standard: options.maxSignatures 2, three sent", e(hdr(`${bad} ${bad} ${v1()}`), { options: { maxSignatures: 2 } }), fail("malformed_header"));
  add("standard: header names in mixed case", e({ "Webhook-Id": id, "WEBHOOK-TIMESTAMP": String(ts), "Webhook-Signature": v1() }), ok());
  add("standard: duplicate webhook-signature with different values", e([
    ["webhook-id", id], ["webhook-timestamp", String(ts)], ["webhook-signature", v1()], ["webhook-signature", bad],
  ]), fail("malformed_header"));
  // A key says what it is: without whsec_ or whpk_ it is refused (read as a secret, a bare Ed25519 public key would
  // let anyone who has it forge v1 signatures).
  add("standard: key without the whsec_ prefix (plain base64) is refused", e(hdr(v1()), { keys: [b64(keyBytes)] }), fail("invalid_key"));
  add("standard: a bare Ed25519 public key (no whpk_) is refused", e(hdr(v1(ts, body, ed.pub)), { keys: [b64(ed.pub)] }), fail("invalid_key"));
  add("standard: key with a trailing newline", e(hdr(v1()), { keys: [`${key}\n`] }), fail("invalid_key"));
  add("standard: a private signing key (whsk_) where the public key belongs", e(hdr(v1a()), { keys: [`whsk_${b64(ed.seed)}`] }), fail("invalid_key"));
  // A runtime that joins repeated headers ("a, b") gives the same answer as one that keeps them apart.
  add("standard: repeated webhook-signature joined with a comma, different values", e(hdr(`${bad}, ${v1()}`)), fail("malformed_header"));
  add("standard: repeated webhook-signature joined with a comma, same value", e(hdr(`${v1()}, ${v1()}`)), ok());
  add("standard: key rotation, second key matches", e(hdr(v1()), { keys: [`whsec_${b64(Buffer.from("previous-key-0123456789"))}`, key] }), ok());
  add("standard: sender used the whsec_ string as text (Stripe style)", e(hdr(v1(ts, body, Buffer.from(key)))), fail("signature_mismatch"));
  add("standard: key not base64", e(hdr(v1()), { keys: ["whsec_not*base64"] }), fail("invalid_key"));
  add("standard: empty key", e(hdr(v1()), { keys: [""] }), fail("invalid_key"));
  add("standard: whsec_ with nothing after it", e(hdr(v1()), { keys: ["whsec_"] }), fail("invalid_key"));
  add("standard: key with whitespace around it", e(hdr(v1()), { keys: [` ${key}`] }), fail("invalid_key"));
  const pk = `whpk_${b64(ed.pub)}`;
  add("standard: v1a (Ed25519) valid", e(hdr(v1a()), { keys: [pk] }), ok({ id }));
  add("standard: v1a and v1 in one list, only v1a valid", e(hdr(`${bad} ${v1a()}`), { keys: [pk] }), ok());
  add("standard: v1a with the HMAC key configured too", e(hdr(v1a()), { keys: [key, pk] }), ok());
  add("standard: v1a over a changed body", { ...e(hdr(v1a()), { keys: [pk] }), body: body.replace("2500", "2501") }, fail("signature_mismatch"));
  add("standard: v1a non-canonical (S + L)", e(hdr(`v1a,${b64(nonCanonical(Buffer.from(v1a().slice(4), "base64")))}`), { keys: [pk] }), fail("signature_mismatch"));
  add("standard: v1a signature truncated", e(hdr(v1a().slice(0, -4)), { keys: [pk] }), fail("signature_mismatch"));
  add("standard: v1a sent, only an HMAC key configured", e(hdr(v1a())), fail("signature_mismatch"));
  add("standard: whpk_ key of 31 bytes", e(hdr(v1a()), { keys: [`whpk_${b64(ed.pub.subarray(0, 31))}`] }), fail("invalid_key"));
  add("standard: whpk_ small-order key refused", e(hdr(v1a()), { keys: [`whpk_${b64(Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]))}`] }), fail("invalid_key"));
  const arr = "[1,2,3]";
  add("standard: valid signature over a JSON array", { ...e(hdr(v1(ts, arr))), body: arr }, fail("invalid_payload", true));
  add("standard: valid signature over an empty body", { ...e(hdr(v1(ts, ""))), body: "" }, fail("invalid_payload", true));
  add("standard: body larger than options.maxBodyBytes", e(hdr(v1()), { options: { maxBodyBytes: 32 } }), fail("body_too_large"));

  const s = (headers, extra = {}) => ({ ...e(headers, extra), vendor: "svix", url: `${HOST}/in/svix` });
  const shdr = (sig) => ({ "svix-id": id, "svix-timestamp": String(ts), "svix-signature": sig });
  add("svix: valid", s(shdr(v1())), ok({ vendor: "svix", id, type: "svix.invoice.created" }));
  add("svix: missing svix-timestamp", s({ ...shdr(v1()), "svix-timestamp": undefined }), fail("missing_header"));
  add("svix: webhook-* names sent to a svix source", s(hdr(v1())), fail("missing_header"));
  add("svix: timestamp 301 s old", s(shdr(v1()), { now: ts + 301 }), fail("timestamp_out_of_tolerance"));
}

// ---------------------------------------------------------------- Stripe and Akute: t=<ts>,v1=<hex>
{
  const secret = "whsec_carehook_stripe_test_51";
  const t = NOW - 3;
  const body = '{"id":"evt_1Q9","object":"event","type":"customer.created","created":1763799990,"data":{"object":{"id":"cus_77","object":"customer"}}}';
  const v1 = (ts = t, b = body, k = secret) => hex(hmac(k, `${ts}.`, b));
  const e = (value, extra = {}) => ({ vendor: "stripe", keys: [secret], url: `${HOST}/in/stripe`, body, headers: { "stripe-signature": value }, ...extra });
  add("stripe: valid customer.created", e(`t=${t},v1=${v1()}`), ok({
    vendor: "stripe", id: "evt_1Q9", type: "stripe.customer.created", resourcetype: "Customer", resourceid: "cus_77",
    action: "created", time: "2025-11-22T08:26:30Z",
  }));
  add("stripe: duplicate t=", e(`t=${t},t=${t},v1=${v1()}`), fail("malformed_header"));
  add("stripe: missing v1=", e(`t=${t}`), fail("malformed_header"));
  add("stripe: only v0= (test mode scheme)", e(`t=${t},v0=${v1()}`), fail("malformed_header"));
  add("stripe: missing t=", e(`v1=${v1()}`), fail("malformed_header"));
  add("stripe: an item without =", e(`t=${t},v1=${v1()},junk`), fail("malformed_header"));
  add("stripe: t= not a number", e(`t=now,v1=${v1()}`), fail("malformed_header"));
  add("stripe: v0= ignored beside a valid v1=", e(`t=${t},v0=${"0".repeat(64)},v1=${v1()}`), ok());
  add("stripe: several v1=, one valid", e(`t=${t},v1=${"ab".repeat(32)},v1=${v1()}`), ok());
  add("stripe: several v1=, none valid", e(`t=${t},v1=${"ab".repeat(32)},v1=${v1(t, body, "other")}`), fail("signature_mismatch"));
  add("stripe: v1= not hex is skipped, none valid", e(`t=${t},v1=zz`), fail("signature_mismatch"));
  add("stripe: spaces after the commas", e(`t=${t}, v1=${v1()}`), ok());
  add("stripe: v1 hex in upper case", e(`t=${t},v1=${v1().toUpperCase()}`), ok());
  add("stripe: 17 v1= signatures", e(`t=${t},${Array(16).fill(`v1=${"ab".repeat(32)}`).join(",")},v1=${v1()}`), fail("malformed_header"));
  add("stripe: timestamp is signed (another t= sent)", e(`t=${t + 1},v1=${v1()}`), fail("signature_mismatch"));
  add("stripe: 300 s old (at the edge)", e(`t=${t},v1=${v1()}`, { now: t + 300 }), ok());
  add("stripe: 301 s old", e(`t=${t},v1=${v1()}`, { now: t + 301 }), fail("timestamp_out_of_tolerance"));
  add("stripe: 301 s ahead", e(`t=${t},v1=${v1()}`, { now: t - 301 }), fail("timestamp_out_of_tolerance"));
  add("stripe: wrong secret", e(`t=${t},v1=${v1(t, body, "whsec_other")}`), fail("signature_mismatch"));
  add("stripe: secret with a trailing newline", e(`t=${t},v1=${v1()}`, { keys: [`${secret}\n`] }), fail("signature_mismatch"));
  add("stripe: Standard Webhooks key form is not decoded", e(`t=${t},v1=${v1(t, body, Buffer.from("carehook_stripe_test_51"))}`), fail("signature_mismatch"));
  add("stripe: empty key", e(`t=${t},v1=${v1()}`, { keys: [""] }), fail("invalid_key"));
  add("stripe: header name in mixed case", { ...e(""), headers: { "Stripe-Signature": `t=${t},v1=${v1()}` } }, ok());
  add("stripe: duplicate Stripe-Signature with different values", {
    ...e(""), headers: [["stripe-signature", `t=${t},v1=${v1()}`], ["stripe-signature", `t=${t},v1=${"ab".repeat(32)}`]],
  }, fail("malformed_header"));
  const a = (headers) => ({ vendor: "akute", keys: [secret], url: `${HOST}/in/akute`, body, headers });
  add("akute: valid", a({ "x-akute-signature": `t=${t},v1=${v1()}` }), ok({ vendor: "akute", type: "akute.customer.created" }));
  add("akute: Stripe-Signature sent to an akute source", a({ "stripe-signature": `t=${t},v1=${v1()}` }), fail("missing_header"));
}

// ---------------------------------------------------------------- configuration
add("config: unsupported vendor", {
  vendor: "epic", keys: ["secret"], url: `${HOST}/in/epic`, body: "{}", headers: {},
}, fail("unsupported_vendor"));
add("config: vendor names are case-sensitive", {
  vendor: "Stripe", keys: ["secret"], url: `${HOST}/in/stripe`, body: "{}", headers: {},
}, fail("unsupported_vendor"));
add("config: empty vendor", {
  vendor: "", keys: ["secret"], url: `${HOST}/in`, body: "{}", headers: {},
}, fail("unsupported_vendor"));

// ---------------------------------------------------------------- Terra (Stripe-style), Junction (Svix), Fasten (Standard)
{
  // The computed vector from the vendor facts.
  const secret = "terra_test_secret";
  const t = 1723808700;
  const body = '{"type":"activity","user":{"user_id":"u1","provider":"FITBIT","reference_id":"r1"},"data":[],"version":"2022-03-16"}';
  const mac = hex(hmac(secret, `${t}.`, body));
  if (mac !== "d88cc58dc837b3bb8cdb9d21cda54509c3db9b24b51efeb836f884ce677c41cf") throw new Error("terra vector");
  const e = (headers, extra = {}) => ({ vendor: "terra", keys: [secret], url: `${HOST}/in/terra`, now: t + 5, body, headers, ...extra });
  add("terra: valid (the vendor's computed vector)", e({ "terra-signature": `t=${t},v1=${mac}` }), ok({
    vendor: "terra", type: "terra.activity", resourcetype: "User", resourceid: "u1", subject: "User/u1", id: derivedId("carehook:terra", body),
  }));
  add("terra: several v1, one matches", e({ "terra-signature": `t=${t},v1=${"0".repeat(64)},v1=${mac}` }), ok());
  add("terra: v0 only (downgrade) refused", e({ "terra-signature": `t=${t},v0=${mac}` }), fail("malformed_header"));
  add("terra: too old", e({ "terra-signature": `t=${t},v1=${mac}` }, { now: t + 301 }), fail("timestamp_out_of_tolerance"));
  add("terra: too far in the future", e({ "terra-signature": `t=${t},v1=${mac}` }, { now: t - 301 }), fail("timestamp_out_of_tolerance"));
  add("terra: milliseconds timestamp (the diagnostics API's form) refused", e({ "terra-signature": `t=${t}000,v1=${hex(hmac(secret, `${t}000.`, body))}` }), fail("timestamp_out_of_tolerance"));
  add("terra: wrong secret", e({ "terra-signature": `t=${t},v1=${hex(hmac("other", `${t}.`, body))}` }), fail("signature_mismatch"));
  add("terra: Stripe-Signature header is not Terra's", e({ "stripe-signature": `t=${t},v1=${mac}` }), fail("missing_header"));
}
{
  const keyBytes = Buffer.from("carehook-junction-test-key-0001");
  const key = `whsec_${b64(keyBytes)}`;
  const id = "msg_2qJunctionEvt01";
  const ts = 1763800000;
  const body = '{"event_type":"daily.data.sleep.created","data":{"user_id":"u-77","date":"2026-11-21"},"team_id":"team_1","user_id":"u-77","client_user_id":"p-1"}';
  const sig = `v1,${b64(hmac(keyBytes, `${id}.${ts}.`, body))}`;
  const e = (headers, extra = {}) => ({ vendor: "junction", keys: [key], url: `${HOST}/in/junction`, now: ts, body, headers, ...extra });
  add("junction: valid (Svix headers)", e({ "svix-id": id, "svix-timestamp": String(ts), "svix-signature": sig }), ok({
    vendor: "junction", id, type: "junction.daily.data.sleep.created", action: "created", resourceid: "u-77",
  }));
  add("junction: webhook-* headers are not Junction's", e({ "webhook-id": id, "webhook-timestamp": String(ts), "webhook-signature": sig }), fail("missing_header"));
  add("junction: wrong secret", e({ "svix-id": id, "svix-timestamp": String(ts), "svix-signature": `v1,${b64(hmac("x", `${id}.${ts}.`, body))}` }), fail("signature_mismatch"));
}
{
  const keyBytes = Buffer.from("carehook-fasten-test-key-000001");
  const key = `whsec_${b64(keyBytes)}`;
  const ts = 1763800000;
  const body = '{"api_mode":"test","date":"2026-11-22T08:00:00Z","id":"7d1c2b3a-0f9e-4d8c-b7a6-5e4f3d2c1b0a","type":"patient.connection_success","data":{"org_connection_id":"conn_1"}}';
  const sign = (id, t) => ({ "webhook-id": id, "webhook-timestamp": String(t), "webhook-signature": `v1,${b64(hmac(keyBytes, `${id}.${t}.`, body))}` });
  const e = (headers, extra = {}) => ({ vendor: "fasten", keys: [key], url: `${HOST}/in/fasten`, now: ts, body, headers, ...extra });
  // Each retry is signed anew (a new webhook-id and timestamp); the body's id stays: it is the event id.
  for (const [n, wid, t] of [[1, "msg_first_try", ts], [2, "msg_retry_two", ts + 60]]) {
    add(`fasten: attempt ${n} keeps the body's id`, e(sign(wid, t), { now: t }), ok({
      vendor: "fasten", id: "7d1c2b3a-0f9e-4d8c-b7a6-5e4f3d2c1b0a", type: "fasten.patient.connection_success", resourcetype: "Patient",
      action: "connection_success", time: "2026-11-22T08:00:00Z",
    }));
  }
  add("fasten: a key without whsec_ refused", e(sign("msg_x", ts), { keys: [b64(keyBytes)] }), fail("invalid_key"));
}

// ---------------------------------------------------------------- header tokens: header-token, DrChrono
{
  const token = "hdr_test_token_9f8e7d6c5b4a";
  const body = '{"resourceType":"Observation","id":"obs-1","meta":{"versionId":"4"},"status":"final"}';
  const e = (headers, extra = {}) => ({ vendor: "header-token", keys: [token], url: `${HOST}/in/fhir`, body, headers, ...extra });
  add("header-token: Authorization: Bearer <token>", e({ authorization: `Bearer ${token}` }), ok({
    vendor: "header-token", id: "Observation/obs-1/_history/4", resourcetype: "Observation", resourceid: "obs-1", type: "header-token.Observation.notification",
  }));
  add("header-token: the scheme word in any case", e({ authorization: `bearer ${token}` }), ok());
  add("header-token: keyring rotation, second token matches", e({ authorization: `Bearer ${token}` }, { keys: ["hdr_previous_token_0000000", token] }), ok());
  add("header-token: wrong token", e({ authorization: `Bearer ${token.slice(0, -1)}x` }), fail("token_mismatch"));
  add("header-token: no prefix", e({ authorization: token }), fail("malformed_header"));
  add("header-token: missing header", e({}), fail("missing_header"));
  add("header-token: a configured header and no prefix", e({ "x-api-token": token }, { options: { tokenHeader: "X-Api-Token", tokenPrefix: "" } }), ok());
  add("header-token: the configured header absent", e({ authorization: `Bearer ${token}` }, { options: { tokenHeader: "x-api-token", tokenPrefix: "" } }), fail("missing_header"));
  add("header-token: a short token is refused (guessable)", e({ authorization: "Bearer short" }, { keys: ["short"] }), fail("invalid_key"));
  add("header-token: any body verifies with the token (it authenticates the sender, not the body)", { ...e({ authorization: `Bearer ${token}` }), body: '{"type":"anything","id":"x-1"}' }, ok({ id: "x-1" }));
}
{
  const token = "drchrono_secret_token";
  const body = '{"receiver":{"id":1},"object":{"id":5512,"patient":77,"status":"Arrived"}}';
  const e = (headers, extra = {}) => ({ vendor: "drchrono", keys: [token], url: `${HOST}/in/drchrono`, body, headers, ...extra });
  const h = (event, extra = {}) => ({ "x-drchrono-signature": token, "x-drchrono-event": event, "x-drchrono-delivery": "dlv_1", ...extra });
  add("drchrono: APPOINTMENT_MODIFY", e(h("APPOINTMENT_MODIFY")), ok({
    vendor: "drchrono", type: "drchrono.appointment.modify", id: "dlv_1", resourcetype: "Appointment", resourceid: "5512", action: "updated",
  }));
  add("drchrono: PATIENT_CREATE", e(h("PATIENT_CREATE")), ok({ type: "drchrono.patient.create", action: "created", resourcetype: "Patient" }));
  add("drchrono: wrong token", e(h("PING", { "x-drchrono-signature": "drchrono_wrong_token_0" })), fail("token_mismatch"));
  add("drchrono: missing token header", e({ "x-drchrono-event": "PING" }), fail("missing_header"));
  add("drchrono: token as Bearer (not DrChrono's form)", e(h("PING", { "x-drchrono-signature": `Bearer ${token}` })), fail("token_mismatch"));
}

// ---------------------------------------------------------------- FHIR Subscriptions (rest-hook, a header token)
{
  const token = "fhir_test_token_5a4b3c2d1e0f";
  const auth = { authorization: `Bearer ${token}`, "content-type": "application/fhir+json" };
  const e = (body, headers = auth, extra = {}) => ({ vendor: "fhir", keys: [token], url: `${HOST}/in/fhir`, body: typeof body === "string" ? body : JSON.stringify(body), headers, ...extra });
  const sub = "https://ehr.example.org/fhir/Subscription/labs";
  const topic = "http://example.org/SubscriptionTopic/lab-result";
  const status = (type, events = [], extra = {}) => ({
    resourceType: "SubscriptionStatus", status: "active", type, eventsSinceSubscriptionStart: String(events.length),
    notificationEvent: events, subscription: { reference: sub }, topic, ...extra,
  });
  const obs = (id) => ({ resourceType: "Observation", id, status: "final", code: { text: "Potassium" }, valueQuantity: { value: 4.10, unit: "mmol/L" } });
  const bundle = (type, first, resources = []) => ({
    resourceType: "Bundle", type, timestamp: "2026-11-22T08:00:05Z",
    entry: [{ fullUrl: "urn:uuid:0c1d2e3f-0000-4000-8000-000000000001", resource: first }, ...resources.map((r) => ({ fullUrl: `https://ehr.example.org/fhir/${r.resourceType}/${r.id}`, resource: r }))],
  });
  const three = [21, 22, 23].map((n) => ({ eventNumber: String(n), timestamp: `2026-11-22T08:00:0${n - 20}Z`, focus: { reference: `Observation/o-${n}` } }));
  const full = bundle("history", status("event-notification", three), [obs("o-21"), obs("o-22"), obs("o-23")]);
  add("fhir: R4B history Bundle with three notificationEvents → three events (full-resource)", e(full), {
    ok: true, events: [21, 22, 23].map((n) => ({ vendor: "fhir", id: `${sub}#${n}`, type: "fhir.Observation.notification", subject: `Observation/o-${n}`, resourcetype: "Observation", resourceid: `o-${n}`, topic, time: `2026-11-22T08:00:0${n - 20}Z` })),
  });
  add("fhir: R5 subscription-notification Bundle, id-only", e(bundle("subscription-notification", status("event-notification", three.slice(0, 1)))), {
    ok: true, events: [{ id: `${sub}#21`, subject: "Observation/o-21", topic }],
  });
  add("fhir: empty payload (no focus) → one event without data", e(bundle("history", status("event-notification", [{ eventNumber: "9", timestamp: "2026-11-22T08:00:00Z" }]))), {
    ok: true, events: [{ id: `${sub}#9`, type: "fhir.notification" }],
  });
  for (const kind of ["handshake", "heartbeat"]) {
    add(`fhir: ${kind} is answered and emits nothing`, e(bundle("history", status(kind))), { ok: true, events: [], handshake: { status: 200, body: "" } });
  }
  // R4 (Backport IG): the status is a Parameters resource.
  const params = {
    resourceType: "Parameters",
    parameter: [
      { name: "subscription", valueReference: { reference: sub } },
      { name: "topic", valueCanonical: topic },
      { name: "status", valueCode: "active" },
      { name: "type", valueCode: "event-notification" },
      { name: "events-since-subscription-start", valueString: "2" },
      { name: "notification-event", part: [{ name: "event-number", valueString: "1" }, { name: "timestamp", valueInstant: "2026-11-22T07:59:00Z" }, { name: "focus", valueReference: { reference: "Observation/o-1" } }] },
      { name: "notification-event", part: [{ name: "event-number", valueString: "2" }, { name: "timestamp", valueInstant: "2026-11-22T07:59:30Z" }, { name: "focus", valueReference: { reference: "Observation/o-2" } }] },
    ],
  };
  add("fhir: R4 Parameters status with two events", e(bundle("history", params, [obs("o-1"), obs("o-2")])), {
    ok: true, events: [{ id: `${sub}#1`, subject: "Observation/o-1", topic, time: "2026-11-22T07:59:00Z" }, { id: `${sub}#2`, subject: "Observation/o-2" }],
  });
  add("fhir: R4 Parameters handshake", e(bundle("history", { ...params, parameter: params.parameter.map((p) => (p.name === "type" ? { name: "type", valueCode: "handshake" } : p)).filter((p) => p.name !== "notification-event") })), { ok: true, events: [], handshake: { status: 200, body: "" } });
  add("fhir: a classic R4 sender posts the bare resource → one event", e({ ...obs("o-77"), meta: { versionId: "3" } }), ok({
    id: "Observation/o-77/_history/3", subject: "Observation/o-77", type: "fhir.Observation.notification",
  }));
  add("fhir: wrong token", e(full, { ...auth, authorization: "Bearer fhir_wrong_token_00000000" }), fail("token_mismatch"));
  add("fhir: no Authorization header", e(full, { "content-type": "application/fhir+json" }), fail("missing_header"));
  add("fhir: not JSON", e("<Bundle/>"), fail("invalid_payload", true));
}

// ---------------------------------------------------------------- Fitbit: HMAC-SHA1 (its one legacy scheme), one event per element
{
  const secret = "fitbit_client_secret";
  const body = '[{"collectionType":"activities","date":"2026-03-29","ownerId":"ABC123","ownerType":"user","subscriptionId":"sub-1"}]';
  const sig = createHmac("sha1", `${secret}&`).update(body).digest("base64");
  if (sig !== "IUq3NTmQEufGTJqLhbZoTp9t7G0=") throw new Error("fitbit vector");
  const e = (headers, extra = {}) => ({ vendor: "fitbit", keys: [secret], url: `${HOST}/in/fitbit`, body, headers, ...extra });
  add("fitbit: valid (the vendor's computed vector)", e({ "x-fitbit-signature": sig }), { ok: true, events: [
    { vendor: "fitbit", type: "fitbit.activities", resourcetype: "User", resourceid: "ABC123", subject: "User/ABC123" },
  ] });
  add("fitbit: the signature percent-encoded", e({ "x-fitbit-signature": encodeURIComponent(sig) }), { ok: true, events: [{ type: "fitbit.activities" }] });
  const two = '[{"collectionType":"foods","date":"2026-03-29","ownerId":"A1","ownerType":"user","subscriptionId":"s"},{"collectionType":"sleep","date":"2026-03-29","ownerId":"A1","ownerType":"user","subscriptionId":"s"}]';
  add("fitbit: two notifications → two events", { ...e({ "x-fitbit-signature": createHmac("sha1", `${secret}&`).update(two).digest("base64") }), body: two }, {
    ok: true, events: [{ type: "fitbit.foods" }, { type: "fitbit.sleep" }],
  });
  add("fitbit: keyed without the & (the bare secret)", e({ "x-fitbit-signature": createHmac("sha1", secret).update(body).digest("base64") }), fail("signature_mismatch"));
  add("fitbit: an HMAC-SHA256 signature is refused", e({ "x-fitbit-signature": createHmac("sha256", `${secret}&`).update(body).digest("base64") }), fail("malformed_header"));
  add("fitbit: a JSON object body is not Fitbit's", { ...e({ "x-fitbit-signature": createHmac("sha1", `${secret}&`).update("{}").digest("base64") }), body: "{}" }, fail("invalid_payload", true));
  // SHA-1 stays refused for every other vendor: a GitHub X-Hub-Signature sha1= is not accepted.
  add("github: sha1= (X-Hub-Signature) refused", { vendor: "github", keys: [secret], url: `${HOST}/in/github`, body: "{}", headers: { "x-hub-signature": `sha1=${createHmac("sha1", secret).update("{}").digest("hex")}` } }, fail("missing_header"));
}

// ---------------------------------------------------------------- only configuration picks the scheme and the key kind
{
  // An attacker who knows an Elation public key (it is public) signs GitHub-style with it as the HMAC secret.
  const pub = b64(edKey("elation a").pub);
  const body = '{"action":"opened","issue":{"id":1}}';
  const forged = { "x-hub-signature-256": `sha256=${hex(hmac(pub, body))}`, "x-github-event": "issues" };
  add("detection: GitHub headers signed with an Elation public key, no vendor configured", {
    vendor: "", keys: [pub], url: `${HOST}/in/elation`, body, headers: forged,
  }, fail("unsupported_vendor"));
  add("detection: the same request on an Elation source", {
    vendor: "elation", keys: [pub], url: `${HOST}/in/elation`, body, headers: forged,
  }, fail("missing_header"));
  const kind = (vendor, key, name) => add(name, { vendor, keys: [key], url: `${HOST}/in/${vendor}`, body, headers: forged }, fail("invalid_key"));
  kind("github", `whpk_${pub}`, "key kind: a whpk_ public key on an HMAC source (github)");
  kind("stripe", `-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA${pub}\n-----END PUBLIC KEY-----`, "key kind: a PEM public key on an HMAC source (stripe)");
  kind("elmed", '{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}', "key kind: an Ed25519 JWK on an HMAC source (elmed)");
  kind("medplum", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----", "key kind: a PEM private key on an HMAC source (medplum)");
  kind("elation", "whsec_c2VjcmV0LWZvci1obWFj", "key kind: a whsec_ secret on an Ed25519 source (elation)");
  kind("elation", b64(Buffer.concat([edKey("elation a").seed, edKey("elation a").pub])), "key kind: a 64-byte private key on an Ed25519 source (elation)");
}

// ---------------------------------------------------------------- write
const doc = {
  about:
    "carehook's own cases, generated by tests/vectors/generate.mjs with Node's crypto (never carehook itself): " +
    "one per failure mode per scheme, the Standard Webhooks negative checklist, Healthie's digest forms, MYCURE " +
    "tokens and IP allowlists, limits and configuration errors. Same fields as shared.json, plus: options " +
    "(camelCase source options such as tolerance, maxBodyBytes, maxSignatures, allowIps, utcOffsetMinutes), " +
    "remote_ip (the sender's address), and headers as an array of [name, value] pairs where a header repeats. " +
    "A header whose value is null in the generator is left out.",
  cases: cases.map((c) => ({
    ...c,
    headers: Array.isArray(c.headers)
      ? c.headers
      : Object.fromEntries(Object.entries(c.headers).filter(([, v]) => v !== undefined)),
  })),
};
const text = `${JSON.stringify(doc, null, 1)}\n`;
if (process.argv.includes("--check")) {
  const current = readFileSync(OUT, "utf8");
  if (current !== text) {
    console.error("tests/vectors/carehook.json is stale: run node tests/vectors/generate.mjs");
    process.exit(1);
  }
  console.log(`carehook.json is current (${cases.length} cases)`);
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT.pathname} (${cases.length} cases)`);
}
