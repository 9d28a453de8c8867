// The inspector page (www/) in headless Chromium, served from 127.0.0.1. Every result the page shows is checked
// against the same package running in Node; every request the page makes is recorded.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import * as carehook from "../../pkg/index.node.mjs";
import { buildWww, openBrowser, ROOT, SHOTS } from "./browser.mjs";

const WIDE = { width: 1280, height: 900 };
let browser, page;
let phase = "load";
const requests = []; // every request the main page made: { url, phase }
const problems = []; // uncaught errors and console errors

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
    const text = (id) => document.getElementById(id).textContent;
    return {
      state: document.getElementById("verdict").dataset.state,
      title: text("verdict-title"),
      detail: text("verdict-detail"),
      code: document.getElementById("problem").hidden ? null : text("error-code"),
      hint: document.getElementById("problem").hidden || document.getElementById("hint").hidden ? null : text("hint"),
      steps: [...document.querySelectorAll("#steps li[data-ok]")].map((li) => ({
        check: li.querySelector(".check-name").textContent, ok: li.dataset.ok === "true" })),
      event: text("event"),
      keys: [...document.querySelectorAll("#key-notes li")].map((li) => ({ text: li.textContent, cls: li.className })),
      parsed: text("parsed"),
    };
  });
}

/** The clock the page used for its last result (it prints it in the verdict). */
function clockOf(detail) {
  const m = /clock (\S+Z)/.exec(detail);
  assert.ok(m, detail);
  return Date.parse(m[1]) / 1000;
}

