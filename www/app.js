// The inspector page: reads the form, asks the carehook package (WebAssembly, loaded from ./pkg/) to read the
// captured request (readCapture, as the CLI does) and inspect it, and shows what it reports. Nothing here talks to
// the network.
import { fromLocalInput, keyNotes, reindent, splitKeys, toLocalInput } from "./form.js";

const NAMES = {
  elation: "Elation", elmed: "ELMED", healthie: "Healthie", mycure: "MYCURE", standard: "Standard Webhooks",
  svix: "Svix", stripe: "Stripe", akute: "Akute", github: "GitHub", athenahealth: "athenahealth", medplum: "Medplum",
  metriport: "Metriport", photon: "Photon",
};
// How each form readCapture reads is named in the page.
const FORMATS = {
  http: "a raw HTTP request", headers: "headers", curl: "a curl command", har: "a HAR entry",
  devtools: "developer tools' request headers", json: "a JSON log line", body: "a body alone",
};
const STORE = "carehook.inspector.keys";
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const $ = (id) => document.getElementById(id);
const nameOf = (vendor) => NAMES[vendor] ?? vendor;

let api = null;
let samples = [];
// Exact bytes from a loaded file, kept until the text that shows them is edited (a text box turns CRLF into LF).
const pinned = { raw: null, body: null };

// ---- reading the form ----------------------------------------------------------------------------------------

const mode = () => document.querySelector("input[name=mode]:checked").value;

/** The request the form holds (in one input mode), as readCapture reads it; the method and target default to POST /. */
function currentRequest(from = mode()) {
  if (from === "raw") {
    const cap = api.readCapture(pinned.raw ?? $("raw").value);
    const notes = cap.notes.map((n) => (n.message.startsWith("no request line") ? { ...n, message: "no request line: POST / assumed" } : n));
    if (cap.url === null && cap.headers.length > 0 && notes.length === cap.notes.length && !cap.notes.some((n) => n.message.startsWith("no request line"))) {
      notes.push({ line: null, message: "no request line: POST / assumed" });
    }
    return { ...cap, method: cap.method ?? "POST", url: cap.url ?? "/", body: cap.body ?? new Uint8Array(0), notes };
  }
  const body = pinned.body ?? encoder.encode($("body").value);
  const cap = api.readCapture($("headers").value, { body });
  const method = $("method").value.trim().toUpperCase() || "POST";
  const url = $("target").value.trim() || "/";
  const notes = [...cap.notes];
  if (cap.url !== null && cap.url !== url) notes.push({ line: null, message: `the headers name ${cap.url}: the Path field is used` });
  return { ...cap, method, url, notes };
}

function isEmpty() {
  if (mode() === "raw") return !pinned.raw && $("raw").value.trim() === "";
  return !pinned.body && $("headers").value.trim() === "" && $("body").value === "";
}

function clockNow() {
  if (document.querySelector("input[name=clock]:checked").value === "fixed") {
    const v = $("clock-unix").value.trim();
    if (/^\d{1,11}$/.test(v)) return Number(v);
  }
  return Math.floor(Date.now() / 1000);
}

function tolerance() {
  const v = $("tolerance").value.trim();
  const ok = v === "" || /^\d{1,9}$/.test(v);
  $("tolerance").setAttribute("aria-invalid", String(!ok));
  return ok && v !== "" ? Number(v) : undefined;
}

/** The options `inspect` and `verify` take, from the form. */
function currentOptions() {
  const req = currentRequest();
  const opts = {
    keys: splitKeys($("keys").value),
    method: req.method,
    url: req.url,
    headers: req.headers,
    body: req.body,
    now: clockNow(),
    tolerance: tolerance(),
  };
  if ($("vendor").value) opts.vendor = $("vendor").value;
  if ($("public-path").value !== "") opts.publicPath = $("public-path").value;
  return { req, opts };
}

// ---- showing a result ----------------------------------------------------------------------------------------

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

function showParsed(req) {
  const n = req.headers.length;
  const entry = req.entries > 1 ? ` (${req.entry + 1} of ${req.entries})` : "";
  const line = `${req.method} ${req.url} · ${n} header${n === 1 ? "" : "s"} · body ${req.body.length} bytes`;
  $("parsed").dataset.format = req.format;
  $("parsed").replaceChildren(
    el("span", { class: "format", id: "format" }, `Read as ${FORMATS[req.format] ?? req.format}${entry}`), " · ", line,
    ...req.notes.map((note) => el("span", { class: "note" }, `⚠ ${note.line === null ? "" : `line ${note.line}: `}${note.message}`)),
  );
}

