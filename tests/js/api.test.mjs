// The package's API over the core: options reach the core whole (an unknown one is an error), an unset key says so,
// batches and handshakes are never dropped, inspect without a vendor verifies nothing, and what the package states
// about the core (vendors, error codes, statuses) is read from the core.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as api from "../../pkg/index.node.mjs";
import * as glue from "../../pkg/dist/carehook.js";
import { VENDORS, ERROR_CODES } from "../../pkg/dist/facts.js";
import { FITBIT_CODE, fhirHandshake, metriportPing, sampleOf } from "./requests.mjs";

const ROOT = new URL("../../", import.meta.url);
const NOW = 1763800000;
// The raw bindings, instantiated apart from the package: what the core itself says.
glue.initSync({ module: readFileSync(new URL("pkg/dist/carehook_bg.wasm", ROOT)) });

const stripe = () => {
  const s = api.signedSample("stripe", { now: NOW });
  return { vendor: "stripe", keys: s.verifyKey, path: s.path, headers: s.headers, body: s.body, now: NOW };
};

test("an option the core does not know is a TypeError naming it, never dropped", () => {
  for (const call of [(o) => api.verify(o), (o) => new api.Verifier(o), (o) => api.verifyAll(o)]) {
    assert.throws(() => call({ ...stripe(), tolerence: 60 }), (e) => e instanceof TypeError && /unknown field `tolerence`/.test(e.message));
  }
  const report = api.inspect({ ...stripe(), allowIP: ["10.0.0.0/8"] });
  assert.deepEqual([report.ok, report.error.code], [false, "invalid_options"]);
  assert.match(report.error.message, /unknown field `allowIP`/);
  // Known options reach the core: a tolerance of 0 refuses a signature one second old.
  const late = { ...stripe(), now: NOW + 1 };
  assert.equal(api.verify(late).type, "stripe.invoice.paid");
  assert.throws(() => api.verify({ ...late, tolerance: 0 }), (e) => e.code === "timestamp_out_of_tolerance");
  // Unset options keep their defaults; a capture and the request's parts are not source options.
  assert.equal(api.verify({ ...stripe(), tolerance: undefined, publicPath: null }).type, "stripe.invoice.paid");
  const captured = api.readCapture(api.toHttp({ method: "POST", url: "/in/stripe", headers: stripe().headers, body: stripe().body }));
  assert.equal(api.verify({ vendor: "stripe", keys: stripe().keys, now: NOW, ...captured }).type, "stripe.invoice.paid");
});

test("a key that is undefined (an unset environment variable) is invalid_key with a hint saying so", () => {
  for (const keys of [[undefined], undefined, [stripe().keys, null]]) {
    assert.throws(
      () => new api.Verifier({ vendor: "stripe", keys }),
      (e) => e instanceof api.CarehookError && e.code === "invalid_key" && /environment variable/.test(e.hint) && !e.verified,
      String(keys),
    );
  }
  assert.throws(() => api.verify({ vendor: "stripe", key: undefined }), (e) => e.code === "invalid_key" && /key is undefined/.test(e.message));
  const report = api.inspect({ ...stripe(), keys: [undefined] });
  assert.deepEqual([report.ok, report.error.code, /environment variable/.test(report.error.hint)], [false, "invalid_key", true]);
  // No key at all is the core's own refusal; a key that is not a string is a programming error.
  assert.throws(() => new api.Verifier({ vendor: "stripe" }), (e) => e.code === "invalid_key");
  assert.throws(() => new api.Verifier({ vendor: "stripe", keys: [42] }), TypeError);
});

test("verify refuses a batch or a handshake (none is dropped); verifyAll returns every event and the answer", () => {
  const f = api.signedSample("fitbit", { now: NOW });
  const fitbit = { vendor: "fitbit", keys: f.verifyKey, path: f.path, headers: f.headers, body: f.body, now: NOW };
  assert.throws(() => api.verify(fitbit), (e) => e.code === "invalid_payload" && e.verified === true && /verifyAll/.test(e.message));
  const all = api.verifyAll(fitbit);
  assert.deepEqual([all.events.length, all.handshake], [JSON.parse(f.body).length, null]);
  const h = fhirHandshake(NOW);
  const fhir = { vendor: "fhir", keys: sampleOf("fhir").verifyKey, path: h.path, headers: h.headers, body: h.body, now: NOW };
  assert.throws(() => api.verify(fhir), (e) => e.code === "invalid_payload" && e.verified === true);
  assert.deepEqual(api.verifyAll(fhir), { events: [], handshake: h.answer });
  // Metriport's ping is one event and a handshake: verify returns the event, verifyAll says what to answer.
  const p = metriportPing(NOW);
  const ping = { vendor: "metriport", keys: sampleOf("metriport").verifyKey, path: p.path, headers: p.headers, body: p.body, now: NOW };
  assert.equal(api.verify(ping).type, "metriport.ping");
  assert.deepEqual(api.verifyAll(ping).handshake, p.answer);
  // verifyAll refuses what verify refuses.
  assert.throws(() => api.verifyAll({ ...fitbit, body: f.body + " " }), (e) => e.code === "signature_mismatch");
});

