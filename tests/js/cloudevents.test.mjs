// Interop: the CloudEvents JS SDK (strict validation) accepts every event the package returns, as an object and as a
// structured-mode HTTP message, and carehook's extension attributes survive a binary-mode round trip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CloudEvent, HTTP } from "cloudevents";
import * as api from "../../pkg/index.node.mjs";
import { optionsOf } from "../vectors/run.mjs";
import { vectorDocs } from "./load.mjs";

const EXTENSIONS = ["vendor", "resourcetype", "resourceid", "action", "resourceurl"];
const ATTRIBUTES = ["specversion", "id", "source", "type", "subject", "datacontenttype", ...EXTENSIONS];

/**
 * Every event the package returns for the ok vectors and for every vendor's signed sample, with its JSON text: the
 * text carehook writes for a lone event, each event of a batch as verifyAll returns it.
 */
function events() {
  const out = [];
  const add = (name, opts) => {
    const verifier = new api.Verifier(opts);
    const { events } = verifier.verifyAll(opts);
    if (events.length === 1) out.push({ name, json: verifier.verifyToJSON(opts) });
    else events.forEach((e, i) => out.push({ name: `${name} [${i}]`, json: JSON.stringify(e) }));
  };
  for (const doc of vectorDocs()) {
    for (const c of doc.cases) if (c.expect.ok) add(c.name, optionsOf(c));
  }
  for (const vendor of api.vendors()) {
    const s = api.signedSample(vendor);
    add(`sample ${vendor}`, { vendor, keys: s.verifyKey, path: s.path, headers: s.headers, body: new TextEncoder().encode(s.body) });
  }
  return out;
}

function assertSame(ce, event, name) {
  assert.equal(ce.validate(), true, name);
  for (const k of ATTRIBUTES) assert.equal(ce[k], event[k], `${name}: ${k}`);
  assert.equal(Date.parse(ce.time), Date.parse(event.time), `${name}: time`);
  assert.deepEqual(ce.data, event.data, `${name}: data`);
}

test("the SDK's strict constructor accepts every event", () => {
  const all = events();
  assert.ok(all.length >= api.vendors().length + 13, `only ${all.length} events`);
  for (const { name, json } of all) {
    const event = JSON.parse(json);
    let ce;
    assert.doesNotThrow(() => (ce = new CloudEvent(event, true)), name);
    assertSame(ce, event, name);
    for (const k of EXTENSIONS) if (k in event) assert.ok(k in ce.toJSON(), `${name}: extension ${k} kept`);
  }
});

test("the SDK reads every event as a structured-mode HTTP message", () => {
  for (const { name, json } of events()) {
    const msg = { headers: { "content-type": "application/cloudevents+json; charset=utf-8" }, body: json };
    assert.equal(HTTP.isEvent(msg), true, name);
    const ce = HTTP.toEvent(msg);
    assert.ok(!Array.isArray(ce), name);
    assertSame(ce, JSON.parse(json), name);
  }
});

test("extension attributes survive a binary-mode round trip through the SDK", () => {
  for (const { name, json } of events()) {
    const event = JSON.parse(json);
    const msg = HTTP.binary(new CloudEvent(event));
    for (const k of EXTENSIONS) if (event[k] !== undefined) assert.equal(msg.headers[`ce-${k}`], event[k], `${name}: ce-${k}`);
    // An event without data has no datacontenttype; binary mode always sends a Content-Type, which reads back as one.
    let back = HTTP.toEvent(msg);
    if (!("data" in event) && !("datacontenttype" in event)) {
      assert.equal(back.datacontenttype, msg.headers["content-type"], name);
      const { datacontenttype: _, ...rest } = back.toJSON();
      back = new CloudEvent(rest);
    }
    assertSame(back, event, name);
  }
});

test("the SDK's validation is strict enough to reject a broken envelope", () => {
  const event = JSON.parse(events()[0].json);
  assert.throws(() => new CloudEvent({ ...event, time: "yesterday" }, true));
  assert.throws(() => new CloudEvent({ ...event, source: "" }, true));
  assert.throws(() => new CloudEvent({ ...event, "resource-type": "x" }, true));
});