function showKeys(keys, matched) {
  $("key-notes").replaceChildren(
    ...keys.map((key, i) => {
      const notes = keyNotes(key);
      const bytes = encoder.encode(key).length;
      const parts = [`#${i + 1}`, `${bytes} byte${bytes === 1 ? "" : "s"}`, ...notes];
      if (matched === i + 1) parts.push("matched");
      const cls = matched === i + 1 ? "matched" : notes.length ? "warn" : "";
      return el("li", { class: cls }, parts.join(" · "));
    }),
  );
}

function setVerdict(state, title, ...parts) {
  $("verdict").dataset.state = state;
  $("verdict-title").textContent = title;
  const spans = parts.filter(Boolean).map((p) => el("span", {}, p));
  $("verdict-detail").replaceChildren(...spans.flatMap((s, i) => (i ? [" · ", s] : [s])));
}

function showEvent(text) {
  $("event").textContent = text ?? "—";
  $("copy-event").disabled = text === null;
  $("copy-event-status").textContent = "";
}

function showIdle() {
  $("vendor").options[0].textContent = "Detect from the headers";
  setVerdict("idle", "Nothing to check yet");
  $("verdict-detail").textContent = "Paste a request and a key, or pick a sample.";
  $("problem").hidden = true;
  $("steps").replaceChildren(el("li", { class: "empty" }, "Each check appears here, in the order carehook makes it."));
  $("parsed").replaceChildren();
  delete $("parsed").dataset.format;
  showKeys(splitKeys($("keys").value), null);
  showEvent(null);
}

function showReport(report, eventText, now) {
  const how = report.vendor && report.detected && !$("vendor").value ? " (detected from the headers)" : "";
  const vendor = report.vendor ? nameOf(report.vendor) + how : "no vendor";
  const at = `clock ${new Date(now * 1000).toISOString().replace(".000Z", "Z")}`;
  if (report.ok) {
    const key = report.matched_key ? `key #${report.matched_key} matched` : "no key needed";
    setVerdict("ok", "✓ Verified", vendor, key, report.event?.type, at);
  } else if (report.verified) {
    setVerdict("refused", "Signature good, but refused", vendor, report.error.code, at);
  } else {
    setVerdict("fail", "✗ Not verified", vendor, report.error?.code ?? "error", at);
  }

  const err = report.error;
  $("problem").hidden = !err;
  if (err) {
    $("error-code").textContent = err.code;
    $("error-message").textContent = err.message;
    $("hint").textContent = err.hint ?? "";
    $("hint").hidden = !err.hint;
    $("diagnosis").replaceChildren(...(report.diagnosis ?? []).map((d) => el("li", {}, d)));
  }

  const steps = (report.steps ?? []).map((s) =>
    el("li", { "data-ok": String(s.ok) },
      el("span", { class: "mark", "aria-label": s.ok ? "passed" : "failed" }, s.ok ? "✓" : "✗"),
      el("span", { class: "check-name" }, s.check),
      el("span", { class: "detail" }, s.detail)),
  );
  if (steps.length === 0) steps.push(el("li", { class: "empty" }, "No check ran: the configuration was refused before the request was read."));
  $("steps").replaceChildren(...steps);
  showEvent(eventText === null ? null : reindent(eventText));
}

let timer = 0;
let runs = 0;
function schedule() {
  clearTimeout(timer);
  timer = setTimeout(run, 120);
}

function run() {
  clearTimeout(timer);
  if (!api) return;
  document.body.dataset.runs = String(++runs); // lets a reader (or a test) tell one result from the next
  if (isEmpty()) return showIdle();
  const { req, opts } = currentOptions();
  if (document.querySelector("input[name=clock]:checked").value === "now") setClock(opts.now); // shows the time used
  const detected = api.detectVendor(req.headers);
  $("vendor").options[0].textContent = detected ? `Detected: ${nameOf(detected)}` : "Detect (none found)";
  showParsed(req);
  const report = api.inspect(opts);
  let eventText = null;
  if (report.ok) {
    try {
      // The event as carehook serializes it, so numbers keep their exact text.
      eventText = new api.Verifier(opts).verifyToJSON(opts);
    } catch {
      eventText = JSON.stringify(report.event);
    }
  }
  showKeys(opts.keys, report.ok ? report.matched_key : null);
  showReport(report, eventText, opts.now);
}

// ---- filling the form ----------------------------------------------------------------------------------------

