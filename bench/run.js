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

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

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
  { name: 'sympy-tests.prof, default threshold', run: ours('-o', out, SYMPY), vs: bare, vsName: "node -e ''" },
  { name: 'sympy-tests.prof, --threshold 0.001', run: ours('--threshold', '0.001', '-o', out, SYMPY), vs: bare, vsName: "node -e ''" },
];
if (FLAMEPROF04) {
  CASES.push(
    { name: 'sympy-tests.prof, default threshold', run: ours('-o', out, SYMPY), vs: py04(SYMPY), vsName: 'flameprof 0.4' },
    {
      name: 'sympy-tests.prof, --threshold 0.001',
      run: ours('--threshold', '0.001', '-o', out, SYMPY),
      vs: py04('--threshold', '0.001', SYMPY),
      vsName: 'flameprof 0.4',
    },
  );
}

const WORKLOAD = path.join(__dirname, 'workload.py');
const PY_RUNS = Math.min(RUNS, 5);
CASES.push(
  { name: 'python workload, -r --sample', run: ours('-r', WORKLOAD, '--sample', '-o', out), vs: ['python3', [WORKLOAD]], vsName: 'plain python3', budget: 1.03, runs: PY_RUNS },
  { name: 'python workload, -r (cProfile)', run: ours('-r', WORKLOAD, '-o', out), vs: ['python3', [WORKLOAD]], vsName: 'plain python3', runs: PY_RUNS },
);

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
  // flameprof 0.4 writes its SVG to stdout: the comparison is with our -o of the same graph.
  const r = paired(c.run, c.vs, c.runs);
  const verdict = c.budget === undefined ? '' : r.ratio <= c.budget ? `PASS (at most ${c.budget}x)` : `FAIL (at most ${c.budget}x)`;
  if (verdict.startsWith('FAIL')) failed++;
  console.log(`| ${c.name} | ${r.a.toFixed(0)} ms | ${c.vsName} ${r.b.toFixed(0)} ms | ${r.ratio.toFixed(2)}x | ${verdict} |`);
}

(async () => {
  if (!ONLY || ONLY.includes('browser')) {
    failed += await require('./browser').runBrowserBench({ cli, node, env, scratch, input: SYMPY });
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  process.exitCode = failed === 0 ? 0 : 1;
})();