/** What the package says in Node about the request the page now holds (raw mode), with the page's keys and clock. */
async function nodeView(detail, extra = {}) {
  const raw = await page.inputValue("#raw");
  const keys = (await page.inputValue("#keys")).split("\n");
  const vendor = (await page.inputValue("#vendor")) || undefined;
  const publicPath = (await page.inputValue("#public-path")) || undefined;
  const r = carehook.readCapture(raw);
  const opts = { vendor, keys, method: r.method ?? "POST", url: r.url ?? "/", headers: r.headers, body: r.body, now: clockOf(detail), publicPath, ...extra };
  return carehook.inspect(opts);
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

// ---- tests ---------------------------------------------------------------------------------------------------

test("the page loads its own files only, under a strict Content-Security-Policy", async () => {
  await shot("01-empty");
  const loaded = requests.filter((r) => r.phase === "load");
  assert.ok(loaded.length >= 5, JSON.stringify(loaded));
  for (const r of loaded) assert.equal(new URL(r.url).origin, browser.url, r.url);
  assert.ok(loaded.some((r) => r.url.endsWith("/pkg/dist/carehook_bg.wasm")));
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', "content");
  for (const d of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'", "connect-src 'self'", "object-src 'none'"]) {
    assert.ok(csp.includes(d), `CSP lacks ${d}`);
  }
  assert.match(await page.textContent("#privacy"), /makes no network requests/);
  assert.match(await page.textContent("#load-status"), /Verifier ready: 13 vendors/);
});

test("every vendor's sample verifies in the page, and the page shows the package's event", async () => {
  const all = carehook.samples();
  assert.equal(await page.locator("#sample-list button").count(), all.length);
  assert.ok(all.length >= 13);
  for (const s of all) {
    await sample(s.vendor);
    const v = await shown();
    assert.equal(v.state, "ok", `${s.vendor}: ${v.detail} ${v.code}`);
    assert.equal(v.title, "✓ Verified");
    assert.ok(v.steps.length > 0 && v.steps.every((x) => x.ok), s.vendor);
    assert.equal(v.keys.length, 1);
    assert.match(v.keys[0].text, /^#1 · .* · matched$/);
    const event = JSON.parse(v.event);
    assert.equal(event.vendor, s.vendor);
    assert.equal(event.specversion, "1.0");
    // The same request through the package in Node gives the same event.
    const node = await nodeView(v.detail);
    assert.equal(node.ok, true, s.vendor);
    assert.deepEqual(event, node.event, s.vendor);
    assert.match(v.detail, new RegExp(`key #1 matched · ${event.type.replace(/\./g, "\\.")}`));
    if (s.vendor === "healthie") await shot("02-verified-healthie");
  }
});

test("the detected vendor is shown and can be overridden", async () => {
  await sample("github");
  assert.equal(await page.inputValue("#vendor"), "");
  assert.equal(await page.textContent("#vendor option[value='']"), "Detected: GitHub");
  await step(() => page.selectOption("#vendor", "stripe"));
  const v = await shown();
  const node = await nodeView(v.detail);
  assert.equal(node.vendor, "stripe");
  assert.equal(v.code, node.error.code);
  assert.equal(v.code, "missing_header");
  assert.match(v.detail, /^Stripe · missing_header/);
  await step(() => page.selectOption("#vendor", ""));
  assert.equal((await shown()).state, "ok");
});

test("a tampered body fails with the package's code and hint (signature_mismatch for signed bodies)", async () => {
  for (const s of carehook.samples()) {
    await sample(s.vendor);
    // Change one letter of the body, the way a proxy that re-encodes JSON would.
    await setRaw((raw) => {
      const at = raw.indexOf("\n\n") + 2;
      const i = raw.slice(at).search(/[a-y]/) + at;
      return raw.slice(0, i) + String.fromCharCode(raw.charCodeAt(i) + 1) + raw.slice(i + 1);
    });
    const v = await shown();
    const node = await nodeView(v.detail);
    assert.equal(v.state, node.ok ? "ok" : "fail", s.vendor);
    assert.equal(v.code, node.error?.code ?? null, s.vendor);
    assert.equal(v.hint, node.error?.hint ?? null, s.vendor);
    if (s.vendor === "healthie") assert.equal(v.code, "digest_mismatch");
    else if (s.vendor === "mycure") assert.equal(v.state, "ok"); // MYCURE signs nothing: the token in the path is the check
    else {
      assert.equal(v.code, "signature_mismatch", s.vendor);
      assert.ok(v.hint.length > 0);
      assert.ok(v.steps.some((x) => x.check === "signature" && !x.ok), s.vendor);
      assert.equal(v.event, "—");
    }
    if (s.vendor === "stripe") await shot("03-tampered-stripe");
  }
});

test("Healthie on a rewritten path fails, and passes once the public path is set", async () => {
  await sample("healthie");
  await setRaw((raw) => raw.replace("POST /in/healthie HTTP/1.1", "POST /internal/hooks/healthie HTTP/1.1"));
  let v = await shown();
  assert.equal(v.state, "fail");
  assert.equal(v.code, "signature_mismatch");
  assert.match(v.hint, /publicPath/);
  assert.equal(v.hint, (await nodeView(v.detail)).error.hint);
  await shot("04-healthie-rewritten-path");
  await step(() => page.fill("#public-path", "/in/healthie"));
  v = await shown();
  assert.equal(v.state, "ok", v.detail);
  assert.equal(JSON.parse(v.event).type, "healthie.appointment.created");
  await shot("05-healthie-public-path");
  await step(() => page.fill("#public-path", ""));
});

test("keys are used exactly as typed: whitespace is named, not trimmed; any key of the ring may match", async () => {
  await sample("stripe");
  const key = await page.inputValue("#keys");
  await step(() => page.fill("#keys", key + " "));
  let v = await shown();
  assert.equal(v.state, "fail");
  assert.equal(v.code, (await nodeView(v.detail)).error.code);
  assert.match(v.keys[0].text, /ends with whitespace/);
  assert.equal(v.keys[0].cls, "warn");
  await step(() => page.fill("#keys", `whsec_an_old_secret\n${key}`));
  v = await shown();
  assert.equal(v.state, "ok");
  assert.match(v.detail, /key #2 matched/);
  assert.deepEqual(v.keys.map((k) => k.cls), ["", "matched"]);
});

test("the clock: a fixed time outside the tolerance fails, a wider tolerance or now passes", async () => {
  await sample("standard");
  const now = Math.floor(Date.now() / 1000);
  await step(() => page.fill("#clock-unix", String(now + 1000)));
  assert.equal(await page.isChecked('input[name=clock][value=fixed]'), true);
  assert.equal(await page.inputValue("#clock-date"), new Date((now + 1000) * 1000).toISOString().slice(0, 19));
  let v = await shown();
  assert.equal(v.code, "timestamp_out_of_tolerance");
  assert.equal(clockOf(v.detail), now + 1000);
  await step(() => page.fill("#tolerance", "1200"));
  assert.equal((await shown()).state, "ok");
  await step(() => page.fill("#tolerance", "300"));
  assert.equal((await shown()).code, "timestamp_out_of_tolerance");
  await step(() => page.check('input[name=clock][value=now]'));
  v = await shown();
  assert.equal(v.state, "ok");
  assert.ok(Math.abs(clockOf(v.detail) - Date.now() / 1000) < 60);
});

test("headers and body typed separately verify the same, and convert both ways", async () => {
  await sample("svix");
  await step(() => page.check('input[name=mode][value=fields]'));
  assert.equal(await page.isVisible("#headers"), true);
  assert.match(await page.inputValue("#headers"), /^svix-signature: v1,/m);
  assert.equal((await shown()).state, "ok");
  const body = await page.inputValue("#body");
  await step(() => page.fill("#body", body.replace("{", "{ ")));
  assert.equal((await shown()).code, "signature_mismatch");
  await step(() => page.check('input[name=mode][value=raw]'));
  assert.ok((await page.inputValue("#raw")).endsWith(body.replace("{", "{ ")));
  assert.equal((await shown()).code, "signature_mismatch");
});

test("a body with CRLF line breaks: pasted text is flagged, a loaded file keeps the exact bytes", async () => {
  const s = carehook.samples().find((x) => x.vendor === "stripe");
  const body = JSON.stringify(JSON.parse(s.body), null, 2).replace(/\n/g, "\r\n");
  const bytes = new TextEncoder().encode(body);
  const headers = { ...carehook.sign({ vendor: "stripe", key: s.signingKey, body: bytes, path: s.path }), "content-length": String(bytes.length) };
  const raw = carehook.toHttp({ method: "POST", url: s.path, headers: Object.entries(headers), body });
  await step(() => page.fill("#keys", s.verifyKey));
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
});

test("the copy button copies the event exactly as shown", async () => {
  await sample("elmed");
  await page.click("#copy-event");
  await page.waitForSelector("#copy-event-status:text('Copied')");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, (await shown()).event);
  assert.equal(JSON.parse(copied).vendor, "elmed");
});

test("every captured-request fixture pasted into the page verifies, and the page names the form it read", async () => {
  const dir = join(ROOT, "tests", "fixtures", "capture");
  const { now, fixtures } = JSON.parse(readFileSync(join(dir, "fixtures.json"), "utf8"));
  const names = { http: "a raw HTTP request", headers: "headers", curl: "a curl command", har: "a HAR entry", devtools: "developer tools' request headers", json: "a JSON log line" };
  await step(() => page.fill("#clock-unix", String(now)));
  for (const f of fixtures) {
    const content = readFileSync(join(dir, f.file), "utf8");
    const path = carehook.samples().find((s) => s.vendor === f.vendor).path;
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
    assert.deepEqual(JSON.parse(v.event), want, f.file);
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
  await step(() => page.selectOption("#vendor", ""));
  await step(() => page.check("input[name=clock][value=now]"));
});

test("make a test request: the curl line reaches a real endpoint that verifies it; it opens in the inspector", async () => {
  // An endpoint on 127.0.0.1 that verifies with the package in Node, as a receiver would.
  let lastKey = "";
  const received = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      try {
        const event = carehook.verify({ keys: [lastKey], vendor: req.headers["x-expect"], method: req.method, url: req.url,
          headers: req.headers, body: new Uint8Array(Buffer.concat(chunks)) });
        received.push(event.type);
        res.writeHead(200).end(event.type);
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
    for (const s of carehook.samples()) {
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
      assert.match(out, / 200$/, `${s.vendor}: ${out}`);
    }
    assert.equal(received.length, carehook.samples().length);
    await page.selectOption("#make-vendor", "github");
    await page.fill("#make-body", '{"action":"opened","issue":{"number":7},"repository":{"full_name":"acme/care"}}');
    await shot("07-make-request");
    await step(() => page.click("#make-open"));
    let v = await shown();
    assert.equal(v.state, "ok", v.detail);
    assert.equal(JSON.parse(v.event).vendor, "github");
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
    assert.equal(await page.textContent("#make-curl"), "—");
  } finally {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  }
});

test("keyboard: Tab reaches the samples with a visible focus ring, Enter loads one", async () => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.click("h1"); // moves the point Tab starts from to the top of the page
  let vendor = null;
  for (let i = 0; i < 20 && !vendor; i++) {
    await page.keyboard.press("Tab");
    vendor = await page.evaluate(() => document.activeElement?.closest("#sample-list") ? document.activeElement.dataset.vendor : null);
  }
  assert.equal(vendor, carehook.samples()[0].vendor);
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, "solid");
  await step(() => page.keyboard.press("Enter"));
  const v = await shown();
  assert.equal(v.state, "ok");
  assert.equal(JSON.parse(v.event).vendor, vendor);
  // Every form control has a label a screen reader can announce.
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")].filter((e) => e.labels.length === 0).map((e) => e.id || e.name));
  assert.deepEqual(unlabelled, []);
});

test("no layout jump: the verdict box and the panel below keep their place across results", async () => {
  await page.setViewportSize(WIDE);
  const measure = () => page.evaluate(() => ({
    maker: document.getElementById("maker").getBoundingClientRect().top + scrollY,
    verdict: document.getElementById("verdict").getBoundingClientRect().height,
    result: document.getElementById("result").getBoundingClientRect().top + scrollY,
  }));
  await step(() => page.click("#clear"));
  assert.equal((await shown()).state, "idle");
  const idle = await measure();
  await sample("healthie");
  assert.deepEqual(await measure(), idle);
  await setRaw((raw) => raw.replace("POST /in/healthie", "POST /elsewhere"));
  assert.equal((await shown()).state, "fail");
  assert.deepEqual(await measure(), idle);
  await sample("elation");
  assert.deepEqual(await measure(), idle);
});

test("readable at 390px wide: nothing overflows sideways", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await sample("medplum");
  const overflow = await page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    wide: [...document.querySelectorAll("main *, header *")].filter((e) => e.getBoundingClientRect().right > 390.5)
      .map((e) => e.id || e.tagName),
  }));
  assert.equal(overflow.page, 390);
  assert.deepEqual(overflow.wide, []);
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

test("no request leaves the page after it has loaded", async () => {
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
});

test("a screenshot for the README", async () => {
  await page.setViewportSize({ width: 1200, height: 1400 });
  await page.evaluate(() => window.scrollTo(0, 0));
  await step(() => page.fill("#keys", ""));
  await sample("healthie");
  await page.evaluate(() => document.activeElement?.blur());
  const top = await page.locator(".top").boundingBox();
  const columns = await page.locator("main > .columns").boundingBox();
  await page.screenshot({ path: join(SHOTS, "inspector.png"), clip: { x: 0, y: 0, width: 1200, height: columns.y + columns.height + 16 - top.y } });
  await page.setViewportSize(WIDE);
});
