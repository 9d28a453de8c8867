// The inspector page: reads the form, asks the carehook package (WebAssembly, loaded from ./pkg/) to read the
// captured request (readCapture, as the CLI does) and inspect it, and shows what it reports: the answer first (the
// cause in plain words, then the fix), then the code, the checks, what was read and the events. Nothing here talks
// to the network.
import {
  checkedHeaders, fromLocalInput, joinParts, keyNotes, markdownReport, reindent, signedString, signedTime, splitKeys,
  testVector, toLocalInput,
} from "./form.js";

// Display names; a vendor the core adds later shows under its identifier until it gets one here.
const NAMES = {
  elation: "Elation", elmed: "ELMED", healthie: "Healthie", mycure: "MYCURE", standard: "Standard Webhooks",
  svix: "Svix", junction: "Junction", fasten: "Fasten", stripe: "Stripe", akute: "Akute", terra: "Terra",
  github: "GitHub", athenahealth: "athenahealth", medplum: "Medplum", metriport: "Metriport", photon: "Photon",
  "header-token": "Header token", drchrono: "DrChrono", fitbit: "Fitbit", fhir: "FHIR Subscriptions",
  rfc9421: "RFC 9421",
};
// How each form readCapture reads is named in the page.
const FORMATS = {
  http: "a raw HTTP request", headers: "headers", curl: "a curl command", har: "a HAR entry",
  devtools: "developer tools' request headers", json: "a JSON log line", body: "a body alone",
};
// Each refusal, said plainly: the verdict's first line. The core's message, diagnosis and hint follow it.
const HEADLINES = {
  missing_header: "✗ A header the signature needs is missing",
  malformed_header: "✗ A signature header cannot be read",
  invalid_key: "✗ The key cannot be used for this vendor",
  signature_mismatch: "✗ The signature does not match",
  timestamp_out_of_tolerance: "✗ The signed time is outside the tolerance",
  digest_mismatch: "✗ The body is not the one that was signed",
  token_mismatch: "✗ The token does not match",
  body_too_large: "✗ The body is larger than the limit",
  invalid_options: "✗ The settings cannot be used",
};
const STORE = "carehook.inspector.keys";
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const $ = (id) => document.getElementById(id);
const nameOf = (vendor) => NAMES[vendor] ?? vendor;
// The core's sentences start in lower case (they are also read in logs); the page shows them as sentences.
const sentence = (s) => (s ? s[0].toUpperCase() + s.slice(1) : s);
const iso = (seconds) => new Date(seconds * 1000).toISOString().replace(".000Z", "Z");

let api = null;
let samples = [];
// Exact bytes from a loaded file, kept until the text that shows them is edited (a text box turns CRLF into LF).
const pinned = { raw: null, body: null };
// The last result, for copying it.
let last = null;

// ---- reading the form ----------------------------------------------------------------------------------------

const mode = () => document.querySelector("input[name=mode]:checked").value;
const clockMode = () => document.querySelector("input[name=clock]:checked").value;

/** The request the form holds (in one input mode), as readCapture reads it; the method and target default to POST /. */
function currentRequest(from = mode()) {
  if (from === "raw") {
    const cap = api.readCapture(pinned.raw ?? $("raw").value);
    const notes = cap.notes.map((n) => (n.message.startsWith("no request line") ? { ...n, message: "no request line: POST / assumed" } : n));
    if (cap.url === null && cap.headers.length > 0 && !cap.notes.some((n) => n.message.startsWith("no request line"))) {
      notes.push({ line: null, message: "no request line: POST / assumed" });
    }
    return { ...cap, method: cap.method ?? "POST", url: cap.url ?? "/", body: cap.body ?? new Uint8Array(0), notes, source: "raw" };
  }
  const body = pinned.body ?? encoder.encode($("body").value);
  const cap = api.readCapture($("headers").value, { body });
  const method = $("method").value.trim().toUpperCase() || "POST";
  const url = $("target").value.trim() || "/";
  const notes = [...cap.notes];
  if (cap.url !== null && cap.url !== url) notes.push({ line: null, message: `the headers name ${cap.url}: the Path field is used` });
  return { ...cap, method, url, notes, source: "headers" };
}

