'use strict';
/**
 * Synthetic cProfile dumps for the benchmark: a layered call graph shaped by four knobs
 * (functions, fan-out, depth, recursion) and a seed, written as real marshal bytes by the
 * project's own encoder (dist/encode/marshal.js), so the decoder sees what Python writes.
 *
 * The times are consistent the way cProfile's are: a function's cumulative time is its own
 * time plus what its forward calls took, and that cumulative time is shared out over its
 * callers' edges. Recursive (backward) edges carry a little time on top, as re-entrant calls
 * do, so the estimator's guessing and path checks get exercised.
 */
const path = require('node:path');

/** Small, fast, seeded PRNG (mulberry32): the same seed gives the same dump everywhere. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @param {{functions: number, fanout: number, depth: number, recursion: number, seed: number, copies?: number}} spec
 *   recursion: the share of functions that also call back into a shallower layer (or themselves).
 *   copies: that many disjoint copies of the same graph in one dump (for the linearity check).
 * @returns {import('../dist/model').CallGraphProfile}
 */
function synthProfile(spec) {
  const copies = spec.copies ?? 1;
  const one = synthOne(spec);
  if (copies === 1) return one;
  const n = one.functions.length;
  const functions = [];
  for (let c = 0; c < copies; c++) {
    for (const f of one.functions) {
      functions.push({
        key: { file: f.key.file.replace('/project/', `/project${c}/`), line: f.key.line, name: f.key.name },
        stat: f.stat,
        callers: f.callers.map((e) => ({ caller: e.caller + c * n, timing: e.timing, estimated: false })),
      });
    }
  }
  return { kind: 'callgraph', functions, pythonVersion: 3 };
}

function synthOne({ functions: F, fanout, depth, recursion, seed }) {
  const rand = rng(seed);
  const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  // Layer 0 holds a couple of entry points; the rest spread over the deeper layers.
  const layerOf = new Int32Array(F);
  const layers = [[]];
  const roots = Math.min(F, 1 + Math.floor(F / 2000));
  for (let i = 0; i < roots; i++) layers[0].push(i);
  for (let d = 1; d < depth; d++) layers.push([]);
  for (let i = roots; i < F; i++) {
    const d = depth > 1 ? 1 + Math.floor(((i - roots) * (depth - 1)) / Math.max(1, F - roots)) : 0;
    layerOf[i] = d;
    layers[d].push(i);
  }

  // Forward edges: each function gets one caller in the layer above (so everything is
  // reachable), then each caller gets up to `fanout` callees in the layer below.
  const calleesOf = Array.from({ length: F }, () => new Set());
  for (let d = 1; d < depth; d++) {
    const above = layers[d - 1];
    if (above.length === 0) continue;
    for (const c of layers[d]) calleesOf[above[int(0, above.length - 1)]].add(c);
  }
  for (let d = 0; d + 1 < depth; d++) {
    const below = layers[d + 1];
    if (below.length === 0) continue;
    for (const p of layers[d]) {
      const want = Math.min(below.length, fanout);
      for (let tries = 0; calleesOf[p].size < want && tries < 4 * fanout; tries++) {
        calleesOf[p].add(below[int(0, below.length - 1)]);
      }
    }
  }

  // Own times: heavy-tailed, as real profiles are (a few functions take most of the time).
  const tt = new Float64Array(F);
  for (let i = 0; i < F; i++) tt[i] = 1e-6 * Math.floor(1 + 2000 * Math.pow(rand(), 6) + 20 * rand());
  const ct = new Float64Array(F);
  const edges = Array.from({ length: F }, () => []); // callee -> [{caller, timing}]
  const ncOf = new Int32Array(F);
  // Deepest layer first: a function's ct is known once all its callees' edges are.
  const forwardCallers = Array.from({ length: F }, () => []);
  for (let p = 0; p < F; p++) for (const c of calleesOf[p]) forwardCallers[c].push(p);
  const edgeCt = new Map(); // `${p},${c}` -> ct along the edge
  for (let d = depth - 1; d >= 0; d--) {
    for (const f of layers[d]) {
      let sum = tt[f];
      for (const c of calleesOf[f]) sum += edgeCt.get(`${f},${c}`);
      ct[f] = sum;
      const callers = forwardCallers[f];
      if (callers.length === 0) continue;
      const weights = callers.map(() => 0.05 + Math.pow(rand(), 2));
      const wsum = weights.reduce((a, b) => a + b, 0);
      callers.forEach((p, j) => {
        const share = weights[j] / wsum;
        const nc = int(1, 200);
        ncOf[f] += nc;
        edgeCt.set(`${p},${f}`, ct[f] * share);
        edges[f].push({ caller: p, timing: { cc: nc, nc, tt: tt[f] * share, ct: ct[f] * share }, estimated: false });
      });
    }
  }
  const ccOf = Int32Array.from(ncOf, (n, i) => (layerOf[i] === 0 ? 1 : n));
  for (let i = 0; i < F; i++) if (layerOf[i] === 0) ncOf[i] = 1;

  // Recursion: calls back to a shallower layer or to itself. They add calls (not primitive
  // ones) and a little time along the edge, not to the callee's totals, as cProfile counts
  // re-entrant time once.
  const recursive = Math.round(recursion * F);
  for (let r = 0; r < recursive; r++) {
    const p = int(roots, F - 1);
    const d = int(Math.max(1, layerOf[p] - 3), layerOf[p]);
    const pool = d === layerOf[p] ? [p] : layers[d];
    const c = pool[int(0, pool.length - 1)];
    if (edges[c].some((e) => e.caller === p)) continue;
    const nc = int(1, 20);
    ncOf[c] += nc;
    const share = 0.05 * rand();
    edges[c].push({ caller: p, timing: { cc: 0, nc, tt: tt[c] * share, ct: ct[c] * share }, estimated: false });
  }

  const functions = [];
  for (let i = 0; i < F; i++) {
    const leafBuiltin = calleesOf[i].size === 0 && i % 7 === 0;
    const key = leafBuiltin
      ? { file: '~', line: 0, name: `<built-in method builtins.op_${i}>` }
      : {
          file: `/home/dev/project/pkg${i % 37}/module_${i % 401}.py`,
          line: 10 + ((i * 7) % 3000),
          name: i % 5 === 0 ? `Handler${i % 97}.method_${i}` : `function_${i}`,
        };
    functions.push({ key, stat: { cc: ccOf[i], nc: ncOf[i], tt: tt[i], ct: ct[i] }, callers: edges[i] });
  }
  return { kind: 'callgraph', functions, pythonVersion: 3 };
}

/** Marshal bytes of a synthetic dump. */
function synthDump(spec) {
  const { encodePstats } = require(path.join(__dirname, '..', 'dist', 'encode', 'marshal.js'));
  return encodePstats(synthProfile(spec), 3);
}

function specName(s) {
  return `synth-f${s.functions}-o${s.fanout}-d${s.depth}-r${s.recursion}-s${s.seed}${s.copies > 1 ? `-x${s.copies}` : ''}`;
}

module.exports = { rng, synthProfile, synthDump, specName };
