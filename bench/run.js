#!/usr/bin/env node
'use strict';
/**
 * The benchmark (`npm run bench`; never part of `npm test`): whole CLI runs in fresh
 * processes, each paired with its yardstick in the same run (A B A B ...), medians and
 * their ratio. The machines are shared and noisy, so only ratios are judged.
 *
 *   node bench/run.js [--runs N] [--flameprof04 PATH/flameprof.py] [--baseline DIR] [--only NAME,...]
 *
 * --baseline DIR adds rows against another build of flameprof (a checkout after `npm ci`,
 * such as the one `node scripts/compare-outputs.js REV` leaves in the temporary folder).
 *
 * The Python rows time a ~5 s CPU-bound program (bench/workload.py) plain, under our sampler
 * (-r --sample, 10 ms) and under cProfile (-r): the sampler's budget is 3 % of slowdown.
 * They take about two minutes; --only leaves them out.
 *
 * The shared-reference row reads a dump whose tuples marshal wrote once and named again, against
 * the same dump written out (bench/inputs/make-copies.py makes both).
 *
 * The interchange rows write pprof and speedscope of the sympy dump at --threshold 0.001
 * (132,000 frames) against the folded log of the same frames, and read them back, and a
 * pyinstrument session of the same stacks, against reading the log (--only interchange).
 *
 * The serve rows (bench/serve.js) start `flameprof serve` over 10,000 and 100,000 per-request
 * dumps and time its pages over HTTP against absolute budgets (--only serve).
 *
 * The browser rows (bench/browser.js) time the HTML report and the SVG of ~155,000 frames in
 * headless Chromium: load, zoom and search (--only browser for those alone).
 *
 * NODE_EXTRA_CA_CERTS is unset for both sides of every pair: where it is set it adds the
 * same start-up cost to every Node process and would hide ours.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const cli = path.join(root, 'bin', 'flameprof.js');
const node = process.execPath;
const SYMPY = path.join(__dirname, 'inputs', 'sympy-tests.prof');
// Real runs merged by pstats (bench/inputs/make-merge.py makes it; the rows need it).
const MERGED = path.join(__dirname, 'inputs', 'merged-7mb.prof');
// Copies of a dump, their tuples shared by reference or not (bench/inputs/make-copies.py).
const MAKE_COPIES = path.join(__dirname, 'inputs', 'make-copies.py');

const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const RUNS = Number(flag('--runs') ?? 15);
const FLAMEPROF04 = flag('--flameprof04') && path.resolve(flag('--flameprof04'));
const BASELINE = flag('--baseline') && path.resolve(flag('--baseline'));
const ONLY = flag('--only')?.split(',');

const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flameprof-bench-'));
const out = path.join(scratch, 'out');

/** Wall milliseconds of one fresh process; throws if it failed. */
function time(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, cwd: scratch, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

const median = require('./median');

/** A and B in turn, after one warm-up each: both medians and the median of the pair ratios. */
function paired(a, b, runs = RUNS) {
  time(...a);
  time(...b);
  const as = [];
  const bs = [];
  const ratios = [];
  for (let i = 0; i < runs; i++) {
    as.push(time(...a));
    bs.push(time(...b));
    ratios.push(as[i] / bs[i]);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

const bare = [node, ['-e', '']];
const ours = (...args) => [node, [cli, ...args]];
const py04 = (...args) => ['python3', [FLAMEPROF04, ...args]];
const base = (...args) => [node, [path.join(BASELINE ?? '', 'bin', 'flameprof.js'), ...args]];

/** Each case: what it runs, its yardstick, and the budget on their ratio (if any). */
const CASES = [
  { name: 'start-up (--version)', run: ours('--version'), vs: bare, vsName: "node -e ''" },
  { name: 'sympy-tests.prof, default threshold', run: ours('-o', out, SYMPY), vs: bare, vsName: "node -e ''", budget: 2.0 },
  { name: 'sympy-tests.prof, --threshold 0.001', run: ours('--threshold', '0.001', '-o', out, SYMPY), vs: bare, vsName: "node -e ''" },
  { name: 'merged-7mb.prof, default threshold', run: ours('-o', out, MERGED), vs: bare, vsName: "node -e ''", budget: 4.0 },
];
if (FLAMEPROF04) {
  CASES.push(
    { name: 'sympy-tests.prof, default threshold', run: ours('-o', out, SYMPY), vs: py04(SYMPY), vsName: 'flameprof 0.4', budget: 0.1 },
    {
      name: 'sympy-tests.prof, --threshold 0.001',
      run: ours('--threshold', '0.001', '-o', out, SYMPY),
      vs: py04('--threshold', '0.001', SYMPY),
      vsName: 'flameprof 0.4',
      budget: 0.05,
    },
  );
}

const WORKLOAD = path.join(__dirname, 'workload.py');
const PY_RUNS = Math.min(RUNS, 5);
CASES.push(
  { name: 'python workload, -r --sample', run: ours('-r', WORKLOAD, '--sample', '-o', out), vs: ['python3', [WORKLOAD]], vsName: 'plain python3', budget: 1.03, runs: PY_RUNS },
  { name: 'python workload, -r (cProfile)', run: ours('-r', WORKLOAD, '-o', out), vs: ['python3', [WORKLOAD]], vsName: 'plain python3', runs: PY_RUNS },
);

// A dump whose tuples are shared through marshal references reads as fast as the same dump
// written out (issue 31: no decoding cliff).
const SHARED = path.join(scratch, 'shared4.prof');
const UNSHARED = path.join(scratch, 'unshared4.prof');
spawnSync('python3', [MAKE_COPIES, SYMPY, SHARED, '4', '--shared'], { env });
spawnSync('python3', [MAKE_COPIES, SYMPY, UNSHARED, '4'], { env });
CASES.push({ name: 'sympy x4, tuples shared by reference', run: ours('-o', out, SHARED), vs: ours('-o', out, UNSHARED), vsName: 'the same written out', budget: 1.3 });

// Interchange: the same 132,000 stacks written and read in each format, against the folded log.
const STACKS = ['--threshold', '0.001', SYMPY];
const LOG = path.join(scratch, 'sympy.log');
if (!ONLY || ONLY.includes('interchange')) {
  fs.writeFileSync(LOG, spawnSync(node, [cli, '--format=log', ...STACKS], { env, maxBuffer: 1 << 30 }).stdout);
  fs.writeFileSync(path.join(scratch, 'sympy.pyisession'), JSON.stringify(pyinstrumentSession(fs.readFileSync(LOG, 'utf8'))));
}
for (const [format, file] of [['pprof', 'sympy.pb.gz'], ['speedscope', 'sympy.speedscope.json']]) {
  CASES.push({ name: `interchange: write ${format}, sympy --threshold 0.001`, run: ours(`--format=${format}`, '-o', path.join(scratch, file), ...STACKS), vs: ours('--format=log', '-o', out, ...STACKS), vsName: 'writing the log' });
}
for (const file of ['sympy.pb.gz', 'sympy.speedscope.json', 'sympy.pyisession']) {
  CASES.push({ name: `interchange: read ${file}`, run: ours('--format=log', '-o', out, path.join(scratch, file)), vs: ours('--format=log', '-o', out, LOG), vsName: 'reading the log' });
}

/** A pyinstrument session holding the stacks of a folded log (µs as seconds), as pyinstrument writes one: `[self]` children for own time. */
function pyinstrumentSession(log) {
  const node = (identifier) => ({ identifier, time: 0, children: [] });
  const root = node('root\0bench\x000');
  const children = new Map([[root, new Map()]]);
  for (const line of log.split('\n')) {
    if (!line) continue;
    const cut = line.lastIndexOf(' ');
    const seconds = Number(line.slice(cut + 1)) / 1e6;
    let at = root;
    at.time += seconds;
    for (const frame of line.slice(0, cut).split(';')) {
      const [, file, first, name] = /^(.*):(-?\d+):(.*)$/.exec(frame);
      const id = `${name}\0${file}\0${first}`;
      let next = children.get(at).get(id);
      if (!next) {
        next = node(id);
        children.get(at).set(id, next);
        children.set(next, new Map());
        at.children.push(next);
      }
      next.time += seconds;
      at = next;
    }
    at.children.push({ identifier: '[self]', time: seconds, children: [] });
  }
  return { session: { sample_count: 0 }, frame_tree: root };
}

if (BASELINE) {
  for (const threshold of ['0.1', '0.001']) {
    const args = ['--threshold', threshold, '-o', out, SYMPY];
    CASES.push({ name: `sympy-tests.prof, --threshold ${threshold}`, run: ours(...args), vs: base(...args), vsName: 'baseline' });
  }
}

let failed = 0;
console.log(`${RUNS} paired fresh processes per row (${PY_RUNS} for Python), medians; NODE_EXTRA_CA_CERTS unset on both sides`);
console.log('| case | ours | yardstick | ratio | budget |');
console.log('| --- | ---: | ---: | ---: | --- |');
for (const c of CASES) {
  if (ONLY && !ONLY.some((o) => c.name.includes(o) || c.vsName.includes(o))) continue;
  if (c.run[1].includes(MERGED) && !fs.existsSync(MERGED)) {
    console.log(`| ${c.name} | | | | skipped: run python3 bench/inputs/make-merge.py first |`);
    continue;
  }
  // flameprof 0.4 writes its SVG to stdout: the comparison is with our -o of the same graph.
  const r = paired(c.run, c.vs, c.runs);
  const verdict = c.budget === undefined ? '' : r.ratio <= c.budget ? `PASS (at most ${c.budget}x)` : `FAIL (at most ${c.budget}x)`;
  if (verdict.startsWith('FAIL')) failed++;
  console.log(`| ${c.name} | ${r.a.toFixed(0)} ms | ${c.vsName} ${r.b.toFixed(0)} ms | ${r.ratio.toFixed(2)}x | ${verdict} |`);
}

/** The figures of issue 17 that are not a pair of commands. Returns how many budgets failed. */
function scaleRows() {
  let bad = 0;
  const row = (name, value, budget, unit, detail) => {
    const ok = value <= budget;
    if (!ok) bad++;
    console.log(`| ${name} | ${value.toFixed(unit === 'x' ? 2 : 0)}${unit} | ${detail} | | ${ok ? 'PASS' : 'FAIL'} (at most ${budget}${unit}) |`);
  };
  const runs = Math.min(RUNS, 7);
  // Decode + estimate, cold against warm, in fresh processes.
  const stages = Array.from({ length: runs }, () => JSON.parse(spawnSync(node, [path.join(__dirname, 'stages.js'), SYMPY], { env, encoding: 'utf8' }).stdout));
  row('sympy-tests.prof: decode + estimate, cold / warm', median(stages.map((s) => s.cold / s.warm)), 2, 'x', `cold ${median(stages.map((s) => s.cold)).toFixed(0)} ms, warm ${median(stages.map((s) => s.warm)).toFixed(0)} ms`);
  // Peak RSS beyond --version's, per call edge of the big merge.
  if (fs.existsSync(MERGED)) {
    const maxRss = (args) => {
      const r = spawnSync('/usr/bin/time', ['-f', '%M', node, cli, ...args], { env, cwd: scratch, encoding: 'utf8' });
      return Number(r.stderr.trim().split('\n').pop()) * 1024;
    };
    const edges = require('../dist/index.js').loadProfiles([MERGED]).caller.length;
    const base = median(Array.from({ length: 3 }, () => maxRss(['--version'])));
    const peak = median(Array.from({ length: 3 }, () => maxRss(['-o', out, MERGED])));
    row('merged-7mb.prof: peak RSS per call edge', (peak - base) / edges, 400, ' B', `${(peak / 2 ** 20).toFixed(0)} MB, ${edges} edges, base ${(base / 2 ** 20).toFixed(0)} MB`);
  }
  // 16 disjoint copies of one dump: the time beyond decoding (a run at --threshold 100 draws nothing).
  const copies = path.join(scratch, 'copies16.prof');
  spawnSync('python3', [MAKE_COPIES, SYMPY, copies, '16'], { env });
  const beyond = (dump) => {
    const full = paired(ours('-o', out, dump), ours('--threshold', '100', '-o', out, dump), Math.min(RUNS, 9));
    return full.a - full.b;
  };
  const one = beyond(SYMPY);
  const sixteen = beyond(copies);
  row('16 disjoint copies / one, time beyond decode', sixteen / one, 3, 'x', `${sixteen.toFixed(0)} ms against ${one.toFixed(0)} ms`);
  return bad;
}

(async () => {
  if (!ONLY || ONLY.includes('scale')) failed += scaleRows();
  if (!ONLY || ONLY.includes('serve')) failed += await require('./serve').runServeBench({ cli, node, env, scratch });
  if (!ONLY || ONLY.includes('browser')) {
    failed += await require('./browser').runBrowserBench({ cli, node, env, scratch, input: SYMPY });
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  process.exitCode = failed === 0 ? 0 : 1;
})();
