// The inspector page (www/) in headless Chromium, served from 127.0.0.1 by esbuild's server. Every result the page
// shows is checked against the same package running in Node; every request the page makes is recorded; axe-core
// checks every state in light and dark.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import * as carehook from "../../pkg/index.node.mjs";
import { check as checkVector } from "../vectors/run.mjs";
import { splitKeys } from "../../www/form.js";
import { axeViolations, buildWww, openBrowser, ROOT, SHOTS } from "./browser.mjs";

const WIDE = { width: 1280, height: 900 };
const SAMPLES = carehook.samples();
const sampleOf = (vendor) => SAMPLES.find((s) => s.vendor === vendor);
const VECTORS = JSON.parse(readFileSync(join(ROOT, "tests", "vectors", "carehook.json"), "utf8")).cases;
const vectorNamed = (name) => {
  const c = VECTORS.find((x) => x.name === name);
  assert.ok(c, `no vector named ${name}`);
  return c;
};
const sentence = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);
let browser, page;
let phase = "load";
const requests = []; // every request the main page made: { url, phase }
const problems = []; // uncaught errors and console errors
const used = new Set(); // the features exercised, so the no-request test can say it came after all of them

before(async () => {
  rmSync(SHOTS, { recursive: true, force: true }); // openBrowser makes it again: only this run's screenshots remain
  buildWww();
  browser = await openBrowser(join(ROOT, "www"), WIDE);
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: browser.url });
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  // Context-wide, so a worker's request would count too; requests with no page are charged to the main one.
  browser.context.on("request", (r) => {
    const from = r.frame()?.page() ?? page;
    if (from === page) requests.push({ url: r.url(), phase, type: r.resourceType() });
  });
  page.on("websocket", (ws) => requests.push({ url: ws.url(), phase, type: "websocket" }));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  await page.goto(`${browser.url}/`);
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForLoadState("networkidle");
  phase = "after load";
});
after(() => browser?.close());

// ---- helpers -------------------------------------------------------------------------------------------------

const runs = () => page.evaluate(() => Number(document.body.dataset.runs ?? 0));

/** Does `action`, then waits until the page has produced a new result. */
async function step(action) {
  const before = await runs();
  await action();
  await page.waitForFunction((n) => Number(document.body.dataset.runs) > n, before);
}

async function shown() {
  return page.evaluate(() => {
    const $ = (id) => document.getElementById(id);
    const visible = (id) => !$(id).hidden && !$(id).closest("[hidden]");
    return {
      state: $("verdict").dataset.state,
      title: $("verdict-title").textContent,
      cause: [...$("verdict-cause").querySelectorAll("p, li")].map((e) => e.textContent),
      fix: visible("verdict-fix") ? $("verdict-fix").textContent.replace(/^Fix: /, "") : null,
      detail: $("verdict-detail").textContent,
      suggested: document.getElementById("use-suggested")?.dataset.vendor ?? null,
      signedTime: document.getElementById("check-signed-time")?.dataset.time ?? null,
      code: visible("problem") ? $("error-code").textContent : null,
      status: visible("problem") ? $("error-status").textContent : null,
      steps: [...document.querySelectorAll("#steps li[data-ok]")].map((li) => ({
        check: li.querySelector(".check-name").textContent, ok: li.dataset.ok === "true" })),
      checksOpen: $("checks").open,
      readOpen: visible("read") && $("read").open,
      events: visible("events") ? [...document.querySelectorAll("#events pre.event")].map((p) => p.textContent) : [],
      handshake: visible("handshake") ? $("handshake").textContent : null,
      headers: [...document.querySelectorAll("#header-rows tr")].filter((tr) => tr.querySelector("th"))
        .map((tr) => [tr.querySelector("th").firstChild.textContent, tr.querySelector("td").textContent, tr.classList.contains("used")]),
      signed: visible("signed") ? $("signed-string").textContent : null,
      keys: [...document.querySelectorAll("#key-notes li")].map((li) => ({ text: li.textContent, cls: li.className })),
      parsed: $("parsed").textContent,
    };
  });
}

/** The clock the page used for its last result (it prints it in the verdict). */
function clockOf(detail) {
  const m = /clock (\S+Z)/.exec(detail);
  assert.ok(m, detail);
  return Date.parse(m[1]) / 1000;
}

/** The options the page now holds (raw mode), with its keys and clock, for the package in Node. */
async function nodeOptions(detail, extra = {}) {
  const raw = await page.inputValue("#raw");
  const keys = splitKeys(await page.inputValue("#keys"));
  const vendor = (await page.inputValue("#vendor")) || undefined;
  const publicPath = (await page.inputValue("#public-path")) || undefined;
  const tolerance = Number(await page.inputValue("#tolerance"));
  const r = carehook.readCapture(raw);
  return { vendor, keys, method: r.method ?? "POST", url: r.url ?? "/", headers: r.headers, body: r.body ?? new Uint8Array(0), now: clockOf(detail), publicPath, tolerance, ...extra };
}

/** What the package says in Node about the request the page now holds. */
const nodeView = async (detail, extra) => carehook.inspect(await nodeOptions(detail, extra));

/** The page's verdict agrees with the package's report: state, cause (the diagnosis), fix and code. */
function assertAgrees(v, node, what) {
  if (node.ok) {
    assert.equal(v.state, "ok", `${what}: ${v.title} ${v.cause}`);
    return;
  }
  assert.notEqual(v.state, "ok", what);
  if (node.diagnosis.length) assert.deepEqual(v.cause, node.diagnosis.map(sentence), what);
  else assert.deepEqual(v.cause, [sentence(node.error.message)], what);
  if (v.state === "choose") return;
  assert.equal(v.code, node.error.code, what);
  assert.equal(v.fix, node.error.hint ? sentence(node.error.hint) : null, what);
  assert.equal(v.state, node.verified ? "refused" : "fail", what);
}

const sample = (vendor) => step(() => page.click(`#sample-list button[data-vendor="${vendor}"]`));
const shot = (name, opts = {}) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, ...opts });

/** Sets several fields at once, then tells the page with one input event per `events` field (one result follows). */
async function setForm(values, events) {
  await step(() => page.evaluate(([values, events]) => {
    for (const [id, value] of Object.entries(values)) document.getElementById(id).value = value;
    for (const id of events) document.getElementById(id).dispatchEvent(new Event("input", { bubbles: true }));
  }, [values, events]));
}

async function setRaw(edit) {
  const raw = await page.inputValue("#raw");
  await step(() => page.fill("#raw", edit(raw)));
}

