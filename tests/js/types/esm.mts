// Type-checks the published declarations as an ESM TypeScript user sees them (tsc --noEmit, module nodenext).
// Each @ts-expect-error line must be an error: if a declaration became too loose, tsc reports the unused directive.
import {
  CarehookError, Verifier, challenge, detectVendor, errorCodes, errorKind, httpStatus as coreStatus, inspect, readCapture,
  samples, sign, signedSample, toCurl, toHttp, vendors, verify, verifyAll, verifyKey, verifyRequest, type Capture,
  type CaptureFormat, type CloudEvent, type ErrorCode, type ErrorKind, type ErrorStatus, type Handshake, type Report,
  type Vendor, type Verified,
} from "carehook";
import { httpStatus, webhook as expressWebhook } from "carehook/express";
import { refusal, webhook, webhookHandler } from "carehook/fetch";
import { Hono } from "hono";

const s = signedSample("stripe", { now: 1763800000 });
const event: CloudEvent<{ id: string }> = verify<{ id: string }>({
  vendor: "stripe", keys: s.verifyKey, path: s.path, headers: s.headers, body: s.body, now: 1763800000,
});
const dataId: string = event.data.id;
const vendor: Vendor = event.vendor;
const extensions: Array<string | undefined> = [event.resourcetype, event.resourceid, event.action, event.resourceurl];
const spec: "1.0" = event.specversion;

try {
  new Verifier({ vendor: "elation", keys: ["a", "b"], tolerance: 60, allowIps: ["10.0.0.0/8"] }).verify({
    headers: new Headers(), body: new Uint8Array(0), now: new Date(), remoteIp: "10.0.0.1",
  });
} catch (e) {
  if (e instanceof CarehookError) {
    const code: ErrorCode = e.code;
    const hint: string | null = e.hint;
    const verified: boolean = e.verified;
    const status: 400 | 401 | 413 | 500 = httpStatus(code);
  }
}

// Every member of Vendor and ErrorCode is checked against the installed core by tests/js/package.test.mjs.
const codes: readonly ErrorCode[] = errorCodes;
const statusOf: ErrorStatus = coreStatus("invalid_payload");
const kind: ErrorKind | null = errorKind("signature_mismatch");

// Batches and handshakes: every event, and the answer an endpoint check expects.
const all: Verified<{ collectionType: string }> = verifyAll<{ collectionType: string }>({ vendor: "fitbit", keys: "secret", body: "[]" });
const firstType: string | undefined = all.events[0]?.data.collectionType;
const answer: Handshake | null = all.handshake;
const check: Handshake | null = challenge({ vendor: "fitbit", keys: "secret", verificationCode: "code", url: "/in/fitbit?verify=code" });
const fitbit = new Verifier({ vendor: "fitbit", keys: "secret" });
const statuses: number[] = [fitbit.acceptedStatus, fitbit.unauthenticatedStatus, fitbit.httpStatus("signature_mismatch")];
const rfc9421 = new Verifier({
  vendor: "rfc9421", keys: "{}", publicUrl: "https://hooks.example.com/in/x", requiredTag: "app",
  requiredComponents: ["@method", "content-digest"], requireContentDigest: true,
});
const token = new Verifier({ vendor: "header-token", keys: "t".repeat(16), tokenHeader: "x-token", tokenPrefix: "" });
const suggested: Vendor | null = inspect({ headers: { "x-hub-signature-256": "sha256=00" }, body: "{}" }).suggested;
// @ts-expect-error: not an option
new Verifier({ vendor: "stripe", keys: "k", tolerence: 60 });
const names: Vendor[] = vendors();
const report: Report = inspect({ headers: [["stripe-signature", "t=1,v1=00"]], body: "{}" });
const step: string | undefined = report.steps[0]?.detail;
const detected: Vendor | null = detectVendor({ "x-hub-signature-256": "sha256=00" });
const headers: Record<string, string> = sign({ vendor: "github", key: "k", body: new TextEncoder().encode("{}") });
const pub: string = verifyKey("elation", samples()[0]!.signingKey);
const later: Promise<CloudEvent> = verifyRequest(new Request("http://x/"), { vendor: "photon", keys: "" });

// @ts-expect-error: not a vendor
verify({ vendor: "acme", keys: "k" });
// @ts-expect-error: not an error code
const notACode: ErrorCode = "bad_signature";
// @ts-expect-error: a parsed body cannot be verified
verify({ vendor: "stripe", keys: "k", body: { parsed: true } });
// @ts-expect-error: keys are strings
new Verifier({ vendor: "stripe", keys: 42 });

// Hono: the middleware fits app.post; c.get("webhook") is the CloudEvent, c.get("webhooks") every event.
const app = new Hono<{ Variables: { webhook: CloudEvent; webhooks: CloudEvent[] } }>();
app.post("/in/stripe", webhook({ vendor: "stripe", keys: "whsec_x" }), (c) => c.json({ type: c.get("webhook").type }));
app.post("/in/fitbit", webhook({ vendor: "fitbit", keys: "k" }), (c) => c.json({ n: c.get("webhooks").length }));

// Fetch handlers: a plain handler, and a Worker whose keys come from env.
const handle: (request: Request) => Promise<Response> = webhookHandler({ vendor: "stripe", keys: "k" }, (e) => new Response(e.id));
interface Env { KEY: string }
const worker = {
  fetch: webhookHandler<[Env, unknown]>((request, env) => ({ vendor: "standard", keys: env.KEY }), async (e, request, env) => {
    const key: string = env.KEY;
  }),
};
const refused: Response = refusal({ code: "digest_mismatch", message: "the body does not match its Content-Digest" });

// Express: the middleware, and req.webhook on Express's Request.
const mw = expressWebhook({ vendor: "github", keys: "s", now: () => 1763800000 });
declare const req: Express.Request;
const seen: CloudEvent | undefined = req.webhook;
const seenAll: CloudEvent[] | undefined = req.webhooks;

// A captured request, read once, spreads into verify's options; written back as curl or raw HTTP.
const cap: Capture = readCapture(new Uint8Array(0), { body: "{}", entry: 0 });
const capFormat: CaptureFormat = cap.format;
const capBody: Uint8Array | null = cap.body;
const capNote: number | null = cap.notes[0]?.line ?? null;
const fromCapture: CloudEvent = verify({ vendor: "stripe", keys: "whsec_x", ...cap, now: 1763800000 });
const curlLine: string = toCurl(cap, { base: "http://127.0.0.1:8787" });
const rawText: string = toHttp({ method: "POST", url: "/in/x", headers: [["a", "b"]], body: "{}" }, { eol: "\r\n" });
// @ts-expect-error: a parsed object is not a capture
readCapture({ method: "POST" });