test("challenge answers a vendor's own GET check and nothing else", () => {
  const fitbit = { vendor: "fitbit", keys: sampleOf("fitbit").verifyKey, verificationCode: FITBIT_CODE };
  assert.deepEqual(api.challenge({ ...fitbit, url: `/in/fitbit?verify=${FITBIT_CODE}` }), { status: 204, body: "" });
  assert.deepEqual(api.challenge({ ...fitbit, url: "/in/fitbit?verify=other" }), { status: 404, body: "" });
  assert.equal(api.challenge({ ...fitbit, url: "/in/fitbit" }), null);
  assert.equal(api.challenge({ ...stripe(), url: "/in/stripe?verify=x&msg=y" }), null);
});

test("inspect without a vendor verifies nothing: it names the vendor the headers suggest", () => {
  const s = stripe();
  const report = api.inspect({ ...s, vendor: undefined });
  assert.deepEqual([report.ok, report.verified, report.vendor, report.error.code, report.suggested], [false, false, null, "unsupported_vendor", "stripe"]);
  assert.equal(report.event, null);
  assert.ok(report.diagnosis.some((d) => d.includes("stripe")), report.diagnosis.join("; "));
  const none = api.inspect({ body: "{}" });
  assert.deepEqual([none.ok, none.suggested], [false, null]);
  assert.equal(api.inspect(s).ok, true, "with the vendor configured, it verifies");
});

test("vendors, error codes and statuses are the core's: generated from the .wasm, checked against it", () => {
  assert.deepEqual(api.vendors(), glue.vendors());
  assert.deepEqual([...VENDORS], glue.vendors());
  assert.deepEqual([...api.errorCodes], glue.errorCodes());
  assert.deepEqual(api.errorCodes, ERROR_CODES);
  assert.ok(Object.isFrozen(api.errorCodes));
  assert.deepEqual(api.samples().map((s) => s.vendor), api.vendors(), "a sample for every vendor");
  for (const code of glue.errorCodes()) {
    assert.equal(api.httpStatus(code), glue.httpStatus(code), code);
    assert.equal(api.errorKind(code), glue.errorKind(code), code);
  }
  assert.deepEqual([api.httpStatus("no_such_code"), api.errorKind("no_such_code")], [500, null]);
  // The generated files are what the built .wasm says now (scripts/build-pkg writes them).
  execFileSync(process.execPath, ["pkg/src/gen-facts.mjs", "pkg/dist", "--check"], { cwd: ROOT, encoding: "utf8" });
  // The declarations state no vendor or code list of their own: they re-export the generated unions.
  const dts = readFileSync(new URL("pkg/index.d.ts", ROOT), "utf8");
  assert.match(dts, /import type \{ ErrorCode, ErrorKind, ErrorStatus, Vendor \} from "\.\/dist\/facts\.js";/);
  assert.doesNotMatch(dts, /type (Vendor|ErrorCode) =/);
  for (const v of api.vendors()) assert.ok(!dts.includes(`| "${v}"`), `index.d.ts lists ${v} itself`);
});

test("each vendor's answers: the accepted and unauthenticated statuses of its sample", () => {
  for (const s of api.samples()) {
    const v = new api.Verifier({ vendor: s.vendor, keys: s.verifyKey });
    assert.deepEqual([v.acceptedStatus, v.unauthenticatedStatus], [s.acceptedStatus, s.unauthenticatedStatus], s.vendor);
    assert.equal(v.httpStatus("signature_mismatch"), s.unauthenticatedStatus, s.vendor);
    assert.equal(v.httpStatus("missing_header"), api.httpStatus("missing_header"), s.vendor);
  }
  const fitbit = api.samples().find((s) => s.vendor === "fitbit");
  assert.deepEqual([fitbit.acceptedStatus, fitbit.unauthenticatedStatus, fitbit.batches], [204, 404, true]);
});
