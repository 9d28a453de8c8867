// Pure helpers for the inspector: JSON re-indentation that keeps every token's text, keys, the clock, the string a
// scheme signs, and a case written as a test vector or a Markdown report. No DOM here, so Node can test it. Reading
// and writing requests is the package's (readCapture, toHttp, toCurl).

/** JSON text re-indented by two spaces. Tokens keep their exact text (large integers stay exact). */
export function reindent(json) {
  let out = "";
  let depth = 0;
  let inString = false;
  const pad = () => "\n" + "  ".repeat(depth);
  for (let i = 0; i < json.length; i++) {
    const ch = json[i];
    if (inString) {
      out += ch;
      if (ch === "\\") out += json[++i] ?? "";
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch === "{" || ch === "[") {
      const close = ch === "{" ? "}" : "]";
      let j = i + 1;
      while (/\s/.test(json[j] ?? "")) j++;
      if (json[j] === close) {
        out += ch + close;
        i = j;
      } else {
        depth++;
        out += ch + pad();
      }
    } else if (ch === "}" || ch === "]") {
      depth--;
      out += pad() + ch;
    } else if (ch === ",") {
      out += "," + pad();
    } else if (ch === ":") {
      out += ": ";
    } else if (!/\s/.test(ch)) {
      out += ch;
    }
  }
  return out;
}

