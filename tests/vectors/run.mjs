// Runs vector cases through any carehook API object (Node ESM or CJS, Chromium, workerd). Runtime-neutral:
// standard JavaScript only, so the same checks run everywhere.

function bytesOf(c) {
  if (typeof c.body === "string") return new TextEncoder().encode(c.body);
  if (typeof c.body_base64 === "string") return Uint8Array.from(atob(c.body_base64), (ch) => ch.charCodeAt(0));
  return new Uint8Array(0);
}

/** The `verify` options for one case. */
export function optionsOf(c) {
  return {
    vendor: c.vendor,
    keys: c.keys,
    method: c.method ?? "POST",
    url: c.url,
    headers: c.headers,
    body: bytesOf(c),
    now: c.now,
    publicPath: c.public_path,
    remoteIp: c.remote_ip,
    ...(c.options ?? {}),
  };
}

const REQUIRED = ["id", "source", "type", "specversion", "time", "datacontenttype", "vendor"];

/** The first disagreement between the API and the case, or null. */
export function check(api, c) {
  const opts = optionsOf(c);
  const report = api.inspect(opts);
  let event, error;
  try {
    event = api.verify(opts);
  } catch (e) {
    error = e;
  }
  if (c.expect.ok && (c.expect.events || c.expect.handshake)) {
    // A batch or a handshake: every event through verifyAll. verify() returns a lone event and refuses any other
    // count with invalid_payload (verified), so none is dropped.
    if (report.ok !== true) return `inspect says ok=${report.ok}`;
    const one = (c.expect.events ?? []).length === 1;
    if (one && error) return `verify threw ${error.code} for a single event: ${error.message}`;
    if (!one && !(error?.code === "invalid_payload" && error.verified === true)) {
      return `verify ${error ? `threw ${error.code}` : "passed"} for ${(c.expect.events ?? []).length} events, want invalid_payload (verified)`;
    }
    let all;
    try {
      all = api.verifyAll(opts);
    } catch (e) {
      return `verifyAll threw ${e.code}: ${e.message}`;
    }
    const want = c.expect.events ?? [];
    if (all.events.length !== want.length) return `${all.events.length} events, want ${want.length}`;
    for (const [i, w] of want.entries()) {
      for (const [k, v] of Object.entries(w)) {
        if (all.events[i][k] !== v) return `events[${i}].${k} = ${JSON.stringify(all.events[i][k])}, want ${JSON.stringify(v)}`;
      }
    }
    if (JSON.stringify(all.handshake) !== JSON.stringify(c.expect.handshake ?? null)) return `handshake ${JSON.stringify(all.handshake)}`;
    return null;
  }
  if (report.ok !== !error) return `inspect says ok=${report.ok}, verify ${error ? "threw " + error.code : "passed"}`;
  if (c.expect.ok) {
    if (error) return `threw ${error.code}: ${error.message}`;
    for (const k of REQUIRED) if (typeof event[k] !== "string" || !event[k]) return `event.${k} missing`;
    if (event.specversion !== "1.0") return "specversion";
    for (const [k, want] of Object.entries(c.expect.event ?? {})) {
      if (event[k] !== want) return `event.${k} = ${JSON.stringify(event[k])}, want ${JSON.stringify(want)}`;
    }
    return null;
  }
  if (!error) return `verified, want ${c.expect.error}`;
  if (!(error instanceof Error) || error.name !== "CarehookError") return `threw a non-CarehookError: ${error}`;
  const wantVerified = c.expect.verified ?? false;
  if (error.code !== c.expect.error || error.verified !== wantVerified) {
    return `error ${error.code} (verified ${error.verified}), want ${c.expect.error} (verified ${wantVerified})`;
  }
  if (report.error?.code !== c.expect.error) return `inspect reports ${report.error?.code}`;
  if (error.message.length === 0) return "empty message";
  return null;
}

/** Runs every case of every document; returns { total, failures: ["name: why"] }. */
export function runAll(api, docs) {
  const failures = [];
  let total = 0;
  for (const doc of docs) {
    for (const c of doc.cases) {
      total++;
      const why = check(api, c);
      if (why) failures.push(`${c.name}: ${why}`);
    }
  }
  return { total, failures };
}