const formatHeaders = (headers) => headers.map(([n, v]) => `${n}: ${v}`).join("\n");

/** Whether a text box can hold these bytes exactly (UTF-8, and no CR, which a text box turns into LF). */
function fitsTextBox(bytes) {
  if (bytes.includes(13)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Puts a request into both input modes, so switching between them loses nothing. */
function setRequest({ method, url, headers, body }) {
  pinned.raw = pinned.body = null;
  $("raw").value = api.toHttp({ method, url, headers, body });
  $("method").value = method;
  $("target").value = url;
  $("headers").value = formatHeaders(headers);
  $("body").value = body;
  $("raw-file").value = "";
  $("file-status").textContent = "";
}

function vendorFor(vendor, headers) {
  return api.detectVendor(headers) === vendor ? "" : vendor;
}

function loadSample(vendor) {
  const s = api.signedSample(vendor, { now: clockNow() });
  setRequest({ method: s.method, url: s.path, headers: Object.entries(s.headers), body: s.body });
  $("keys").value = s.verifyKey;
  $("vendor").value = vendorFor(vendor, s.headers);
  $("public-path").value = "";
  run();
}

function switchMode() {
  const to = mode();
  $("mode-raw").hidden = to !== "raw";
  $("mode-fields").hidden = to !== "fields";
  if (to === "fields") {
    const r = currentRequest("raw");
    $("method").value = r.method;
    $("target").value = r.url;
    $("headers").value = formatHeaders(r.headers);
    $("body").value = decoder.decode(r.body);
    // Bytes a text box would change (a file's CRLFs, a curl $'...' body's) stay pinned.
    pinned.body = pinned.raw || !fitsTextBox(r.body) ? r.body : null;
  } else {
    const headers = api.readCapture($("headers").value, { body: "" }).headers;
    const req = { method: $("method").value || "POST", url: $("target").value || "/", headers };
    $("raw").value = api.toHttp({ ...req, body: $("body").value });
    if (pinned.body) {
      const head = encoder.encode(api.toHttp({ ...req, body: "" }));
      pinned.raw = new Uint8Array(head.length + pinned.body.length);
      pinned.raw.set(head);
      pinned.raw.set(pinned.body, head.length);
    } else {
      pinned.raw = null;
    }
  }
  run();
}

async function loadFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  pinned.raw = bytes;
  pinned.body = null;
  $("raw").value = new TextDecoder().decode(bytes);
  $("file-status").textContent = `${file.name}: ${bytes.length} bytes, used exactly; editing the text replaces them.`;
  run();
}

function setClock(seconds) {
  $("clock-unix").value = String(seconds);
  $("clock-date").value = toLocalInput(seconds);
}

function fixClock() {
  document.querySelector("input[name=clock][value=fixed]").checked = true;
}

// ---- remembering keys (only when asked) ----------------------------------------------------------------------

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null; // storage disabled: the box then does nothing
  }
}

function restoreKeys() {
  const saved = storage()?.getItem(STORE);
  if (saved === null || saved === undefined) return;
  $("keys").value = saved;
  $("remember").checked = true;
}

function rememberKeys() {
  const s = storage();
  if (!s) return;
  if ($("remember").checked) s.setItem(STORE, $("keys").value);
  else s.removeItem(STORE);
}

// ---- the test request maker ----------------------------------------------------------------------------------

function makerSample() {
  return samples.find((s) => s.vendor === $("make-vendor").value);
}

function fillMaker() {
  const s = makerSample();
  if (!s) return;
  $("make-path").value = s.path;
  $("make-key").value = s.signingKey;
  $("make-body").value = s.body;
  sign();
}

/** The request the maker describes, signed now; null (with the reason shown) when it cannot be signed. */
function signed() {
  const s = makerSample();
  const vendor = $("make-vendor").value;
  const path = $("make-path").value || "/";
  const body = encoder.encode($("make-body").value);
  try {
    const verifyKey = api.verifyKey(vendor, $("make-key").value);
    const headers = { ...Object.fromEntries(s?.headers ?? []), ...api.sign({ vendor, key: $("make-key").value, body, path }) };
    $("make-error").textContent = "";
    return { vendor, path, headers, body: $("make-body").value, verifyKey };
  } catch (e) {
    $("make-error").textContent = `Cannot sign: ${e.message}${e.hint ? ` (${e.hint})` : ""}`;
    return null;
  }
}

