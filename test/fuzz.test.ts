/**
 * Deterministic fuzzing of the pstats loader and the estimator with mutated fixture dumps:
 * byte flips, truncations, inserted and deleted runs, length/count/index fields set huge or
 * negative, and ints and times set to values no profiler writes (NaN, infinities, -1).
 * Every case must either load or fail with a FlameprofError, within a time bound; what
 * loads must go through estimateFrames with the same guarantee.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlameprofError } from '../src/errors';
import { estimateFrames } from '../src/frames/estimate';
import { readPstats } from '../src/import/pstats';
import { renderToString } from '../src/pipeline';
import { marshalFields, type Field } from './helpers/marshal-fields';
import { prng } from './helpers/prng';

const CASES = 12_000;
/** Fixed, so a failure reproduces; FLAMEPROF_FUZZ_SEED explores other sequences locally. */
const SEED = Number(process.env.FLAMEPROF_FUZZ_SEED ?? 0x5eed_f1a3);
/**
 * Per case, in CPU time (user + system) rather than wall time: the bound is there to catch
 * a hang or a blow-up, not a busy machine that took the CPU away for a moment. Generous: a
 * case takes well under a millisecond to a few.
 */
const CASE_MS = 250;

/** An attribute value holding NaN or Infinity. */
const NON_FINITE_ATTRIBUTE = /="[^"]*(?:NaN|Infinity)[^"]*"/;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}


interface Source {
  name: string;
  bytes: Uint8Array;
  fields: Field[];
}

const dir = join(__dirname, 'fixtures');
const sources: Source[] = readdirSync(dir)
  .filter((n) => n.endsWith('.prof'))
  .sort()
  .map((name) => {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    return { name, bytes, fields: marshalFields(bytes) };
  });

/** Values a length, count or index field is set to: huge, negative, off by one, random. */
const HOSTILE_I32 = [0x7fffffff, -0x80000000, -1, -2, 0x10000, 0x7ffffffe, 0x40000000, 1 << 20];

/** Times and the like set to what no profiler writes but a file can hold. */
const HOSTILE_F64 = [NaN, Infinity, -Infinity, -1, 0, -0, 1e308, -1e308, 5e-324, 1e-300, 2 ** 53 + 1];

function mutate(src: Source, rnd: () => number): { bytes: Uint8Array; what: string } {
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  let b = src.bytes.slice();
  const steps: string[] = [];
  const rounds = 1 + (rnd() < 0.3 ? int(4) : 0);
  for (let r = 0; r < rounds && b.length > 0; r++) {
    const kind = int(7);
    switch (kind) {
      case 0: {
        // flip bits or overwrite bytes
        const n = 1 + int(8);
        for (let i = 0; i < n; i++) {
          const at = int(b.length);
          b[at] = rnd() < 0.5 ? b[at] ^ (1 << int(8)) : int(256);
        }
        steps.push(`flip ${n}`);
        break;
      }
      case 1: {
        const at = int(b.length);
        b = b.slice(0, at);
        steps.push(`truncate ${at}`);
        break;
      }
      case 2: {
        // insert a run: random bytes, or a copy of another part of the dump
        const at = int(b.length + 1);
        const n = 1 + int(32);
        let run: Uint8Array;
        if (rnd() < 0.5) {
          run = Uint8Array.from({ length: n }, () => int(256));
        } else {
          const from = int(b.length);
          run = b.slice(from, from + n);
        }
        const out = new Uint8Array(b.length + run.length);
        out.set(b.subarray(0, at));
        out.set(run, at);
        out.set(b.subarray(at), at + run.length);
        b = out;
        steps.push(`insert ${run.length}@${at}`);
        break;
      }
      case 3: {
        const at = int(b.length);
        const n = 1 + int(32);
        const end = Math.min(b.length, at + n);
        const out = new Uint8Array(b.length - (end - at));
        out.set(b.subarray(0, at));
        out.set(b.subarray(end), at);
        b = out;
        steps.push(`delete ${end - at}@${at}`);
        break;
      }
      default: {
        // aim at a length, count, index or int field (positions are the original dump's:
        // after an insert or delete they land somewhere nearby, which is fine too)
        const f = pick(src.fields);
        if (f.at >= b.length) break;
        const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
        if (f.kind === 'float') {
          if (f.at + 8 <= b.length) dv.setFloat64(f.at, pick(HOSTILE_F64), true);
        } else if (f.kind === 'len8') {
          b[f.at] = pick([0xff, 0xfe, 0x80, 0, b[f.at] + 1 > 255 ? 0 : b[f.at] + 1]);
        } else if (f.at + 4 <= b.length) {
          const old = dv.getInt32(f.at, true);
          const v = rnd() < 0.75 ? pick(HOSTILE_I32) : pick([old + 1, old - 1, -old, old * 2, int(0x7fffffff)]);
          dv.setInt32(f.at, v | 0, true);
        }
        steps.push(`${f.kind}@${f.at}`);
      }
    }
  }
  return { bytes: b, what: steps.join(', ') };
}

