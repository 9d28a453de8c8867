// Side-by-side timing that stays comparable on a busy machine: every contender of a row is warmed up, then measured
// in rounds, and in every round each contender (in a new random order) takes one slice of samples. Background load
// therefore lands on all contenders alike. A sample is a small batch of calls (about SAMPLE_NS long) divided by its
// size; the row reports the median and the 99th percentile of those per-call times.

import { hrtime } from "node:process";

const SAMPLE_NS = 25_000;

export const PROFILES = {
  quick: { warmupMs: 30, rounds: 4, sliceMs: 8 },
  full: { warmupMs: 300, rounds: 24, sliceMs: 60 },
};

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** Seeded shuffle (the same orders every run, no bias to a position). */
function shuffled(list, seed) {
  const out = list.slice();
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

async function runFor(c, ms) {
  const end = hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  let n = 0;
  const t0 = hrtime.bigint();
  if (c.async) {
    while (hrtime.bigint() < end) {
      await c.op();
      n++;
    }
  } else {
    while (hrtime.bigint() < end) {
      c.op();
      n++;
    }
  }
  c.calls += n;
  return Number(hrtime.bigint() - t0) / n;
}

async function sampleSlice(c, ms) {
  const end = hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  const k = c.batch;
  do {
    const t0 = hrtime.bigint();
    if (c.async) for (let i = 0; i < k; i++) await c.op();
    else for (let i = 0; i < k; i++) c.op();
    const t1 = hrtime.bigint();
    c.samples.push(Number(t1 - t0) / k);
    c.calls += k;
  } while (hrtime.bigint() < end);
}

/**
 * Measures one row. `contenders`: [{ name, op, async?, reject?, verifiedCount? }]. `op` must throw unless the call
 * verified; `reject` (when given) runs the same verifier on a tampered request and must throw or return false.
 * `verifiedCount()` (carehook contenders) returns how many calls really produced a verified event.
 */
export async function measure(contenders, profile) {
  const cs = contenders.map((c) => ({ ...c, calls: 0, samples: [], batch: 1 }));
  for (const c of cs) {
    if (c.reject) {
      let refused = false;
      try {
        refused = (await c.reject()) === false;
      } catch {
        refused = true;
      }
      if (!refused) throw new Error(`${c.name}: a tampered request was accepted; the contender does not verify`);
    }
    const perCall = await runFor(c, profile.warmupMs);
    c.batch = Math.max(1, Math.round(SAMPLE_NS / perCall));
  }
  for (let r = 0; r < profile.rounds; r++) {
    for (const c of shuffled(cs, r * 7919 + cs.length)) await sampleSlice(c, profile.sliceMs);
  }
  return cs.map((c) => {
    const sorted = c.samples.slice().sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    const out = {
      name: c.name,
      opsPerSec: 1e9 / median,
      medianNs: median,
      p99Ns: quantile(sorted, 0.99),
      meanNs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
      samples: sorted.length,
      batch: c.batch,
      calls: c.calls,
    };
    if (c.verifiedCount) {
      out.verified = c.verifiedCount();
      if (out.verified !== c.calls) {
        throw new Error(`${c.name}: ${c.calls} calls but ${out.verified} verified events`);
      }
    }
    if (!(out.medianNs > 0 && Number.isFinite(out.medianNs) && Number.isFinite(out.p99Ns))) {
      throw new Error(`${c.name}: no usable timing`);
    }
    return out;
  });
}