function sign() {
  const r = signed();
  $("make-verify-key").textContent = r ? r.verifyKey : "—";
  $("make-headers").textContent = r ? formatHeaders(Object.entries(r.headers)) : "—";
  const base = $("make-url").value.replace(/\/+$/, "");
  $("make-curl").textContent = r ? api.toCurl({ method: "POST", url: base + r.path, headers: Object.entries(r.headers), body: r.body }) : "—";
  $("copy-curl").disabled = !r;
  $("copy-curl-status").textContent = "";
  return r;
}

function openInInspector() {
  const r = sign();
  if (!r) return;
  if (mode() !== "raw") {
    document.querySelector("input[name=mode][value=raw]").checked = true;
    $("mode-raw").hidden = false;
    $("mode-fields").hidden = true;
  }
  document.querySelector("input[name=clock][value=now]").checked = true;
  setRequest({ method: "POST", url: r.path, headers: Object.entries(r.headers), body: r.body });
  $("keys").value = r.verifyKey;
  $("vendor").value = vendorFor(r.vendor, r.headers);
  $("public-path").value = "";
  run();
  $("inspector").scrollIntoView({ block: "start" });
  $("raw").focus({ preventScroll: true });
}

// ---- copying -------------------------------------------------------------------------------------------------

async function copy(from, status) {
  const text = $(from).textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const range = document.createRange(); // older browsers, or a clipboard permission refused
    range.selectNodeContents($(from));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    document.execCommand("copy");
  }
  $(status).textContent = "Copied";
  setTimeout(() => ($(status).textContent = ""), 2000);
}

// ---- start ---------------------------------------------------------------------------------------------------

function wire() {
  const form = $("inspector");
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    run();
  });
  form.addEventListener("input", (e) => {
    const id = e.target.id;
    if (id === "raw") {
      pinned.raw = null;
      $("raw-file").value = "";
      $("file-status").textContent = "";
    }
    if (id === "body") pinned.body = null;
    if (id === "keys" && $("remember").checked) rememberKeys();
    if (id === "clock-unix") {
      const v = $("clock-unix").value.trim();
      if (/^\d{1,11}$/.test(v)) $("clock-date").value = toLocalInput(Number(v));
      fixClock();
    }
    if (id === "clock-date") {
      const s = fromLocalInput($("clock-date").value);
      if (s !== null) $("clock-unix").value = String(s);
      fixClock();
    }
    if (e.target.name === "mode" || e.target.type === "file") return;
    schedule();
  });
  form.addEventListener("change", (e) => {
    if (e.target.name === "mode") switchMode();
    else if (e.target.id === "raw-file" && e.target.files[0]) loadFile(e.target.files[0]);
    else if (e.target.id === "remember") rememberKeys();
    else if (e.target.name === "clock" || e.target.id === "vendor") run();
  });
  $("clear").addEventListener("click", () => {
    if (!api) return;
    setRequest({ method: "POST", url: "/", headers: [], body: "" });
    $("raw").value = "";
    $("vendor").value = "";
    $("public-path").value = "";
    run();
    $("raw").focus();
  });
  $("copy-event").addEventListener("click", () => copy("event", "copy-event-status"));
  $("copy-curl").addEventListener("click", () => copy("make-curl", "copy-curl-status"));
  $("make-vendor").addEventListener("change", fillMaker);
  for (const id of ["make-path", "make-key", "make-body", "make-url"]) $(id).addEventListener("input", sign);
  $("make-sign").addEventListener("click", sign);
  $("make-open").addEventListener("click", openInInspector);
}

async function start() {
  wire();
  setClock(Math.floor(Date.now() / 1000));
  restoreKeys();
  showIdle();
  try {
    api = await import("./pkg/index.browser.mjs");
  } catch (e) {
    $("load-status").textContent = `The verifier could not load (${e.message}). Serve this folder over HTTP with .wasm as application/wasm.`;
    $("load-status").classList.add("error");
    return;
  }
  samples = api.samples();
  const vendors = api.vendors();
  $("vendor").append(...vendors.map((v) => el("option", { value: v }, nameOf(v))));
  $("make-vendor").append(...samples.map((s) => el("option", { value: s.vendor }, nameOf(s.vendor))));
  $("sample-list").replaceChildren(
    ...samples.map((s) => {
      const b = el("button", { type: "button", "data-vendor": s.vendor }, nameOf(s.vendor));
      b.addEventListener("click", () => loadSample(s.vendor));
      return b;
    }),
  );
  $("load-status").textContent = `Verifier ready: ${vendors.length} vendors, running locally in WebAssembly.`;
  document.body.dataset.ready = "true";
  fillMaker();
  run();
}

start();
