// Request bodies of an exact size, built the same way as bench/native/src/lib.rs builds them (keep the two in step):
// a vendor-shaped JSON object whose payload holds a list of observation records, padded to the byte with a note.
// "@E" is replaced by the records, "@P" by the padding.

export const TEMPLATES = {
  standard: '{"type":"patient.updated","timestamp":"2026-11-22T08:00:00Z","data":{"id":"pat_01J9Z","observations":[@E],"note":"@P"}}',
  elation:
    '{"data": {"id": 140754680, "observations": [@E], "note": "@P"}, "action": "saved", "event_id": 88123, "event_uuid": "019a6f4e-8c2d-7a10-b3e4-5f6a7b8c9d0e", "application_id": 12345, "resource": "patients", "resource_url": null}',
  stripe:
    '{"id":"evt_1QdemoInvoicePaid","object":"event","type":"invoice.paid","created":1763799990,"data":{"object":{"id":"in_1QdemoInvoice","object":"invoice","lines":[@E],"note":"@P"}}}',
  github:
    '{"action":"opened","issue":{"id":1,"number":42,"title":"Lab results not syncing","labels":[@E],"body":"@P"},"repository":{"id":9,"full_name":"clinic/integrations"}}',
};

/** The i-th record (ASCII). */
export function record(i) {
  return `{"seq":${i},"code":"8867-4","value":"${60 + (i % 40)}","unit":"/min"}`;
}

/** A `kind`-shaped JSON body of exactly `size` bytes, as a string (ASCII, so bytes = characters). */
export function bodyText(kind, size) {
  const t = TEMPLATES[kind];
  if (!t) throw new Error(`no body template for ${kind}`);
  const fixed = t.length - 4; // without the two placeholders
  let records = "";
  for (let i = 0; ; i++) {
    const next = (i === 0 ? "" : ",") + record(i);
    if (fixed + records.length + next.length > size) break;
    records += next;
  }
  const pad = size - fixed - records.length;
  if (pad < 0) throw new Error(`${kind}: ${size} bytes is smaller than the template`);
  const text = t.replace("@E", records).replace("@P", "x".repeat(pad));
  if (text.length !== size) throw new Error(`${kind}: built ${text.length} bytes, wanted ${size}`);
  JSON.parse(text); // valid JSON, or throw
  return text;
}

/** Headers a real HTTP server sees besides the vendor's own (Node's lower-cased `req.headers` shape). */
export function transportHeaders(length) {
  return {
    host: "hooks.example-clinic.test",
    "user-agent": "Webhook-Sender/1.0",
    accept: "*/*",
    "accept-encoding": "gzip, deflate",
    "content-type": "application/json",
    "content-length": String(length),
    "x-forwarded-for": "203.0.113.7",
    "x-forwarded-proto": "https",
    "x-request-id": "5f0c2a9e-1b7d-4e3a-9c61-2d8f4b7a1e05",
  };
}