interface Failure {
  case: number;
  source: string;
  mutation: string;
  stage: string;
  error: string;
}

test(`${CASES} mutated dumps: each loads or throws FlameprofError, and so does the estimator`, () => {
  expect(sources.length).toBeGreaterThanOrEqual(10);
  expect(sources.every((s) => s.fields.length > 0)).toBe(true);
  const rnd = prng(SEED);
  // Small dumps are mutated more often: most cases then cost microseconds, and every
  // byte of them gets hit; the two 58 KB dumps still get their share.
  const weights = sources.map((s) => (s.bytes.length > 20_000 ? 1 : 6));
  const total = weights.reduce((a, b) => a + b, 0);
  const choose = (): Source => {
    let x = rnd() * total;
    for (let i = 0; i < sources.length; i++) {
      x -= weights[i];
      if (x < 0) return sources[i];
    }
    return sources[sources.length - 1];
  };

  // Warm up on the unmutated dumps, so the first timed cases do not pay for compiling.
  for (const s of sources) estimateFrames(readPstats(s.bytes), { threshold: 0.5, maxFrames: 1e6 });

  const failures: Failure[] = [];
  const slow: Array<{ case: number; source: string; mutation: string; ms: number }> = [];
  let loaded = 0;
  let estimated = 0;
  let rendered = 0;
  for (let c = 0; c < CASES; c++) {
    const src = choose();
    const { bytes, what } = mutate(src, rnd);
    const t0 = cpuMs();
    let stage = 'readPstats';
    try {
      const p = readPstats(bytes);
      loaded++;
      stage = 'estimateFrames';
      const frames = estimateFrames(p, { threshold: rnd() < 0.5 ? 0 : 0.5, maxFrames: 500 });
      estimated++;
      // Some of what is drawn is rendered too: no attribute may hold NaN or Infinity.
      if (estimated % 10 === 0) {
        stage = 'renderToString';
        const svg = renderToString(frames, { format: 'svg', js: false });
        if (NON_FINITE_ATTRIBUTE.test(svg)) throw new Error(`a non-finite attribute: ${NON_FINITE_ATTRIBUTE.exec(svg)![0]}`);
        rendered++;
      }
    } catch (err) {
      if (!(err instanceof FlameprofError)) {
        failures.push({ case: c, source: src.name, mutation: what, stage, error: String((err as Error)?.stack ?? err) });
      }
    }
    const ms = cpuMs() - t0;
    if (ms > CASE_MS) slow.push({ case: c, source: src.name, mutation: what, ms });
    if (failures.length >= 20) break;
  }
  expect(failures).toEqual([]);
  expect(slow).toEqual([]);
  // The mutations must not be so destructive that nothing gets past the decoder.
  expect(loaded).toBeGreaterThan(CASES / 20);
  expect(estimated).toBeGreaterThan(0);
  expect(rendered).toBeGreaterThan(0);
});

test('the fuzz input is the same on every run (seeded)', () => {
  const a = prng(SEED);
  const b = prng(SEED);
  const x = mutate(sources[0], a);
  const y = mutate(sources[0], b);
  expect(x.what).toBe(y.what);
  expect(Buffer.from(x.bytes).equals(Buffer.from(y.bytes))).toBe(true);
});