/** What a key holds that a reader cannot see: each note is a short phrase; none means nothing odd. */
export function keyNotes(key) {
  const notes = [];
  if (key.length === 0) return ["empty"];
  if (/^\s/.test(key)) notes.push("starts with whitespace");
  if (/\s$/.test(key)) notes.push("ends with whitespace");
  if (/[\u00a0\u200b-\u200d\u2060\ufeff]/.test(key)) notes.push("contains an invisible character (no-break or zero-width space)");
  if (/^(["'`]).*\1$/.test(key)) notes.push("is wrapped in quotes");
  if (/\S\s+\S/.test(key.trim()) && !notes.length) notes.push("contains a space");
  return notes;
}

/** The keyring typed one key per line. Only the final line break is dropped; every other byte is kept. */
export function splitKeys(text) {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** Unix seconds ↔ the value of an `<input type="datetime-local">` read as UTC. */
export function toLocalInput(seconds) {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

export function fromLocalInput(value) {
  const ms = Date.parse(/Z$|[+-]\d\d:\d\d$/.test(value) ? value : value + "Z");
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
}

// ---- what was checked ----------------------------------------------------------------------------------------

const decoder = new TextDecoder();

/** A request target (a path and query, or an absolute URL) split as sent: nothing is normalized or decoded. */
export function splitTarget(url) {
  let rest = String(url ?? "/");
  const abs = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (abs) rest = rest.slice(abs[0].length) || "/";
  rest = rest.split("#")[0];
  const q = rest.indexOf("?");
  return q < 0 ? { path: rest, query: "" } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}

/** The first value of a header, by name in any case, or null. */
export function headerValue(headers, name) {
  const lower = name.toLowerCase();
  const hit = headers.find(([n]) => n.toLowerCase() === lower);
  return hit ? hit[1] : null;
}

/** The header names a report's checks read (lower case): `header <name>` steps. */
export function checkedHeaders(report) {
  return new Set((report?.steps ?? []).map((s) => /^header (\S+)$/.exec(s.check)?.[1]?.toLowerCase()).filter(Boolean));
}

/** The Unix time a report says was signed (its timestamp check, or the diagnosis), or null. */
export function signedTime(report) {
  for (const s of report?.steps ?? []) {
    const m = /^timestamp/.test(s.check) && /Unix time (\d{1,11})\b/.exec(s.detail);
    if (m) return Number(m[1]);
  }
  for (const d of report?.diagnosis ?? []) {
    const m = /\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\)/.exec(d);
    if (m) return Math.floor(Date.parse(m[1]) / 1000);
  }
  return null;
}

/**
 * The exact string a scheme signs, when the page can rebuild it without a secret: Standard Webhooks' (and Svix's)
 * `id.timestamp.body`, Stripe-style `t.body`, Healthie's composed string. Which scheme ran is read from the report's
 * checks (the headers it read, the signature's format), so a vendor sharing a scheme gets its string with no list
 * here. `{ scheme, about, forms: [{ parts: [{ label, text }], matched }] }`, or null.
 */
export function signedString({ report, method, url, headers, body, publicPath }) {
  if (!report?.vendor) return null;
  const checked = checkedHeaders(report);
  const text = decoder.decode(body ?? new Uint8Array(0));
  const step = (name) => (report.steps ?? []).find((s) => s.check === name);
  const byEnd = (suffix) => [...checked].find((n) => n.endsWith(suffix));
  const idName = byEnd("-id");
  const tsName = byEnd("-timestamp");
  if (idName && tsName && idName.slice(0, -3) === tsName.slice(0, -10)) {
    const id = headerValue(headers, idName);
    const ts = headerValue(headers, tsName);
    if (id !== null && ts !== null) {
      return {
        scheme: "Standard Webhooks",
        about: `${idName}, ${tsName} and the body, joined by dots`,
        forms: [{ matched: report.verified, parts: [{ label: idName, text: id }, { sep: "." }, { label: tsName, text: ts }, { sep: "." }, { label: "body", text }] }],
      };
    }
  }
  if (/^t= and /.test(step("signature format")?.detail ?? "")) {
    for (const name of checked) {
      const v = headerValue(headers, name);
      const t = v?.split(",").map((p) => p.trim()).find((p) => /^t=/.test(p));
      if (t) {
        return {
          scheme: "Stripe-style",
          about: `the t= of ${name}, a dot, and the body`,
          forms: [{ matched: report.verified, parts: [{ label: `${name} t=`, text: t.slice(2) }, { sep: "." }, { label: "body", text }] }],
        };
      }
    }
  }
  if (report.vendor === "healthie" && step("signed string")) {
    const digest = headerValue(headers, "content-digest");
    if (digest === null) return null;
    const sent = digest.includes("=") ? digest.slice(digest.indexOf("=") + 1) : "";
    const unpadded = digest.split("=")[1] ?? "";
    const { path, query } = splitTarget(url);
    const length = (body ?? new Uint8Array(0)).length;
    const used = /message form (\d+)/.exec(step("signature")?.detail ?? "")?.[1];
    const digests = unpadded !== sent ? [sent, unpadded] : [sent];
    const forms = digests.map((d, i) => ({
      matched: used !== undefined && Number(used) === i + 1,
      parts: [
        { label: "method", text: String(method ?? "POST").toLowerCase() }, { sep: " " },
        { label: publicPath ? "public path" : "path", text: publicPath || path }, { sep: " " },
        { label: "query", text: query }, { sep: " " },
        { label: i === 0 ? "content-digest" : "content-digest, padding dropped", text: d }, { sep: " " },
        { label: "content type", text: "application/json" }, { sep: " " },
        { label: "body length", text: String(length) },
      ],
    }));
    const shown = used ? forms.filter((f) => f.matched) : forms;
    return {
      scheme: "Healthie",
      about: `the method, ${publicPath ? "the public path" : "the path"}, the query, the digest, the content type and the body's length, joined by spaces${shown.length > 1 ? "; both digest forms are tried" : ""}`,
      forms: shown,
    };
  }
  return null;
}

/** The string a form's parts make. */
export const joinParts = (form) => form.parts.map((p) => p.sep ?? p.text).join("");

// ---- sharing a case ------------------------------------------------------------------------------------------

/** The placeholder a key is shown as when keys are left out. */
export const placeholder = (i) => `REPLACE_WITH_KEY_${i + 1}`;

/** Replaces every key (and so a token in a URL or a header) in `text` with its placeholder, longest first. */
export function redactKeys(text, keys, mark = placeholder) {
  const order = keys.map((k, i) => [k, i]).filter(([k]) => k.trim().length >= 4).sort((a, b) => b[0].length - a[0].length);
  let out = String(text);
  for (const [k, i] of order) out = out.split(k).join(mark(i));
  return out;
}

const ATTRS = ["vendor", "type", "id", "subject", "resourcetype", "resourceid", "action"];
const pick = (event) => Object.fromEntries(ATTRS.filter((k) => typeof event[k] === "string").map((k) => [k, event[k]]));

function isUtf8(bytes) {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function base64(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/**
 * The case as a test vector, in the format of tests/vectors/*.json: what the request was, and what carehook said of
 * it. Without `includeKeys`, each key reads as its placeholder, in the keyring and wherever it appears in the URL
 * or a header value (a token sender's), so the case holds no secret.
 */
export function testVector({ vendor, keys, includeKeys, method, url, headers, body, now, publicPath, tolerance, report, events, handshake }) {
  const hide = (t) => (includeKeys ? t : redactKeys(t, keys));
  const names = headers.map(([n]) => n.toLowerCase());
  const repeated = new Set(names).size !== names.length;
  const pairs = headers.map(([n, v]) => [n, hide(v)]);
  const c = {
    name: `${vendor || "no vendor"}: from the inspector, ${report.ok ? "verified" : report.error?.code ?? "refused"}`,
    vendor: vendor || "",
    keys: includeKeys ? [...keys] : keys.map((_, i) => placeholder(i)),
    method,
    url: hide(url),
    now,
    headers: repeated ? pairs : Object.fromEntries(pairs),
  };
  if (isUtf8(body)) c.body = decoder.decode(body);
  else c.body_base64 = base64(body);
  if (publicPath) c.public_path = publicPath;
  if (tolerance !== undefined && tolerance !== 300) c.options = { tolerance };
  if (report.ok) {
    c.expect = events.length === 1 && !handshake ? { ok: true, event: pick(events[0]) } : { ok: true, events: events.map(pick) };
    if (handshake) c.expect.handshake = handshake;
  } else {
    c.expect = { ok: false, error: report.error?.code ?? "invalid_options" };
    if (report.verified) c.expect.verified = true;
  }
  return c;
}

const cell = (t) => String(t ?? "").replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
const fence = (t) => {
  const longest = Math.max(2, ...[...String(t).matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(longest + 1);
};

/**
 * The case as a Markdown report for an issue or a chat: the verdict and why, the fix, the checks, the headers (any
 * key in them as `‹key #N›`). Never a key; the body, the signed string and the events' data only with `includeBody`.
 */
export function markdownReport({ title, cause, fix, vendorName, report, request, formatName, now, tolerance, keys, includeBody, events, handshake, signed, status }) {
  const key = (i) => `‹key #${i + 1}›`;
  const hide = (t) => redactKeys(t, keys, key);
  const lines = [`## carehook inspector: ${title.replace(/^[✓✗]\s*/, "")}`, ""];
  const code = report.error ? ` — \`${report.error.code}\`${status ? ` (HTTP ${status})` : ""}` : "";
  lines.push(`**${title}**${code}`, "");
  for (const c of cause) lines.push(`- ${hide(c)}`);
  if (fix) lines.push(`- **Fix:** ${hide(fix)}`);
  if (cause.length || fix) lines.push("");
  const when = new Date(now * 1000).toISOString().replace(".000Z", "Z");
  lines.push("| | |", "|---|---|");
  lines.push(`| Vendor | ${cell(vendorName)} |`);
  lines.push(`| Request | ${cell(`${request.method} ${hide(request.url)}`)} (${cell(formatName)}), ${request.headers.length} headers, body ${request.body.length} bytes${includeBody ? "" : " (not included)"} |`);
  lines.push(`| Clock | ${when} (Unix ${now}), tolerance ${tolerance ?? 300} s |`);
  lines.push(`| Keys | ${keys.length} (${keys.map((k, i) => `#${i + 1}: ${new TextEncoder().encode(k).length} bytes`).join(", ") || "none"}); not included |`);
  if (report.error) lines.push(`| Message | ${cell(hide(report.error.message))} |`);
  if (handshake) lines.push(`| Handshake | answered ${handshake.status}${includeBody ? ` ${cell(handshake.body)}` : ""} |`);
  lines.push("");
  if (report.steps?.length) {
    lines.push("### Checks", "", "| | Check | Detail |", "|---|---|---|");
    for (const s of report.steps) lines.push(`| ${s.ok ? "✓" : "✗"} | ${cell(s.check)} | ${cell(hide(s.detail))} |`);
    lines.push("");
  }
  if (request.headers.length) {
    lines.push("### Headers", "", "| Header | Value |", "|---|---|");
    for (const [n, v] of request.headers) lines.push(`| ${cell(n)} | ${cell(hide(v))} |`);
    lines.push("");
  }
  if (events.length) {
    lines.push(`### ${events.length === 1 ? "CloudEvent" : `${events.length} CloudEvents`}`, "");
    if (includeBody) {
      for (const e of events) {
        const json = JSON.stringify(e, null, 2);
        lines.push(fence(json) + "json", json, fence(json), "");
      }
    } else {
      for (const e of events) lines.push(`- \`${e.type}\` id \`${e.id}\`${e.subject ? ` subject \`${e.subject}\`` : ""}`);
      lines.push("");
    }
  }
  if (includeBody) {
    if (signed) {
      for (const f of signed.forms) {
        const s = hide(joinParts(f));
        lines.push(`### Signed string (${signed.scheme})`, "", fence(s), s, fence(s), "");
      }
    }
    const text = decoder.decode(request.body);
    lines.push("### Body", "", fence(text), text, fence(text), "");
  }
  return lines.join("\n").replace(/\n+$/, "\n");
}