function isEmpty() {
  if (mode() === "raw") return !pinned.raw && $("raw").value.trim() === "";
  return !pinned.body && $("headers").value.trim() === "" && $("body").value === "";
}

function clockNow() {
  if (clockMode() === "fixed") {
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
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

/** Selects line `n` (1-based) of a text box and brings it into view. */
function goToLine(textarea, n) {
  const lines = textarea.value.split("\n");
  const start = lines.slice(0, n - 1).reduce((a, l) => a + l.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[n - 1] ?? "").length);
  const lh = parseFloat(getComputedStyle(textarea).lineHeight) || 20;
  textarea.scrollTop = Math.max(0, (n - 3) * lh);
}

function showParsed(req) {
  const n = req.headers.length;
  const entry = req.entries > 1 ? ` (${req.entry + 1} of ${req.entries})` : "";
  const line = `${req.method} ${req.url} · ${n} header${n === 1 ? "" : "s"} · body ${req.body.length} bytes`;
  const box = req.source === "raw" ? $("raw") : $("headers");
  const linked = new Set();
  $("parsed").dataset.format = req.format;
  $("parsed").replaceChildren(
    el("span", { class: "format", id: "format" }, `Read as ${FORMATS[req.format] ?? req.format}${entry}`), " · ", line,
    ...req.notes.map((note) => {
      const first = note.line !== null && !linked.has(note.line);
      if (first) linked.add(note.line);
      return el("span", { class: "note" }, "⚠ ",
        note.line === null ? null
          : first ? el("button", { type: "button", class: "link", "data-line": String(note.line), onclick: () => goToLine(box, note.line) }, `line ${note.line}`)
          : `line ${note.line}`,
        note.line === null ? "" : ": ", note.message);
    }),
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

/** The verdict: its state, its first line, the cause (sentences), the fix, one-click actions and the detail line. */
function setVerdict({ state, title, cause = [], fix = null, actions = [], detail = [] }) {
  $("verdict").dataset.state = state;
  $("verdict-title").textContent = title;
  $("verdict-cause").replaceChildren(
    ...(cause.length > 1 ? [el("ul", {}, ...cause.map((c) => el("li", {}, sentence(c))))] : cause.map((c) => el("p", {}, sentence(c)))),
  );
  $("verdict-fix").hidden = !fix;
  $("verdict-fix").replaceChildren(...(fix ? [el("strong", {}, "Fix: "), sentence(fix)] : []));
  $("verdict-actions").hidden = actions.length === 0;
  $("verdict-actions").replaceChildren(...actions);
  const spans = detail.filter(Boolean).map((p) => el("span", {}, p));
  $("verdict-detail").replaceChildren(...spans.flatMap((s, i) => (i ? [" · ", s] : [s])));
}

function showEvents(events, texts) {
  $("events").hidden = events.length === 0;
  $("events").replaceChildren(
    ...events.map((event, i) => {
      const n = events.length > 1 ? ` ${i + 1}` : "";
      const title = events.length > 1 ? `CloudEvent ${i + 1} of ${events.length}` : "CloudEvent";
      const status = el("span", { class: "copied help", id: `copy-event${n.trim()}-status` });
      return el("article", { class: "event-box", "data-event": String(i) },
        el("div", { class: "event-head" },
          el("h3", { id: `event-title-${i}` }, title),
          el("code", { class: "event-type" }, event.type ?? ""),
          el("button", { type: "button", class: "small", "data-copy-event": String(i), onclick: () => copy(texts[i], status) }, `Copy event${n}`),
          status),
        el("pre", { class: "event mono", id: `event-${i}`, tabindex: "0", "aria-labelledby": `event-title-${i}` }, texts[i]));
    }),
  );
}

function showChecks(report, open) {
  const steps = (report.steps ?? []).map((s) =>
    el("li", { "data-ok": String(s.ok) },
      el("span", { class: "mark", "aria-label": s.ok ? "passed" : "failed", role: "img" }, s.ok ? "✓" : "✗"),
      el("span", { class: "check-name" }, s.check),
      el("span", { class: "detail" }, s.detail)),
  );
  const failed = (report.steps ?? []).filter((s) => !s.ok).length;
  const total = steps.length;
  if (total === 0) {
    steps.push(el("li", { class: "empty" }, report.vendor
      ? "No check ran: the configuration was refused before the request was read."
      : "No check ran: the scheme is the vendor's, and no vendor is chosen."));
  }
  $("checks-summary").textContent = total === 0 ? "none ran" : failed ? `${failed} of ${total} failed` : `all ${total} passed`;
  $("steps").replaceChildren(...steps);
  $("checks").open = open;
}

function showRead(req, report, signed, open) {
  $("read").hidden = false;
  $("read").open = open;
  const used = checkedHeaders(report);
  $("read-summary").textContent = `${req.headers.length} header${req.headers.length === 1 ? "" : "s"}${signed ? ", the signed string" : ""}`;
  $("request-line").textContent = `${req.method} ${req.url} · body ${req.body.length} bytes`;
  $("header-rows").replaceChildren(
    ...(req.headers.length
      ? req.headers.map(([n, v]) => el("tr", { class: used.has(n.toLowerCase()) ? "used" : null },
        el("th", { scope: "row" }, n, used.has(n.toLowerCase()) ? el("span", { class: "tag" }, "checked") : null),
        el("td", { class: "mono" }, v)))
      : [el("tr", {}, el("td", { colspan: "2", class: "help" }, "No headers were read."))]),
  );
  $("signed").hidden = !signed;
  if (signed) {
    $("signed-help").textContent = `${signed.scheme}: ${signed.about}. Rebuilt here from what was read; no key and no expected signature is shown.`;
    $("signed-string").replaceChildren(
      ...signed.forms.flatMap((f, i) => [
        ...(signed.forms.length > 1 ? [el("span", { class: "form-label" }, `form ${i + 1}${f.matched ? " (matched)" : ""}\n`)] : []),
        ...f.parts.map((p, k) => (p.sep !== undefined ? el("span", { class: "sep" }, p.sep)
          : el("span", { class: `part part-${((k / 2) % 3) + 1}`, title: p.label, "data-label": p.label }, p.text))),
        ...(i < signed.forms.length - 1 ? ["\n\n"] : []),
      ]),
    );
  }
}

function hideResultParts() {
  $("problem").hidden = true;
  $("handshake").hidden = true;
  $("read").hidden = true;
  $("share").hidden = true;
  showEvents([], []);
}

function showIdle() {
  last = null;
  setVerdict({ state: "idle", title: "Nothing to check yet", cause: ["Paste a request and a key, or pick a sample."] });
  hideResultParts();
  $("checks-summary").textContent = "";
  $("steps").replaceChildren(el("li", { class: "empty" }, "Each check appears here, in the order carehook makes it."));
  $("checks").open = true;
  $("parsed").replaceChildren();
  delete $("parsed").dataset.format;
  showKeys(splitKeys($("keys").value), null);
}

/** The HTTP status a receiver answers this refusal with (the vendor's own for an unauthentic request). */
function statusOf(vendor, keys, code) {
  try {
    if (vendor) return new api.Verifier({ vendor, keys }).httpStatus(code);
  } catch {
    // a key the core refuses: the generic mapping below
  }
  try {
    return api.httpStatus(code);
  } catch {
    return null;
  }
}

/** The events the request carries, each as text (the package's own serialization when there is one event). */
function eventsOf(report, opts) {
  const events = report.ok ? report.events ?? (report.event ? [report.event] : []) : [];
  let texts = events.map((e) => JSON.stringify(e));
  if (events.length === 1) {
    try {
      texts = [new api.Verifier(opts).verifyToJSON(opts)]; // numbers keep their exact text
    } catch {
      // verifyToJSON takes one event only; the report's is the same event
    }
  }
  return { events, texts: texts.map(reindent) };
}

const answered = (h) => `answered: ${h.status} ${h.body === "" ? "(empty body)" : h.body}`;

function showReport(req, opts, report) {
  const vendor = report.vendor;
  const vendorName = vendor ? nameOf(vendor) : "no vendor chosen";
  const clock = `clock ${iso(opts.now)}`;
  const { events, texts } = eventsOf(report, opts);
  const handshake = report.ok ? report.handshake ?? null : null;
  const sample = samples.find((s) => s.vendor === vendor);
  const signed = signedString({ report, method: req.method, url: req.url, headers: req.headers, body: req.body, publicPath: opts.publicPath });
  const err = report.error;
  let verdict;
  if (report.ok) {
    const key = report.matched_key ? `key #${report.matched_key} matched` : "no key needed";
    const what = events.length === 1 ? events[0].type : `${events.length} events`;
    const cause = [sample && sample.signsBody === false
      ? `The sender is authenticated; ${vendorName} does not sign the body, so fetch what it names before trusting it.`
      : `The body is exactly what ${vendorName} signed.`];
    if (handshake) cause.push(`A handshake: ${answered(handshake)}.`);
    verdict = { state: "ok", title: "✓ Verified", cause, detail: [vendorName, key, what, handshake ? answered(handshake) : null, clock] };
  } else if (!vendor && err?.code === "unsupported_vendor") {
    const actions = [];
    if (report.suggested) {
      const name = nameOf(report.suggested);
      actions.push(el("span", { class: "suggest" }, `Looks like ${name} —`),
        el("button", { type: "button", id: "use-suggested", "data-vendor": report.suggested, onclick: () => useVendor(report.suggested) }, `Use ${name}`));
    }
    const cause = report.diagnosis?.length ? report.diagnosis : ["Choose the vendor: its scheme is what verifies the request."];
    verdict = { state: "choose", title: "Choose the vendor", cause, actions, detail: [vendorName, clock] };
  } else {
    const at = err?.code === "timestamp_out_of_tolerance" ? signedTime(report) : null;
    const actions = at === null ? [] : [
      el("button", { type: "button", id: "check-signed-time", "data-time": String(at), onclick: () => checkAt(at) }, `Check at the signed time (${iso(at)})`),
    ];
    const cause = report.diagnosis?.length ? [...report.diagnosis] : [err?.message ?? "not verified"];
    verdict = {
      state: report.verified ? "refused" : "fail",
      title: report.verified ? "Signature good, but refused" : HEADLINES[err?.code] ?? "✗ Not verified",
      cause,
      fix: err?.hint ?? null,
      actions,
      detail: [vendorName, err?.code ?? "error", clock],
    };
  }
  setVerdict(verdict);

  const status = err && verdict.state !== "choose" ? statusOf(vendor, opts.keys, err.code) : null;
  $("problem").hidden = !err || verdict.state === "choose";
  if (err) {
    $("error-code").textContent = err.code;
    $("error-status").textContent = status ? `HTTP ${status}` : "";
    // The message is the cause when there is no diagnosis: then it is in the verdict already.
    $("error-message").textContent = report.diagnosis?.length ? sentence(err.message) : "";
    $("error-message").hidden = !report.diagnosis?.length;
  }
  $("handshake").hidden = !handshake;
  $("handshake").replaceChildren(...(handshake ? [el("span", { class: "label" }, "Handshake "), el("code", {}, answered(handshake))] : []));
  showChecks(report, !report.ok);
  showRead(req, report, signed, !report.ok && verdict.state !== "choose");
  showEvents(events, texts);
  $("share").hidden = false;
  last = { req, opts, report, events, handshake, signed, verdict, status, vendorName };
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
  if (clockMode() === "now") setClock(opts.now); // shows the time used
  showParsed(req);
  const report = api.inspect(opts);
  showKeys(opts.keys, report.ok ? report.matched_key : null);
  showReport(req, opts, report);
}

function useVendor(vendor) {
  $("vendor").value = vendor;
  run();
  $("vendor").focus({ preventScroll: true });
}

function checkAt(seconds) {
  fixClock();
  setClock(seconds);
  run();
}

// ---- filling the form (with an undo for what it replaces) ----------------------------------------------------

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

const FIELDS = ["raw", "method", "target", "headers", "body", "keys", "vendor", "public-path", "clock-unix", "clock-date", "tolerance"];

function snapshot() {
  return {
    mode: mode(),
    clock: clockMode(),
    values: Object.fromEntries(FIELDS.map((id) => [id, $(id).value])),
    pinned: { ...pinned },
    fileStatus: $("file-status").textContent,
  };
}

const sameRequest = (a, b) => a && b && a.mode === b.mode && ["raw", "method", "target", "headers", "body", "keys", "vendor", "public-path"]
  .every((id) => a.values[id] === b.values[id]) && a.pinned.raw === b.pinned.raw && a.pinned.body === b.pinned.body;

let loaded = null; // what the page itself last put in the form
let undoTo = null;

function restore(s) {
  document.querySelector(`input[name=mode][value=${s.mode}]`).checked = true;
  $("mode-raw").hidden = s.mode !== "raw";
  $("mode-fields").hidden = s.mode !== "fields";
  document.querySelector(`input[name=clock][value=${s.clock}]`).checked = true;
  for (const [id, v] of Object.entries(s.values)) $(id).value = v;
  pinned.raw = s.pinned.raw;
  pinned.body = s.pinned.body;
  $("file-status").textContent = s.fileStatus;
  $("raw-file").value = "";
  refreshGutters();
}

/** Replaces the form's request with `fill()`; what it replaced can be brought back unless it was the page's own. */
function replaceInput(what, fill) {
  const before = snapshot();
  const unsaved = !isEmpty() && !sameRequest(before, loaded);
  fill();
  loaded = snapshot();
  if (unsaved) {
    undoTo = before;
    $("undo-text").textContent = `Your request was replaced by ${what}.`;
    $("undo").hidden = false;
  } else {
    hideUndo();
  }
  refreshGutters();
  run();
}

function hideUndo() {
  undoTo = null;
  $("undo").hidden = true;
}

function undo() {
  if (!undoTo) return;
  restore(undoTo);
  loaded = null;
  hideUndo();
  run();
  $(mode() === "raw" ? "raw" : "headers").focus();
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

function loadSample(vendor) {
  replaceInput(`the ${nameOf(vendor)} sample`, () => {
    const s = api.signedSample(vendor, { now: clockNow() });
    setRequest({ method: s.method, url: s.path, headers: Object.entries(s.headers), body: s.body });
    $("keys").value = s.verifyKey;
    $("vendor").value = vendor; // configuration picks the scheme, as a receiver's does
    $("public-path").value = "";
  });
}

function switchMode() {
  const to = mode();
  const wasLoaded = loaded !== null && ["raw", "fields"].some((m) => sameRequest({ ...snapshot(), mode: m }, loaded));
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
  if (wasLoaded) loaded = snapshot(); // the same request, shown the other way
  refreshGutters();
  run();
}

async function loadFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  replaceInput(file.name, () => {
    pinned.raw = bytes;
    pinned.body = null;
    $("raw").value = new TextDecoder().decode(bytes);
    $("file-status").textContent = `${file.name}: ${bytes.length} bytes, used exactly; editing the text replaces them.`;
  });
}

function setClock(seconds) {
  $("clock-unix").value = String(seconds);
  $("clock-date").value = toLocalInput(seconds);
}

function fixClock() {
  document.querySelector("input[name=clock][value=fixed]").checked = true;
}

// ---- line numbers beside a text box: one per line of its text, as tall as that line wraps to ------------------

const gutters = [];

function gutter(textarea) {
  const box = textarea.closest(".code");
  const numbers = box.querySelector(".gutter");
  const mirror = el("div", { class: "mirror mono", "aria-hidden": "true" });
  box.append(mirror);
  let frame = 0;
  const measure = () => {
    frame = 0;
    if (textarea.offsetParent === null) return; // hidden: measured when shown
    const lines = textarea.value.split("\n");
    const cs = getComputedStyle(textarea);
    const lh = parseFloat(cs.lineHeight) || 20;
    const width = textarea.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    let heights;
    if (lines.length <= 2000) {
      mirror.style.width = `${width}px`;
      mirror.replaceChildren(...lines.map((l) => el("div", {}, l === "" ? "\u200b" : l)));
      heights = [...mirror.children].map((c) => c.getBoundingClientRect().height || lh);
      mirror.replaceChildren();
    } else {
      heights = lines.map(() => lh); // a very long capture: one row per line, unwrapped
    }
    box.style.setProperty("--gutter", `${String(lines.length).length + 1.5}ch`); // through the CSSOM, as below
    numbers.replaceChildren(...heights.map((h, i) => {
      const n = el("div", {}, String(i + 1));
      n.style.height = `${h}px`; // through the CSSOM: the page's policy refuses style attributes
      return n;
    }));
    numbers.scrollTop = textarea.scrollTop;
  };
  const update = () => {
    if (!frame) frame = requestAnimationFrame(measure);
  };
  textarea.addEventListener("input", update);
  textarea.addEventListener("scroll", () => (numbers.scrollTop = textarea.scrollTop));
  new ResizeObserver(update).observe(textarea);
  gutters.push(measure);
  measure();
}

function refreshGutters() {
  for (const g of gutters) g();
}

// ---- remembering keys (only when asked), and showing them ----------------------------------------------------

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

function maskKeys() {
  if (!CSS.supports("-webkit-text-security", "disc")) {
    // This browser cannot mask a text box: the keys stay visible, and the toggle would do nothing.
    $("keys").classList.remove("masked");
    $("show-keys-label").hidden = true;
    return;
  }
  $("keys").classList.toggle("masked", !$("show-keys").checked);
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
    $("make-key").removeAttribute("aria-invalid");
    return { vendor, path, headers, body: $("make-body").value, verifyKey };
  } catch (e) {
    $("make-error").textContent = `Cannot sign: ${e.message}${e.hint ? ` (${e.hint})` : ""}`;
    $("make-key").setAttribute("aria-invalid", "true");
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
  replaceInput(`the request made below (${nameOf(r.vendor)})`, () => {
    if (mode() !== "raw") {
      document.querySelector("input[name=mode][value=raw]").checked = true;
      $("mode-raw").hidden = false;
      $("mode-fields").hidden = true;
    }
    document.querySelector("input[name=clock][value=now]").checked = true;
    setRequest({ method: "POST", url: r.path, headers: Object.entries(r.headers), body: r.body });
    $("keys").value = r.verifyKey;
    $("vendor").value = r.vendor;
    $("public-path").value = "";
  });
  $("inspector").scrollIntoView({ block: "start" });
  $("raw").focus({ preventScroll: true });
}

// ---- copying and sharing -------------------------------------------------------------------------------------

async function copy(text, status) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Older browsers, or a clipboard permission refused: copy through a selection.
    const area = el("textarea", { class: "visually-hidden", "aria-hidden": "true", tabindex: "-1" });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  status.textContent = "Copied";
  setTimeout(() => (status.textContent = ""), 2000);
}

function vectorText() {
  const { req, opts, report, events, handshake } = last;
  const v = testVector({
    vendor: report.vendor ?? opts.vendor ?? "", keys: opts.keys, includeKeys: $("vector-keys").checked, method: req.method,
    url: req.url, headers: req.headers, body: req.body, now: opts.now, publicPath: opts.publicPath, tolerance: opts.tolerance,
    report, events, handshake,
  });
  return JSON.stringify(v, null, 2) + "\n";
}

function reportText() {
  const { req, opts, report, events, handshake, signed: s, verdict, status, vendorName } = last;
  return markdownReport({
    title: verdict.title, cause: verdict.cause, fix: verdict.fix, vendorName, report, request: req,
    formatName: FORMATS[req.format] ?? req.format, now: opts.now, tolerance: opts.tolerance, keys: opts.keys,
    includeBody: $("report-body").checked, events, handshake, signed: s, status,
  });
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
    if (["raw", "headers", "body", "method", "target", "keys"].includes(id)) hideUndo(); // typing makes it yours
    if (e.target.name === "mode" || e.target.type === "file" || id === "show-keys") return;
    schedule();
  });
  form.addEventListener("change", (e) => {
    if (e.target.name === "mode") switchMode();
    else if (e.target.id === "raw-file" && e.target.files[0]) loadFile(e.target.files[0]);
    else if (e.target.id === "remember") rememberKeys();
    else if (e.target.id === "show-keys") maskKeys();
    else if (e.target.name === "clock" || e.target.id === "vendor") run();
  });
  $("clear").addEventListener("click", () => {
    if (!api) return;
    replaceInput("an empty form", () => {
      setRequest({ method: "POST", url: "/", headers: [], body: "" });
      $("raw").value = "";
      $("vendor").value = "";
      $("public-path").value = "";
    });
    $("raw").focus();
  });
  $("undo-button").addEventListener("click", undo);
  $("undo-dismiss").addEventListener("click", hideUndo);
  $("copy-vector").addEventListener("click", () => last && copy(vectorText(), $("copy-vector-status")));
  $("copy-report").addEventListener("click", () => last && copy(reportText(), $("copy-report-status")));
  $("copy-curl").addEventListener("click", () => copy($("make-curl").textContent, $("copy-curl-status")));
  $("make-vendor").addEventListener("change", fillMaker);
  for (const id of ["make-path", "make-key", "make-body", "make-url"]) $(id).addEventListener("input", sign);
  $("make-sign").addEventListener("click", sign);
  $("make-open").addEventListener("click", openInInspector);
}