/** A vector case as raw HTTP in the page, with its keyring, vendor and clock. */
async function pasteCase(c) {
  const url = new URL(c.url).pathname + new URL(c.url).search;
  const headers = Array.isArray(c.headers) ? c.headers : Object.entries(c.headers);
  const raw = carehook.toHttp({ method: c.method ?? "POST", url, headers, body: c.body });
  await setForm({ raw, keys: c.keys.join("\n"), vendor: c.vendor, "clock-unix": String(c.now) }, ["raw", "clock-unix"]);
  return { vendor: c.vendor, keys: c.keys, method: c.method ?? "POST", url, headers, body: new TextEncoder().encode(c.body), now: c.now };
}

const copied = () => page.evaluate(() => navigator.clipboard.readText());

// ---- loading, samples, the suggestion ------------------------------------------------------------------------

test("the page loads its own files only, under a strict Content-Security-Policy", async () => {
  await shot("01-empty");
  const loaded = requests.filter((r) => r.phase === "load");
  assert.ok(loaded.length >= 5, JSON.stringify(loaded));
  for (const r of loaded) assert.equal(new URL(r.url).origin, browser.url, r.url);
  assert.ok(loaded.some((r) => r.url.endsWith("/pkg/dist/carehook_bg.wasm")));
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  for (const d of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "style-src 'self'", "connect-src 'self'", "object-src 'none'"]) {
    assert.ok(csp.includes(d), `CSP lacks ${d}`);
  }
  assert.match(await page.textContent("#privacy"), /makes no network requests/);
  const vendors = carehook.vendors();
  assert.equal(await page.textContent("#load-status"), `Verifier ready: ${vendors.length} vendors, running locally in WebAssembly.`);
  assert.match(await page.textContent("#lede"), new RegExp(` ${vendors.length} senders`));
  // The vendor list is the package's: every vendor can be chosen, and each has a sample.
  const options = await page.$$eval("#vendor option", (os) => os.map((o) => o.value));
  assert.deepEqual(options, ["", ...vendors]);
  assert.deepEqual(await page.$$eval("#sample-list button", (bs) => bs.map((b) => b.dataset.vendor)), SAMPLES.map((s) => s.vendor));
  for (const v of ["terra", "junction", "fasten", "header-token", "drchrono", "fitbit", "fhir", "rfc9421"]) assert.ok(options.includes(v), v);
});

