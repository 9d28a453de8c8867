// Requests the adapters must answer themselves, signed with the samples' demonstration keys: endpoint checks sent
// as webhooks (Metriport's ping, a FHIR handshake) and vendors' own GET checks (DrChrono's ?msg=, Fitbit's ?verify=).
import { createHmac } from "node:crypto";
import * as api from "../../pkg/index.node.mjs";

export const sampleOf = (vendor) => api.samples().find((s) => s.vendor === vendor);

/** Fitbit's subscriber verification code, as configured on the test routes (`verificationCode`). */
export const FITBIT_CODE = "subscriber-code-7f3a";

/** Metriport's ping, signed at `now`: answered `{"pong": <ping>}`, nothing emitted. */
export function metriportPing(now) {
  const s = sampleOf("metriport");
  const body = JSON.stringify({ ping: "3f9c1d2e7a", meta: { type: "ping", messageId: "m-ping-1", when: "2026-11-22T08:00:00.000Z" } });
  const headers = { "content-type": "application/json", ...api.sign({ vendor: "metriport", key: s.signingKey, body, path: s.path, now }) };
  return { path: s.path, headers, body, answer: { status: 200, body: '{"pong":"3f9c1d2e7a"}' } };
}

/** A FHIR R4B handshake (a SubscriptionStatus of type handshake): answered 200 with no body, nothing emitted. */
export function fhirHandshake(now) {
  const s = sampleOf("fhir");
  const body = JSON.stringify({
    resourceType: "Bundle",
    type: "history",
    timestamp: "2026-11-22T08:00:05Z",
    entry: [{
      fullUrl: "urn:uuid:0c1d2e3f-0000-4000-8000-000000000001",
      resource: {
        resourceType: "SubscriptionStatus", status: "active", type: "handshake", eventsSinceSubscriptionStart: "0",
        notificationEvent: [], subscription: { reference: "https://ehr.example.org/fhir/Subscription/labs" },
        topic: "http://example.org/SubscriptionTopic/lab-result",
      },
    }],
  });
  const headers = { ...Object.fromEntries(s.headers), ...api.sign({ vendor: "fhir", key: s.signingKey, body, path: s.path, now }) };
  return { path: s.path, headers, body, answer: { status: 200, body: "" } };
}

/** DrChrono's setup check: `GET ?msg=<m>` answered `{"secret_token": <hex HMAC-SHA256 of m, keyed with the token>}`. */
export function drchronoCheck() {
  const s = sampleOf("drchrono");
  const msg = "carehook-check-1";
  const token = createHmac("sha256", s.verifyKey).update(msg).digest("hex");
  return { url: `${s.path}?msg=${msg}`, answer: { status: 200, body: JSON.stringify({ secret_token: token }) } };
}