async function start() {
  wire();
  maskKeys();
  setClock(Math.floor(Date.now() / 1000));
  restoreKeys();
  gutter($("raw"));
  gutter($("headers"));
  try {
    api = await import("./pkg/index.browser.mjs");
  } catch (e) {
    $("load-status").textContent = `The verifier could not load (${e.message}). Serve this folder over HTTP with .wasm as application/wasm.`;
    $("load-status").classList.add("error");
    return;
  }
  showIdle();
  samples = api.samples();
  const vendors = api.vendors();
  $("vendor").append(...vendors.map((v) => el("option", { value: v }, nameOf(v))));
  $("make-vendor").append(...samples.map((s) => el("option", { value: s.vendor }, nameOf(s.vendor))));
  $("sample-list").replaceChildren(
    ...samples.map((s) => el("button", { type: "button", "data-vendor": s.vendor, onclick: () => loadSample(s.vendor) }, nameOf(s.vendor))),
  );
  $("lede").textContent = `Check a healthcare webhook's signature, see why it fails, and see the CloudEvents it becomes: ${vendors.length} senders, each verified exactly as it signs.`;
  $("load-status").textContent = `Verifier ready: ${vendors.length} vendors, running locally in WebAssembly.`;
  document.body.dataset.ready = "true";
  fillMaker();
  run();
}

start();