test("every vendor's sample verifies in the page, compactly, with one CloudEvent box per event the package gives", async () => {
  assert.ok(SAMPLES.length >= 20);
  for (const s of SAMPLES) {
    await sample(s.vendor);
    const v = await shown();
    assert.equal(v.state, "ok", `${s.vendor}: ${v.title} ${v.cause} ${v.code}`);
    assert.equal(v.title, "✓ Verified");
    assert.equal(await page.inputValue("#vendor"), s.vendor, "a sample sets its vendor, as a receiver's configuration does");
    assert.ok(v.steps.length > 0 && v.steps.every((x) => x.ok), s.vendor);
    // Compact: the checks and what was read are folded, the problem block is absent.
    assert.equal(v.checksOpen, false, s.vendor);
    assert.equal(v.readOpen, false, s.vendor);
    assert.equal(v.code, null);
    assert.equal(v.keys.length, 1);
    assert.match(v.keys[0].text, /^#1 · .* · matched$/);
    // The same request through the package in Node gives the same events, in the same order.
    const opts = await nodeOptions(v.detail);
    const all = carehook.verifyAll(opts);
    assert.ok(all.events.length >= 1, s.vendor);
    assert.deepEqual(v.events.map((e) => JSON.parse(e)), all.events, s.vendor);
    assert.equal(await page.locator("#events .event-box").count(), all.events.length);
    assert.equal(v.handshake, null);
    const what = all.events.length === 1 ? all.events[0].type : `${all.events.length} events`;
    assert.ok(v.detail.includes(`key #1 matched · ${what} · clock`), `${s.vendor}: ${v.detail}`);
    if (s.batches === false) assert.equal(all.events.length, 1, s.vendor);
    if (s.vendor === "healthie") await shot("02-verified-healthie");
  }
  await sample("fitbit");
  assert.equal((await shown()).events.length, 2);
  assert.deepEqual(await page.$$eval("#events h3", (hs) => hs.map((h) => h.textContent)), ["CloudEvent 1 of 2", "CloudEvent 2 of 2"]);
});

test("with no vendor chosen the page suggests one and verifies nothing until it is chosen", async () => {
  for (const s of SAMPLES) {
    await sample(s.vendor);
    await step(() => page.selectOption("#vendor", ""));
    const v = await shown();
    const node = await nodeView(v.detail);
    assert.equal(node.ok, false);
    assert.equal(v.state, "choose", s.vendor);
    assert.equal(v.title, "Choose the vendor");
    assert.deepEqual(v.events, [], "no event from detection alone");
    assert.doesNotMatch(v.title + v.cause.join(" "), /✓|verified/i);
    assertAgrees(v, node, s.vendor);
    assert.equal(v.suggested, node.suggested, s.vendor);
    if (!node.suggested) continue;
    assert.equal(await page.textContent("#verdict-actions"), `Looks like ${await page.textContent(`#vendor option[value="${node.suggested}"]`)} —Use ${await page.textContent(`#vendor option[value="${node.suggested}"]`)}`);
    if (s.vendor === "github") await shot("14-suggested-github");
    // One click chooses it; then the check runs with that vendor.
    await step(() => page.click("#use-suggested"));
    assert.equal(await page.inputValue("#vendor"), node.suggested);
    const after = await shown();
    assertAgrees(after, await nodeView(after.detail), `${s.vendor} as ${node.suggested}`);
    if (node.suggested === s.vendor) assert.equal(after.state, "ok", s.vendor);
  }
  // A request with no vendor's header: no suggestion, and the core's reason.
  await sample("mycure");
  await step(() => page.selectOption("#vendor", ""));
  const v = await shown();
  assert.equal(v.suggested, null);
  assert.match(v.cause.join(" "), /choose the vendor/i);
});

test("a vendor chosen against the headers is what the page checks", async () => {
  await sample("github");
  await step(() => page.selectOption("#vendor", "stripe"));
  const v = await shown();
  const node = await nodeView(v.detail);
  assert.equal(node.vendor, "stripe");
  assert.equal(v.code, "missing_header");
  assertAgrees(v, node, "github as stripe");
  assert.match(v.detail, /^Stripe · missing_header/);
  assert.equal(v.status, `HTTP ${carehook.httpStatus("missing_header")}`);
  await step(() => page.selectOption("#vendor", "github"));
  assert.equal((await shown()).state, "ok");
});

// ---- failures: the answer first ------------------------------------------------------------------------------

test("a tampered body fails with the package's code, diagnosis and fix, cause before fix before code before checks", async () => {
  for (const s of SAMPLES) {
    await sample(s.vendor);
    // Change one letter of the body, the way a proxy that re-encodes JSON would.
    await setRaw((raw) => {
      const at = raw.indexOf("\n\n") + 2;
      const i = raw.slice(at).search(/[a-y]/) + at;
      return raw.slice(0, i) + String.fromCharCode(raw.charCodeAt(i) + 1) + raw.slice(i + 1);
    });
    const v = await shown();
    const node = await nodeView(v.detail);
    assertAgrees(v, node, s.vendor);
    if (s.signsBody) {
      assert.ok(["signature_mismatch", "digest_mismatch"].includes(v.code), `${s.vendor}: ${v.code}`);
      assert.ok(v.steps.some((x) => !x.ok), s.vendor);
      assert.deepEqual(v.events, []);
      assert.equal(await page.isVisible("#events"), false, "no CloudEvent box without an event");
      assert.equal(v.checksOpen, true);
      assert.equal(v.readOpen, true);
    }
    if (s.vendor === "stripe") await shot("03-tampered-stripe");
  }
  // The order a reader meets them in.
  await sample("stripe");
  await setRaw((raw) => raw.replace('"invoice.paid"', '"invoice.paid "'));
  const order = await page.evaluate(() => ["verdict-title", "verdict-cause", "verdict-fix", "error-code", "steps"]
    .map((id) => document.getElementById(id).getBoundingClientRect().top));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
  assert.equal((await shown()).title, "✗ The signature does not match");
});

test("Healthie on a rewritten path fails, and passes once the public path is set", async () => {
  await sample("healthie");
  await setRaw((raw) => raw.replace("POST /in/healthie HTTP/1.1", "POST /internal/hooks/healthie HTTP/1.1"));
  let v = await shown();
  assert.equal(v.state, "fail");
  assert.equal(v.code, "signature_mismatch");
  assert.match(v.fix, /publicPath/);
  assertAgrees(v, await nodeView(v.detail), "healthie rewritten");
  // The signed string shows the path the page signed with: the request's, not the one the sender used.
  assert.match(v.signed, /^post \/internal\/hooks\/healthie /m);
  await shot("04-healthie-rewritten-path");
  await step(() => page.fill("#public-path", "/in/healthie"));
  v = await shown();
  assert.equal(v.state, "ok", v.detail);
  assert.equal(JSON.parse(v.events[0]).type, "healthie.appointment.created");
  assert.match(v.signed, /^post \/in\/healthie /m);
  await shot("05-healthie-public-path");
  await step(() => page.fill("#public-path", ""));
});

test("keys are used exactly as typed: whitespace is named, not trimmed; any key of the ring may match", async () => {
  await sample("stripe");
  const key = await page.inputValue("#keys");
  await step(() => page.fill("#keys", key + " "));
  let v = await shown();
  assert.equal(v.state, "fail");
  assertAgrees(v, await nodeView(v.detail), "key with a space");
  assert.match(v.keys[0].text, /ends with whitespace/);
  assert.equal(v.keys[0].cls, "warn");
  await step(() => page.fill("#keys", `whsec_an_old_secret\n${key}`));
  v = await shown();
  assert.equal(v.state, "ok");
  assert.match(v.detail, /key #2 matched/);
  assert.deepEqual(v.keys.map((k) => k.cls), ["", "matched"]);
});

test("the clock: out of tolerance, one click checks at the signed time; a wider tolerance or now passes", async () => {
  await sample("standard");
  const signedAt = Number(/^webhook-timestamp: (\d+)$/m.exec(await page.inputValue("#raw"))[1]);
  const now = Math.floor(Date.now() / 1000);
  await step(() => page.fill("#clock-unix", String(now + 1000)));
  assert.equal(await page.isChecked("input[name=clock][value=fixed]"), true);
  // The browser writes a datetime-local value without ":00" seconds: compare the moment, not the text.
  assert.equal(Date.parse(`${await page.inputValue("#clock-date")}Z`), (now + 1000) * 1000);
  let v = await shown();
  assert.equal(v.code, "timestamp_out_of_tolerance");
  assert.equal(v.title, "✗ The signed time is outside the tolerance");
  assert.equal(clockOf(v.detail), now + 1000);
  let node = await nodeView(v.detail);
  assertAgrees(v, node, "old timestamp");
  assert.match(v.cause.join(" "), /signature is valid/i, "the core says whether it is valid at the signed time");
  assert.equal(Number(v.signedTime), signedAt);
  await shot("15-out-of-tolerance");
  await step(() => page.click("#check-signed-time"));
  v = await shown();
  assert.equal(v.state, "ok", v.cause.join(" "));
  assert.equal(clockOf(v.detail), signedAt);
  assert.equal(await page.inputValue("#clock-unix"), String(signedAt));
  // A wrong key too: the core says the signature is invalid at the signed time as well, and checking there shows it.
  const key = await page.inputValue("#keys");
  await step(() => page.fill("#clock-unix", String(now + 1000)));
  await step(() => page.fill("#keys", "whsec_" + Buffer.from("another secret entirely").toString("base64")));
  v = await shown();
  node = await nodeView(v.detail);
  assertAgrees(v, node, "old and wrong");
  assert.match(v.cause.join(" "), /invalid as well/i);
  await step(() => page.click("#check-signed-time"));
  assert.equal((await shown()).code, "signature_mismatch");
  await step(() => page.fill("#keys", key));
  await step(() => page.fill("#clock-unix", String(now + 1000)));
  await step(() => page.fill("#tolerance", "1200"));
  assert.equal((await shown()).state, "ok");
  await step(() => page.fill("#tolerance", "300"));
  assert.equal((await shown()).code, "timestamp_out_of_tolerance");
  await step(() => page.check("input[name=clock][value=now]"));
  v = await shown();
  assert.equal(v.state, "ok");
  assert.ok(Math.abs(clockOf(v.detail) - Date.now() / 1000) < 60);
  used.add("signed time");
});

// ---- several events, none, and handshakes --------------------------------------------------------------------

test("a batch shows one CloudEvent box per event; a handshake shows what it answered", async () => {
  // FHIR R4 Parameters with two notification events.
  const two = await pasteCase(vectorNamed("fhir: R4 Parameters status with two events"));
  let v = await shown();
  assert.equal(v.state, "ok", v.cause.join(" "));
  let all = carehook.verifyAll(two);
  assert.equal(all.events.length, 2);
  assert.deepEqual(v.events.map((e) => JSON.parse(e)), all.events);
  assert.match(v.detail, /· 2 events ·/);
  await shot("16-fhir-two-events");
  // A FHIR handshake: verified, no event, answered 200 with an empty body.
  const hs = await pasteCase(vectorNamed("fhir: handshake is answered and emits nothing"));
  v = await shown();
  assert.equal(v.state, "ok");
  assert.deepEqual(v.events, []);
  assert.equal(await page.isVisible("#events"), false);
  assert.equal(v.handshake, "Handshake answered: 200 (empty body)");
  assert.deepEqual(carehook.verifyAll(hs).handshake, { status: 200, body: "" });
  // Metriport's ping: one event, and the pong the sender expects.
  const ping = await pasteCase(vectorNamed("metriport: ping verifies (a gateway answers pong)"));
  v = await shown();
  all = carehook.verifyAll(ping);
  assert.equal(v.handshake, `Handshake answered: 200 ${all.handshake.body}`);
  assert.equal(v.handshake, 'Handshake answered: 200 {"pong":"3f9c1d2e7a"}');
  assert.match(v.detail, /answered: 200 \{"pong":"3f9c1d2e7a"\}/);
  assert.deepEqual(v.events.map((e) => JSON.parse(e)), all.events);
  await shot("17-metriport-ping");
  await step(() => page.check("input[name=clock][value=now]"));
});

// ---- what was checked ----------------------------------------------------------------------------------------

/** Whether `string`, MACed with the sample's key as its scheme does, gives the signature in the headers. */
function signs(vendor, key, headers, string) {
  const get = (n) => headers.find(([k]) => k.toLowerCase() === n)?.[1];
  const std = headers.find(([k]) => /-signature$/i.test(k) && /^v1a?,/.test(get(k.toLowerCase())));
  if (std) {
    const mac = createHmac("sha256", Buffer.from(key.replace(/^whsec_/, ""), "base64")).update(string).digest("base64");
    return std[1].split(" ").includes(`v1,${mac}`);
  }
  const stripe = headers.find(([, v]) => /(^|,)t=\d+/.test(v));
  if (stripe) return stripe[1].split(",").includes(`v1=${createHmac("sha256", key).update(string).digest("hex")}`);
  if (vendor === "healthie") return get("signature") === `sig1=${createHmac("sha256", key).update(string).digest("hex")}`;
  return false;
}

test("what was checked: the headers as pasted, and the exact signed string where it can be rebuilt without a key", async () => {
  const withString = [];
  for (const s of SAMPLES) {
    await sample(s.vendor);
    const v = await shown();
    const raw = await page.inputValue("#raw");
    const cap = carehook.readCapture(raw);
    assert.deepEqual(v.headers.map(([n, val]) => [n, val]), cap.headers, s.vendor);
    const report = await nodeView(v.detail);
    const checked = new Set(report.steps.map((x) => /^header (\S+)$/.exec(x.check)?.[1]).filter(Boolean));
    assert.deepEqual(v.headers.filter(([, , u]) => u).map(([n]) => n.toLowerCase()).sort(), [...checked].filter((n) => cap.headers.some(([h]) => h.toLowerCase() === n)).sort(), s.vendor);
    const key = await page.inputValue("#keys");
    if (v.signed !== null) {
      withString.push(s.vendor);
      assert.ok(signs(s.vendor, sampleOf(s.vendor).signingKey, cap.headers, v.signed), `${s.vendor}: the signed string shown is not what was signed`);
      assert.ok(!v.signed.includes(key), `${s.vendor}: the key is in the signed string`);
    }
    // Never a key outside the keys box (a token sender's token is in the request itself, as pasted).
    const text = await page.evaluate(() => document.getElementById("result").innerText);
    if (s.signsBody) assert.ok(!text.includes(key), `${s.vendor}: the key is shown in the result`);
  }
  assert.deepEqual(withString.sort(), ["akute", "fasten", "healthie", "junction", "standard", "stripe", "svix", "terra"]);
  await sample("standard");
  await page.click("#read summary");
  await shot("18-signed-string-standard");
  await page.click("#read summary");
});

// ---- the two input modes, files, copying ---------------------------------------------------------------------

test("headers and body typed separately verify the same, and convert both ways", async () => {
  await sample("svix");
  await step(() => page.check("input[name=mode][value=fields]"));
  assert.equal(await page.isVisible("#headers"), true);
  assert.match(await page.inputValue("#headers"), /^svix-signature: v1,/m);
  assert.equal((await shown()).state, "ok");
  const body = await page.inputValue("#body");
  await step(() => page.fill("#body", body.replace("{", "{ ")));
  assert.equal((await shown()).code, "signature_mismatch");
  await step(() => page.check("input[name=mode][value=raw]"));
  assert.ok((await page.inputValue("#raw")).endsWith(body.replace("{", "{ ")));
  assert.equal((await shown()).code, "signature_mismatch");
});

test("a body with CRLF line breaks: pasted text is flagged, a loaded file keeps the exact bytes", async () => {
  const s = sampleOf("stripe");
  const body = JSON.stringify(JSON.parse(s.body), null, 2).replace(/\n/g, "\r\n");
  const bytes = new TextEncoder().encode(body);
  const headers = { ...carehook.sign({ vendor: "stripe", key: s.signingKey, body: bytes, path: s.path }), "content-length": String(bytes.length) };
  const raw = carehook.toHttp({ method: "POST", url: s.path, headers: Object.entries(headers), body });
  await setForm({ keys: s.verifyKey, vendor: "stripe" }, ["keys"]);
  await step(() => page.fill("#raw", raw)); // a text box keeps LF only
  let v = await shown();
  assert.equal(v.code, "signature_mismatch");
  assert.match(v.parsed, /probably CRLF/);
  const file = Buffer.from(carehook.toHttp({ method: "POST", url: s.path, headers: Object.entries(headers), body: "" }, { eol: "\r\n" }) + body);
  await step(() => page.setInputFiles("#raw-file", { name: "capture.http", mimeType: "text/plain", buffer: file }));
  v = await shown();
  assert.equal(v.state, "ok", v.detail);
  assert.doesNotMatch(v.parsed, /⚠/);
  assert.match(await page.textContent("#file-status"), new RegExp(`capture.http: ${file.length} bytes`));
  await shot("06-file-crlf");
  used.add("file");
});

test("each event's copy button copies that event exactly as shown", async () => {
  await sample("elmed");
  await page.click("#events button");
  await page.waitForSelector("#copy-event-status:text('Copied')");
  const one = await copied();
  assert.equal(one, (await shown()).events[0]);
  assert.equal(JSON.parse(one).vendor, "elmed");
  await sample("fitbit");
  await page.click("#events button[data-copy-event='1']");
  assert.equal(await copied(), (await shown()).events[1]);
  used.add("copy event");
});

// ---- sharing a case ------------------------------------------------------------------------------------------

test("copy as test vector: the case in the vectors' format, keys as placeholders unless included", async () => {
  await sample("stripe");
  await page.click("#copy-vector");
  await page.waitForSelector("#copy-vector-status:text('Copied')");
  let text = await copied();
  const key = sampleOf("stripe").verifyKey;
  assert.ok(!text.includes(key), "the key is left out by default");
  let c = JSON.parse(text);
  assert.deepEqual(c.keys, ["REPLACE_WITH_KEY_1"]);
  assert.equal(c.vendor, "stripe");
  assert.deepEqual(c.expect.ok, true);
  // With the key put back, the case passes the runner every suite uses.
  c.keys = [key];
  assert.equal(checkVector(carehook, c), null);
  await page.check("#vector-keys");
  await page.click("#copy-vector");
  c = JSON.parse(await copied());
  assert.deepEqual(c.keys, [key]);
  assert.equal(checkVector(carehook, c), null);
  for (const k of ["name", "vendor", "keys", "method", "url", "now", "headers", "body", "expect"]) assert.ok(k in c, k);
  // A failure is a failing case, with its code.
  await setRaw((raw) => raw.replace('"invoice.paid"', '"invoice.pai"'));
  await page.click("#copy-vector");
  c = JSON.parse(await copied());
  assert.deepEqual(c.expect, { ok: false, error: "signature_mismatch" });
  assert.equal(checkVector(carehook, c), null);
  // A token sender's token is in a header: without the keys it is replaced there too.
  await page.uncheck("#vector-keys");
  await sample("header-token");
  await page.click("#copy-vector");
  text = await copied();
  const token = sampleOf("header-token").verifyKey;
  assert.ok(!text.includes(token), text);
  c = JSON.parse(text.replaceAll("REPLACE_WITH_KEY_1", token));
  assert.equal(checkVector(carehook, c), null);
  // A batch: every event is expected.
  await sample("fitbit");
  await page.check("#vector-keys");
  await page.click("#copy-vector");
  c = JSON.parse(await copied());
  assert.equal(c.expect.events.length, 2);
  assert.equal(checkVector(carehook, c), null);
  await page.uncheck("#vector-keys");
  used.add("vector");
});

test("copy report: Markdown with the verdict first, never a key, no payload unless asked", async () => {
  await sample("stripe");
  await setRaw((raw) => raw.replace('"invoice.paid"', '"invoice.pai"'));
  await page.click("#copy-report");
  await page.waitForSelector("#copy-report-status:text('Copied')");
  let md = await copied();
  const key = sampleOf("stripe").verifyKey;
  assert.ok(md.startsWith("## carehook inspector: The signature does not match\n"), md.slice(0, 80));
  assert.match(md, /`signature_mismatch` \(HTTP 401\)/);
  assert.match(md, /\| ✗ \| signature \|/);
  assert.match(md, /\*\*Fix:\*\* /);
  assert.ok(!md.includes(key));
  assert.ok(!md.includes("in_1QdemoInvoice"), "no payload by default");
  assert.ok(md.indexOf("Fix:") < md.indexOf("### Checks"));
  await page.check("#report-body");
  await page.click("#copy-report");
  md = await copied();
  assert.ok(md.includes("in_1QdemoInvoice"));
  assert.ok(md.includes("### Signed string (Stripe-style)"));
  assert.ok(!md.includes(key));
  await page.uncheck("#report-body");
  // A token in a header is never in the report.
  await sample("header-token");
  await page.click("#copy-report");
  md = await copied();
  assert.ok(!md.includes(sampleOf("header-token").verifyKey));
  assert.match(md, /Bearer ‹key #1›/);
  used.add("report");
});

// ---- captured requests ---------------------------------------------------------------------------------------

test("every captured-request fixture pasted into the page verifies, and the page names the form it read", async () => {
  const dir = join(ROOT, "tests", "fixtures", "capture");
  const { now, fixtures } = JSON.parse(readFileSync(join(dir, "fixtures.json"), "utf8"));
  const names = { http: "a raw HTTP request", headers: "headers", curl: "a curl command", har: "a HAR entry", devtools: "developer tools' request headers", json: "a JSON log line" };
  await step(() => page.fill("#clock-unix", String(now)));
  for (const f of fixtures) {
    const content = readFileSync(join(dir, f.file), "utf8");
    const path = sampleOf(f.vendor).path;
    const mode = f.body ? "fields" : "raw"; // headers and body apart, as the split mode takes them
    if (!(await page.isChecked(`input[name=mode][value=${mode}]`))) await step(() => page.check(`input[name=mode][value=${mode}]`));
    if (f.body) {
      const body = readFileSync(join(dir, f.body), "utf8");
      await setForm({ vendor: f.vendor, keys: f.key, target: f.url ?? path, body, headers: content }, ["body", "headers"]);
    } else {
      await setForm({ vendor: f.vendor, keys: f.key, raw: content }, ["raw"]);
    }
    const v = await shown();
    assert.equal(v.state, "ok", `${f.file}: ${v.detail} ${v.code} ${v.parsed}`);
    assert.equal(await page.getAttribute("#parsed", "data-format"), f.format, f.file);
    assert.ok(v.parsed.startsWith(`Read as ${names[f.format]}`), `${f.file}: ${v.parsed}`);
    if (f.format === "har") assert.match(v.parsed, /^Read as a HAR entry \(2 of 3\)/);
    const cap = carehook.readCapture(readFileSync(join(dir, f.file)), { body: f.body ? readFileSync(join(dir, f.body)) : undefined });
    const want = carehook.verify({ vendor: f.vendor, keys: f.key, ...cap, url: cap.url ?? path, now });
    assert.deepEqual(JSON.parse(v.events[0]), want, f.file);
    assert.deepEqual({ id: want.id, type: want.type }, f.event);
    if (f.format === "curl" && f.vendor === "healthie") await shot("13-capture-curl");
  }
  // A file keeps its exact bytes too, whatever its form.
  if (!(await page.isChecked("input[name=mode][value=raw]"))) await step(() => page.check("input[name=mode][value=raw]"));
  const har = fixtures.find((f) => f.format === "har");
  await setForm({ vendor: har.vendor, keys: har.key }, ["keys"]);
  await step(() => page.setInputFiles("#raw-file", { name: har.file, mimeType: "application/json", buffer: readFileSync(join(dir, har.file)) }));
  assert.equal((await shown()).state, "ok");
  // Switching a pasted curl command to headers and body keeps what it says.
  const curl = fixtures.find((f) => f.format === "curl" && f.vendor === "healthie");
  await setForm({ vendor: curl.vendor, keys: curl.key, raw: readFileSync(join(dir, curl.file), "utf8") }, ["raw"]);
  await step(() => page.check("input[name=mode][value=fields]"));
  assert.equal(await page.inputValue("#target"), curl.url);
  assert.match(await page.inputValue("#headers"), /^signature-input: sig1=/m);
  assert.equal((await shown()).state, "ok");
  await step(() => page.check("input[name=mode][value=raw]"));
  assert.ok((await page.inputValue("#raw")).startsWith(`POST ${curl.url} HTTP/1.1\n`));
  assert.equal((await shown()).state, "ok");
  await step(() => page.check("input[name=clock][value=now]"));
});

test("line numbers beside the capture match the notes' line N, and a note's line is one click away", async () => {
  // An indented capture with a header line readCapture remarks on, and a very long line that wraps.
  const s = carehook.signedSample("github");
  const long = "x-long: " + "a".repeat(400);
  const text = carehook.toHttp({ method: "POST", url: s.path, headers: [...Object.entries(s.headers), ["x-bad header", "1"], ["x-long", long.slice(8)]], body: s.body });
  await setForm({ raw: text, vendor: "github", keys: s.verifyKey }, ["raw"]);
  await page.waitForFunction(() => document.querySelector("#mode-raw .gutter").children.length === document.getElementById("raw").value.split("\n").length);
  const cap = carehook.readCapture(text);
  const noted = cap.notes.find((n) => n.line !== null);
  assert.ok(noted, JSON.stringify(cap.notes));
  const g = await page.evaluate(() => {
    const rows = [...document.querySelectorAll("#mode-raw .gutter div")];
    return { numbers: rows.map((r) => r.textContent), heights: rows.map((r) => r.getBoundingClientRect().height),
      lh: parseFloat(getComputedStyle(document.getElementById("raw")).lineHeight) };
  });
  assert.deepEqual(g.numbers, text.split("\n").map((_, i) => String(i + 1)));
  const longLine = text.split("\n").findIndex((l) => l.startsWith("x-long"));
  assert.ok(g.heights[longLine] > g.lh * 2, "a wrapped line's number is as tall as the line");
  assert.ok(Math.abs(g.heights[0] - g.lh) < 1);
  // The gutter's rows add up to the text box's own content, so row N sits beside line N.
  const fit = await page.evaluate(() => {
    const t = document.getElementById("raw");
    const rows = [...document.querySelectorAll("#mode-raw .gutter div")].reduce((a, r) => a + r.getBoundingClientRect().height, 0);
    const cs = getComputedStyle(t);
    return { rows, content: t.scrollHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom) };
  });
  assert.ok(Math.abs(fit.rows - fit.content) < 2, JSON.stringify(fit));
  await page.click(`#parsed button[data-line="${noted.line}"]`);
  const sel = await page.evaluate(() => {
    const t = document.getElementById("raw");
    return { focused: document.activeElement === t, text: t.value.slice(t.selectionStart, t.selectionEnd) };
  });
  assert.equal(sel.focused, true);
  assert.equal(sel.text, text.split("\n")[noted.line - 1]);
  // Scrolled, the numbers follow the text.
  await page.evaluate(() => { document.getElementById("raw").scrollTop = 60; document.getElementById("raw").dispatchEvent(new Event("scroll")); });
  assert.equal(await page.evaluate(() => document.querySelector("#mode-raw .gutter").scrollTop), await page.evaluate(() => document.getElementById("raw").scrollTop));
  await shot("19-line-numbers");
  used.add("lines");
});

// ---- the request maker ---------------------------------------------------------------------------------------

test("make a test request: the curl line reaches a real endpoint that verifies it; it opens in the inspector", async () => {
  // An endpoint on 127.0.0.1 that verifies with the package in Node, as a receiver would (every event of a batch).
  let lastKey = "";
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const vendor = req.headers["x-expect"];
      try {
        const all = carehook.verifyAll({ keys: [lastKey], vendor, method: req.method, url: req.url,
          headers: req.headers, body: new Uint8Array(Buffer.concat(chunks)) });
        received.push(all.events.map((e) => e.type).join(","));
        res.writeHead(sampleOf(vendor).acceptedStatus).end();
      } catch (e) {
        received.push(e.code ?? "error");
        res.writeHead(401).end(e.code ?? "error");
      }
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const target = `http://127.0.0.1:${server.address().port}`;
  const curl = (line) => new Promise((ok) => execFile("bash", ["-c", line + " -w ' %{http_code}'"], { timeout: 10_000 },
    (err, stdout) => ok(err ? `failed: ${err.message.split("\n")[0]}` : stdout)));
  try {
    await page.fill("#make-url", target);
    for (const s of SAMPLES) {
      await page.selectOption("#make-vendor", s.vendor);
      assert.equal(await page.inputValue("#make-path"), s.path);
      const headers = await page.textContent("#make-headers");
      const line = await page.textContent("#make-curl");
      assert.ok(line.startsWith(`curl -sS -X POST ${target}${s.path} `), line);
      lastKey = await page.textContent("#make-verify-key");
      assert.equal(lastKey, s.verifyKey);
      for (const name of Object.keys(carehook.signedSample(s.vendor).headers)) {
        if (name !== "content-length") assert.match(headers, new RegExp(`^${name}: `, "m"), `${s.vendor} ${name}`);
      }
      const out = await curl(line.replace(/^curl /, `curl -H 'x-expect: ${s.vendor}' `));
      assert.match(out, new RegExp(` ${s.acceptedStatus}$`), `${s.vendor}: ${out}`);
    }
    assert.equal(received.length, SAMPLES.length);
    assert.ok(received.every((r) => r.includes(".")), `every request gave events: ${received.join(" ")}`);
    await page.selectOption("#make-vendor", "github");
    await page.fill("#make-body", '{"action":"opened","issue":{"number":7},"repository":{"full_name":"acme/care"}}');
    await shot("07-make-request");
    await step(() => page.click("#make-open"));
    let v = await shown();
    assert.equal(v.state, "ok", v.detail);
    assert.equal(await page.inputValue("#vendor"), "github");
    assert.equal(JSON.parse(v.events[0]).vendor, "github");
    // A good signature over a body that is not the vendor's JSON: refused, and the page says the signature was good.
    await page.fill("#make-body", "not json");
    await step(() => page.click("#make-open"));
    v = await shown();
    assert.equal(v.state, "refused");
    assert.equal(v.title, "Signature good, but refused");
    assert.equal(v.code, "invalid_payload");
    assert.equal((await nodeView(v.detail)).verified, true);
    await shot("08-refused-payload");
    // A signing key that cannot sign is reported without being repeated.
    await page.selectOption("#make-vendor", "elation");
    await page.fill("#make-key", "not-a-private-key");
    const error = await page.textContent("#make-error");
    assert.match(error, /^Cannot sign: /);
    assert.doesNotMatch(error, /not-a-private-key/);
    assert.equal(await page.getAttribute("#make-key", "aria-invalid"), "true");
    assert.equal(await page.textContent("#make-curl"), "—");
    await page.selectOption("#make-vendor", "github");
  } finally {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  }
  used.add("maker");
});

// ---- never losing input, keys ---------------------------------------------------------------------------------

test("loading a sample over your own request can be undone; flipping between samples asks nothing", async () => {
  await sample("github");
  await sample("stripe");
  assert.equal(await page.isVisible("#undo"), false, "a sample replacing a sample needs no undo");
  const mine = "POST /in/mine HTTP/1.1\nx-hub-signature-256: sha256=" + "0".repeat(64) + "\n\n{\"mine\":true}";
  await step(() => page.fill("#raw", mine));
  await step(() => page.fill("#keys", "my own secret"));
  await step(() => page.selectOption("#vendor", "github"));
  await sample("elation");
  assert.equal(await page.isVisible("#undo"), true);
  assert.equal(await page.textContent("#undo-text"), "Your request was replaced by the Elation sample.");
  assert.equal((await shown()).state, "ok");
  await step(() => page.click("#undo-button"));
  assert.equal(await page.inputValue("#raw"), mine);
  assert.equal(await page.inputValue("#keys"), "my own secret");
  assert.equal(await page.inputValue("#vendor"), "github");
  assert.equal(await page.isVisible("#undo"), false);
  assert.equal((await shown()).code, "signature_mismatch");
  // Clear can be undone the same way.
  await step(() => page.click("#clear"));
  assert.equal((await shown()).state, "idle");
  await step(() => page.click("#undo-button"));
  assert.equal(await page.inputValue("#raw"), mine);
  used.add("undo");
});

test("keys are masked until shown", async () => {
  await sample("stripe");
  const security = () => page.evaluate(() => getComputedStyle(document.getElementById("keys")).webkitTextSecurity);
  assert.equal(await security(), "disc");
  assert.equal(await page.isChecked("#show-keys"), false);
  await page.check("#show-keys");
  assert.equal(await security(), "none");
  assert.equal((await shown()).state, "ok", "showing the keys changes nothing else");
  await page.uncheck("#show-keys");
  assert.equal(await security(), "disc");
  used.add("mask");
});

// ---- access --------------------------------------------------------------------------------------------------

test("keyboard: Tab reaches the samples with a visible focus ring, Enter loads one", async () => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.click("h1"); // moves the point Tab starts from to the top of the page
  let vendor = null;
  for (let i = 0; i < 20 && !vendor; i++) {
    await page.keyboard.press("Tab");
    vendor = await page.evaluate(() => document.activeElement?.closest("#sample-list") ? document.activeElement.dataset.vendor : null);
  }
  assert.equal(vendor, SAMPLES[0].vendor);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, "solid");
  await step(() => page.keyboard.press("Enter"));
  const v = await shown();
  assert.equal(v.state, "ok");
  assert.equal(JSON.parse(v.events[0]).vendor, vendor);
  // Every form control has a label a screen reader can announce.
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")].filter((e) => e.labels.length === 0).map((e) => e.id || e.name));
  assert.deepEqual(unlabelled, []);
});

/** The accessible names of the visible buttons (aria-label, aria-labelledby, or their text). */
const buttonNames = () => page.evaluate(() => [...document.querySelectorAll("button")]
  .filter((b) => b.getClientRects().length > 0)
  .map((b) => (b.getAttribute("aria-label") ?? (b.getAttribute("aria-labelledby") ? b.getAttribute("aria-labelledby").split(" ").map((id) => document.getElementById(id).textContent).join(" ") : b.textContent)).trim().replace(/\s+/g, " ")));

test("one polite live region, for the verdict; distinct button names; code fields leave text alone", async () => {
  const regions = await page.evaluate(() => [...document.querySelectorAll("[aria-live], [role=status], [role=alert], [role=log], [role=marquee], [role=timer], output")]
    .map((e) => `${e.id}:${e.getAttribute("aria-live") ?? e.getAttribute("role")}`));
  assert.deepEqual(regions, ["verdict-live:polite"]);
  assert.ok(await page.evaluate(() => document.getElementById("verdict-live").contains(document.getElementById("verdict-title"))));
  for (const state of ["fitbit", "stripe-fail", "choose"]) {
    if (state === "fitbit") await sample("fitbit");
    if (state === "stripe-fail") {
      await sample("stripe");
      await step(() => page.fill("#clock-unix", String(Math.floor(Date.now() / 1000) + 1000)));
    }
    if (state === "choose") await step(() => page.selectOption("#vendor", ""));
    const names = await buttonNames();
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    assert.deepEqual(dupes, [], `${state}: ${names.join(" | ")}`);
    assert.ok(!names.includes("Copy"), state);
  }
  await step(() => page.check("input[name=clock][value=now]"));
  const fields = await page.evaluate(() => [...document.querySelectorAll("input.mono, textarea")].map((e) => ({
    id: e.id, spellcheck: e.getAttribute("spellcheck"), autocapitalize: e.getAttribute("autocapitalize"),
    autocorrect: e.getAttribute("autocorrect"), autocomplete: e.getAttribute("autocomplete") })));
  assert.ok(fields.length >= 12);
  for (const f of fields) assert.deepEqual(f, { id: f.id, spellcheck: "false", autocapitalize: "off", autocorrect: "off", autocomplete: "off" });
});

/** Each visible text box, select and button's edge against what is behind it: [id or text, contrast]. */
const edgeContrasts = () => page.evaluate(() => {
  const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const behind = (e) => {
    for (let n = e.parentElement; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("input:not([type=radio]):not([type=checkbox]):not([type=file]), select, textarea, button:not(.link)")]
    .filter((e) => e.getClientRects().length > 0)
    .map((e) => {
      const s = getComputedStyle(e);
      const edge = s.borderTopStyle === "none" || parseFloat(s.borderTopWidth) === 0 ? rgb(s.backgroundColor).slice(0, 3) : rgb(s.borderTopColor).slice(0, 3);
      return [e.id || e.textContent.trim(), Math.round(ratio(edge, behind(e)) * 100) / 100];
    });
});

test("form controls' edges have 3:1 contrast or more, light and dark", async () => {
  await sample("stripe");
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    const weak = (await edgeContrasts()).filter(([, c]) => c < 3);
    assert.deepEqual(weak, [], scheme);
  }
  await page.emulateMedia({ colorScheme: "light" });
});

test("axe-core finds no violation, light and dark, idle, verified, failed and choosing", async () => {
  const states = {
    idle: () => step(() => page.click("#clear")),
    verified: () => sample("fitbit"),
    failed: async () => {
      await sample("healthie");
      await setRaw((raw) => raw.replace("POST /in/healthie", "POST /elsewhere"));
    },
    choosing: async () => {
      await sample("github");
      await step(() => page.selectOption("#vendor", ""));
    },
  };
  const found = [];
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, reach] of Object.entries(states)) {
      await reach();
      if (name === "failed") await page.evaluate(() => (document.getElementById("read").open = true));
      for (const v of await axeViolations(page)) found.push(`${scheme} ${name}: ${v}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  assert.deepEqual(found, []);
  used.add("axe");
});

// ---- layout --------------------------------------------------------------------------------------------------

test("no layout jump: the form and the verdict keep their place across results", async () => {
  await page.setViewportSize(WIDE);
  const measure = () => page.evaluate(() => ({
    form: document.getElementById("raw").getBoundingClientRect().top + scrollY,
    keys: document.getElementById("keys").getBoundingClientRect().top + scrollY,
    verdict: document.getElementById("verdict").getBoundingClientRect().top + scrollY,
  }));
  await step(() => page.click("#clear"));
  assert.equal((await shown()).state, "idle");
  const idle = await measure();
  await sample("healthie");
  assert.deepEqual(await measure(), idle);
  await setRaw((raw) => raw.replace("POST /in/healthie", "POST /elsewhere"));
  assert.equal((await shown()).state, "fail");
  assert.deepEqual(await measure(), idle);
  await sample("fitbit");
  assert.deepEqual(await measure(), idle);
  await step(() => page.selectOption("#vendor", ""));
  assert.deepEqual(await measure(), idle);
});

test("readable from 320 to 390 px wide: nothing overflows sideways, in any state", async () => {
  const states = [
    ["verified", () => sample("fitbit")],
    ["failed", async () => {
      await sample("rfc9421");
      await setRaw((raw) => raw.replace('"', "'"));
      await page.evaluate(() => (document.getElementById("read").open = true));
    }],
    ["signed string", async () => {
      await sample("healthie");
      await setRaw((raw) => raw.replace("POST /in/healthie", "POST /elsewhere/with/a/rather/long/path/that/does/not/break"));
    }],
    ["choosing", async () => {
      await sample("junction");
      await step(() => page.selectOption("#vendor", ""));
    }],
  ];
  for (const width of [320, 360, 390]) {
    await page.setViewportSize({ width, height: 844 });
    for (const [name, reach] of states) {
      await reach();
      const overflow = await page.evaluate((w) => ({
        page: document.documentElement.scrollWidth,
        wide: [...document.querySelectorAll("main *, header *, footer *")].filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > w + 0.5)
          .filter((e) => !e.closest("pre, .mirror")).map((e) => e.id || e.className || e.tagName),
      }), width);
      assert.equal(overflow.page, width, `${width} ${name}`);
      assert.deepEqual(overflow.wide, [], `${width} ${name}`);
    }
  }
  await page.setViewportSize({ width: 390, height: 844 });
  await sample("medplum");
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot("09-narrow-390-top", { fullPage: false });
  await page.evaluate(() => document.getElementById("result").scrollIntoView());
  await shot("10-narrow-390-result", { fullPage: false });
  await shot("11-narrow-390-full");
  await page.setViewportSize(WIDE);
});

test("the dark colour scheme is applied and readable", async () => {
  await page.emulateMedia({ colorScheme: "dark" });
  await sample("photon");
  const colours = await page.evaluate(() => [getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]);
  assert.deepEqual(colours, ["rgb(18, 23, 28)", "rgb(227, 232, 237)"]);
  await shot("12-dark");
  await page.emulateMedia({ colorScheme: "light" });
});

// ---- privacy -------------------------------------------------------------------------------------------------

test("keys are stored only when asked, and forgotten when the box is unticked", async () => {
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  await page.fill("#keys", "whsec_remember_me");
  await page.check("#remember");
  assert.equal(await page.evaluate(() => localStorage.getItem("carehook.inspector.keys")), "whsec_remember_me");
  const second = await browser.context.newPage();
  await second.goto(`${browser.url}/`);
  await second.waitForSelector("body[data-ready=true]");
  assert.equal(await second.inputValue("#keys"), "whsec_remember_me");
  assert.equal(await second.isChecked("#remember"), true);
  await second.uncheck("#remember");
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  await second.reload();
  await second.waitForSelector("body[data-ready=true]");
  assert.equal(await second.inputValue("#keys"), "");
  assert.equal(await second.isChecked("#remember"), false);
  await second.close();
  await page.uncheck("#remember");
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  used.add("remember");
});

test("no request leaves the page after it has loaded, with every feature used", async () => {
  for (const f of ["signed time", "file", "copy event", "vector", "report", "lines", "maker", "undo", "mask", "axe", "remember"]) {
    assert.ok(used.has(f), `the ${f} test did not run before this one`);
  }
  const later = requests.filter((r) => r.phase !== "load");
  assert.deepEqual(later, [], JSON.stringify(later));
  assert.deepEqual(problems, []);
  // And the policy would stop one: a fetch and an image to another origin are refused before they are sent.
  const probe = await page.evaluate(async () => {
    const seen = [];
    document.addEventListener("securitypolicyviolation", (e) => seen.push(e.effectiveDirective));
    const fetched = await fetch("http://127.0.0.1:9/collect").then(() => "sent", () => "refused");
    await new Promise((ok) => {
      const img = new Image();
      img.onload = img.onerror = ok;
      img.src = "http://127.0.0.1:9/pixel.png";
    });
    await new Promise((ok) => setTimeout(ok, 50));
    return { fetched, seen };
  });
  assert.equal(probe.fetched, "refused");
  assert.deepEqual(probe.seen.sort(), ["connect-src", "img-src"]);
});

// ---- screenshots for the README and docs/ --------------------------------------------------------------------

test("screenshots: desktop light and dark, and a phone", async () => {
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await step(() => page.fill("#keys", ""));
  const frame = async (name) => {
    await page.evaluate(() => {
      document.activeElement?.blur();
      document.getElementById("undo-dismiss").click();
      window.scrollTo(0, 0);
    });
    const columns = await page.evaluate(() => document.querySelector("main > .columns").getBoundingClientRect().bottom + scrollY);
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.ceil(columns) + 16 } });
  };
  // Light: a Healthie request verified (what the README's caption says), with what was read and signed unfolded.
  await sample("healthie");
  await page.evaluate(() => {
    document.getElementById("checks").open = true;
    document.getElementById("read").open = true;
  });
  await frame("inspector");
  // Dark: a verified Fitbit batch, two CloudEvents.
  await page.emulateMedia({ colorScheme: "dark" });
  await sample("fitbit");
  await page.evaluate(() => (document.getElementById("checks").open = true));
  await frame("inspector-dark");
  await page.emulateMedia({ colorScheme: "light" });
  // A phone: the verdict for a capture checked after its tolerance, with the one-click check at the signed time.
  await page.setViewportSize({ width: 390, height: 844 });
  await sample("standard");
  await step(() => page.fill("#clock-unix", String(Math.floor(Date.now() / 1000) + 900)));
  await page.evaluate(() => {
    document.getElementById("undo-dismiss").click();
    document.activeElement?.blur();
    document.getElementById("result").scrollIntoView();
  });
  await page.screenshot({ path: join(SHOTS, "inspector-phone.png") });
  await step(() => page.check("input[name=clock][value=now]"));
  await page.setViewportSize(WIDE);
  // CAREHOOK_DOCS_SHOTS=1 puts these three in docs/ (the README shows docs/inspector.png).
  if (process.env.CAREHOOK_DOCS_SHOTS === "1") {
    for (const name of ["inspector", "inspector-dark", "inspector-phone"]) copyFileSync(join(SHOTS, `${name}.png`), join(ROOT, "docs", `${name}.png`));
  }
});
