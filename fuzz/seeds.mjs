// Writes fuzz/seeds/<target>/: the committed seed corpus, built from the vector cases (tests/vectors/*.json) in
// each target's input format, plus templates with placeholders that the targets fill with valid signatures.
//   node fuzz/seeds.mjs
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";

const root = new URL("../", import.meta.url);
const out = new URL("seeds/", import.meta.url);
// The targets pick a vendor by its index in carehook's registry (fuzz/src/lib.rs `vendor`): the same order here.
const { vendors } = await import(new URL("pkg/index.node.mjs", root).href);
const VENDORS = vendors();
const HEX = { elmed: 0, github: 1, athenahealth: 2, medplum: 3, metriport: 4, photon: 5 };
const HEX_HEADER = { elmed: "x-elmed-signature", github: "x-hub-signature-256", athenahealth: "x-hub-signature",
  medplum: "x-signature", metriport: "x-metriport-signature", photon: "x-photon-signature" };

const dir = new URL("tests/vectors/", root);
const cases = readdirSync(dir).filter((f) => f.endsWith(".json")).sort()
  .flatMap((f) => JSON.parse(readFileSync(new URL(f, dir), "utf8")).cases);

const seeds = new Map();
function seed(target, prefix, text) {
  const bytes = Buffer.concat([Buffer.from(prefix), Buffer.isBuffer(text) ? text : Buffer.from(text, "utf8")]);
  if (!seeds.has(target)) seeds.set(target, new Map());
  seeds.get(target).set(createHash("sha1").update(bytes).digest("hex"), bytes);
}
const header = (c, name) => {
  const pairs = Array.isArray(c.headers) ? c.headers : Object.entries(c.headers);
  const found = pairs.find(([n]) => n.toLowerCase() === name);
  return found ? found[1] : undefined;
};
const bodyOf = (c) => (c.body_base64 !== undefined ? Buffer.from(c.body_base64, "base64") : Buffer.from(c.body ?? ""));

for (const c of cases) {
  const v = c.vendor;
  if (v === "standard" || v === "svix") {
    const p = v === "svix" ? "svix-" : "webhook-";
    const lines = [header(c, `${p}id`), header(c, `${p}timestamp`), header(c, `${p}signature`)];
    const present = lines.findIndex((l) => l === undefined);
    seed("standard_signatures", [v === "svix" ? 1 : 0, 0, 0], (present < 0 ? lines : lines.slice(0, present)).join("\n"));
  }
  if ((v === "stripe" || v === "akute") && header(c, v === "stripe" ? "stripe-signature" : "x-akute-signature")) {
    seed("stripe_header", [v === "akute" ? 1 : 0, 0], header(c, v === "stripe" ? "stripe-signature" : "x-akute-signature"));
  }
  if (v in HEX && header(c, HEX_HEADER[v]) !== undefined) seed("hex_signature", [HEX[v]], header(c, HEX_HEADER[v]));
  if (v === "healthie") {
    seed("healthie", [0, 0, 0], [header(c, "content-digest"), header(c, "signature")].filter((x) => x !== undefined).join("\n"));
  }
  if (VENDORS.includes(v)) {
    const idx = VENDORS.indexOf(v);
    seed("keys", [idx], c.keys.join("\n"));
    seed("normalize", [idx, 0, 0], bodyOf(c));
  }
  const opts = Object.entries(c.options ?? {}).map(([k, val]) => `${k}=${Array.isArray(val) ? val.join(",") : val}`);
  if (c.remote_ip) opts.push(`remoteIp=${c.remote_ip}`);
  if (c.public_path) opts.push(`publicPath=${c.public_path}`);
  const pairs = Array.isArray(c.headers) ? c.headers : Object.entries(c.headers);
  const head = [[v, c.now, ...opts].join(" "), c.keys.join("\t"), `${c.method ?? "POST"} ${c.url}`,
    ...pairs.map(([n, val]) => `${n}: ${val}`)].join("\n");
  seed("verify_any", [], Buffer.concat([Buffer.from(`${head}\n\n`), bodyOf(c)]));
}

// Templates: the targets replace the placeholders with values valid for their fixed request.
for (const [ring, list] of [[0, "v1,{V1}"], [1, "v1a,{V1A}"], [2, "v2,abc v1,AAAA v1a,{V1A}"], [0, "v1,{V1} v1,{V1}"]]) {
  seed("standard_signatures", [0, ring, 0], `msg_seed\n{TS}\n${list}`);
  seed("standard_signatures", [1, ring, 60], `msg_seed\n{TS}\n${list}`);
}
for (const t of ["t={TS},v1={V1}", "t={TS},v0=00,v1=ab,v1={V1}", "t={TS}, v1={V1}", "v1={V1},t={TS}"]) {
  seed("stripe_header", [0, 0], t);
  seed("stripe_header", [1, 200], t);
}
for (let i = 0; i < 6; i++) for (const t of ["sha256={MAC}", "SHA256={MACU}", "{MAC}", " {MACU} "]) seed("hex_signature", [i], t);
for (const d of ["SHA-256={B64}", "sha-256=:{B64}:", "sha256={HEX}", "SHA-256={HEX}"]) {
  for (const s of ["sig1={SIG}", "SIG1={SIGU}"]) {
    seed("healthie", [0, 0, 0], `${d}\n${s}`);
    seed("healthie", [1, 1, 1], `${d}\n${s}`);
  }
}
VENDORS.forEach((_, i) => ["{PK}", "{SK}", "{PK}\n{SK}", " {PK}\n"].forEach((k) => seed("keys", [i], k)));

// Inputs fuzzing found, kept so they stay fixed: a whpk_ public key that sign took as an HMAC secret (keys), and an
// empty body that a vendor normalizes to an event without data (normalize).
seed("keys", [VENDORS.indexOf("github")], "whpk_AQAAAAAAAAAA]AAAAAAAAAAAAAAAAAAAAAAAAAAjAAAAAAA=");
seed("normalize", [VENDORS.indexOf("fhir"), 0x2d, 0x60], "");
seed("keys", [0x94], '{"keys":[]}'); // a JWK Set that sign took as an HMAC secret
seed("keys", [VENDORS.indexOf("drchrono")], "drchrono_token_a, b_c"); // a token a runtime would read as two values

rmSync(out, { recursive: true, force: true });
let total = 0;
for (const [target, files] of [...seeds.entries()].sort()) {
  mkdirSync(new URL(`${target}/`, out), { recursive: true });
  for (const [name, bytes] of files) writeFileSync(new URL(`${target}/${name}`, out), bytes);
  total += files.size;
  console.log(`${target}: ${files.size} seeds`);
}
console.log(`${total} seeds in fuzz/seeds/`);
