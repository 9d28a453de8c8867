// Type-checks the declarations as a CommonJS TypeScript user sees them (require), with no DOM or Node types at all.
import carehook = require("carehook");
import express = require("carehook/express");

const s = carehook.signedSample("medplum");
const event: carehook.CloudEvent = carehook.verify({ vendor: "medplum", keys: s.verifyKey, headers: s.headers, body: s.body });
const type: string = event.type;
const mw: express.WebhookMiddleware = express.webhook({ vendor: "medplum", keys: "k" });
const code: carehook.ErrorCode | "invalid_options" | undefined = carehook.inspect({ body: new Uint8Array(2) }).error?.code;
// @ts-expect-error: not a vendor
carehook.verify({ vendor: "acme" });
const captured: carehook.Capture = carehook.readCapture("POST /in/medplum HTTP/1.1\n\n{}");
const again: string = carehook.toCurl(captured, { base: "http://127.0.0.1:8787" });
