/**
 * The estimator where flameprof 0.4 breaks or where the numbers are easy to get subtly
 * wrong (docs/how-it-works.md, "Where flameprof 0.4 fails"): no candidate root, no time at all, profile
 * module dumps, zero caller sums, suspicious roots, very deep graphs, frame explosions,
 * Python's rounding and string order. Expected values are worked out by hand from the spec
 * and the dumps, never taken from our own output.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMarshal, type PyValue } from '../../src/import/marshal';
import { encodePstats } from '../helpers/encode-marshal';
import { FlameprofError } from '../../src/errors';
import { estimateFrames } from '../../src/frames/estimate';
import { buildFrames, render, renderToString } from '../../src/pipeline';
import { readProfile } from '../../src/pipeline';
import type { Frame, FrameSet } from '../../src/frames/frame-set';
import { readPstats } from '../../src/import/pstats';
import { compareCodePoints, compareFuncKeys } from '../../src/model/keys';
import { callGraphFromObjects, callGraphObjects, type FunctionStats, type Timing } from '../../src/model/objects';
import type { CallGraphProfile } from '../../src/model/profile';
import { roundHalfEven } from '../../src/model/pynum';
import { readOurSvg } from '../helpers/svg-frames';

const FIXTURES = join(__dirname, '..', 'fixtures');

// ---- building profiles by hand --------------------------------------------------------

interface FnSpec {
  name: string;
  /** (cc = nc, tt, ct) of the function itself. */
  n?: number;
  tt: number;
  ct: number;
  /** Callers by name: an (n, tt, ct) edge (cProfile), or a plain count (profile module). */
  callers?: Array<[string, { n?: number; tt: number; ct: number } | number]>;
  file?: string;
}

/** A call-graph profile in dump order; function `i` sits at line `i + 1` of `app.py`. */
function profile(fns: FnSpec[]): CallGraphProfile {
  const index = new Map(fns.map((f, i) => [f.name, i]));
  const functions: FunctionStats[] = fns.map((f, i) => ({
    key: { file: f.file ?? 'app.py', line: i + 1, name: f.name },
    stat: { cc: f.n ?? 1, nc: f.n ?? 1, tt: f.tt, ct: f.ct },
    callers: (f.callers ?? []).map(([name, e]) => {
      const caller = index.get(name);
      if (caller === undefined) throw new Error(`no function ${name}`);
      return typeof e === 'number'
        ? { caller, timing: { cc: e, nc: e, tt: 0, ct: 0 }, estimated: true }
        : { caller, timing: { cc: e.n ?? 1, nc: e.n ?? 1, tt: e.tt, ct: e.ct }, estimated: false };
    }),
  }));
  return callGraphFromObjects(functions);
}

/** What a frame is, in words: `level name@x+w`, for readable expectations. */
function describeFrames(fs: FrameSet, list: Frame[]): Array<{ level: number; name: string; x: number; w: number; color: string }> {
  return list.map((f) => ({ level: f.level, name: fs.funcs[f.func].key.name, x: f.x, w: f.w, color: f.color }));
}

/** An attribute holding NaN or Infinity (the embedded script may say "Infinity" legitimately). */
const NON_FINITE_ATTRIBUTE = /="[^"]*(?:NaN|Infinity)[^"]*"/;

function log(fs: FrameSet, logMult = 1000000): string {
  return renderToString(fs, { format: 'log', logMult });
}

/** Every number a frame carries is finite (no NaN from a division by zero). */
function expectFinite(fs: FrameSet): void {
  for (const f of [...fs.flame.toArray(), ...fs.inverted.toArray()]) {
    for (const v of [f.x, f.w, f.cc, f.nc, f.tt, f.ct, f.self]) expect(Number.isFinite(v)).toBe(true);
  }
}

// ---- section 7: where the reference breaks --------------------------------------------

describe('empty.prof: only the profiler\'s own disable, so no candidate root', () => {
  const fs = buildFrames(readProfile(readFileSync(join(FIXTURES, 'empty.prof')), 'empty.prof'));
  const NAME = "<method 'disable' of '_lsprof.Profiler' objects>";
  const LABEL = `~:0:${NAME}`;
  // From the dump: one function, no callers, tt = ct = 7.210000000000001e-07 s.

  test('total is the sum of own times and the one function fills the graph', () => {
    expect(fs.total).toBe(7.210000000000001e-7);
    expect(fs.warnings).toEqual([]);
    expect(describeFrames(fs, fs.flame.toArray())).toEqual([{ level: 0, name: NAME, x: 0, w: 7.210000000000001e-7, color: 'normal' }]);
    // It calls nothing, so the inverted section draws it in the callee-less palette.
    expect(describeFrames(fs, fs.inverted.toArray())).toEqual([{ level: 0, name: NAME, x: 0, w: 7.210000000000001e-7, color: 'calleeless' }]);
  });

  test('renders: an SVG with both frames full width, and a one-line log', () => {
    const svg = readOurSvg(renderToString(fs, { format: 'svg' }));
    expect(svg.frames.map((f) => [f.section, f.x, f.width])).toEqual([
      ['flame', 0, 1199],
      ['inverted', 0, 1199],
    ]);
    // 7.21e-7 s * 1e6 = 0.721 µs -> 1
    expect(log(fs)).toBe(`${LABEL} 1\n`);
  });
});

describe('a profile that holds no time', () => {
  const zero = profile([
    { name: 'main', tt: 0, ct: 0 },
    { name: 'work', tt: 0, ct: 0, callers: [['main', { tt: 0, ct: 0 }]] },
  ]);

  test.each([
    ['own times adding up to 0', zero],
    ['an empty dict {} (as Python writes it)', readPstats(Buffer.from('{0', 'latin1'))],
    ['an empty dict {} (flagged for reference)', readPstats(Uint8Array.from([0xfb, 0x30]))],
    ['an empty dict {} from our encoder', readPstats(encodePstats(callGraphFromObjects([])))],
  ])('%s: a warning, an SVG that says so, an empty log', (_what, p) => {
    const fs = buildFrames(p);
    expect(fs.warnings).toHaveLength(1);
    expect(fs.warnings[0]).toMatch(/no time/);
    expect(fs.flame.toArray()).toEqual([]);
    expect(fs.inverted.toArray()).toEqual([]);
    const text = renderToString(fs, { format: 'svg' });
    const svg = readOurSvg(text);
    expect(svg.frames).toEqual([]);
    expect(svg.height).toBeGreaterThan(svg.offset);
    const notes = Array.from(svg.document.documentElement.getElementsByTagName('text')).map((t) => t.textContent);
    expect(notes.some((t) => /holds no time/.test(t ?? ''))).toBe(true);
    expect(text).not.toMatch(NON_FINITE_ATTRIBUTE);
    expect(log(fs)).toBe('');
  });
});

describe('pyprofile.prof: the pure-Python profile module (callers hold call counts)', () => {
  const p = readProfile(readFileSync(join(FIXTURES, 'pyprofile.prof')), 'pyprofile.prof') as CallGraphProfile;
  const fs = buildFrames(p);
  // The dump (values copied from it):
  //   profile:0:profiler               (0, 0, 0, 0)            no callers: the only root, ct 0
  //   profile:0:alpha(3000); gamma()   tt 2.2363999999996942e-05, ct 0.04987732299999973   <- profiler: 1
  //   :0:exec                          tt 4.6438999999995345e-05, ct 0.04975881699999974   <- alpha...: 1
  //   :0:setprofile                    tt 9.614199999999351e-05,  ct 9.614199999999351e-05 <- alpha...: 1
  // The roots' ct is 0, so they are suspicious; the biggest non-root, "alpha(3000); gamma()",
  // brings the total within (0.8, 1.2) of the own times' sum and becomes a root: total = its ct.
  const TOTAL = 0.04987732299999973;

  test('every edge is a call count', () => {
    expect(callGraphObjects(p).every((f) => f.callers.every((e) => e.estimated))).toBe(true);
    expect(callGraphObjects(p).filter((f) => f.callers.length === 0).map((f) => f.key.name)).toEqual(['profiler']);
  });

  test('the total comes from the extra root, and nothing is said: the only root is the profiler\'s own entry', () => {
    expect(fs.total).toBe(TOTAL);
    expect(fs.warnings).toEqual([]);
  });

  test('the first frames, worked out by hand', () => {
    const [alpha, exec] = fs.flame.toArray();
    expect(describeFrames(fs, [alpha])).toEqual([{ level: 0, name: 'alpha(3000); gamma()', x: 0, w: TOTAL, color: 'normal' }]);
    // Children of alpha are guessed (their edges are call counts); the time left after
    // alpha's own is shared among them in proportion to their ct.
    const factor = (TOTAL - 2.2363999999996942e-5) / (0.04975881699999974 + 9.614199999999351e-5);
    expect(fs.funcs[exec.func].label).toBe(':0:exec');
    expect(exec.level).toBe(1);
    expect(exec.x).toBe(0);
    expect(exec.color).toBe('guessed');
    expect(exec.w).toBeCloseTo(0.04975881699999974 * factor, 15);
    expect(exec.tt).toBeCloseTo(4.6438999999995345e-5 * factor, 15);
    const setprofile = fs.flame.toArray().find((f) => fs.funcs[f.func].key.name === 'setprofile')!;
    expect(setprofile.level).toBe(1);
    expect(setprofile.color).toBe('guessed');
    expect(setprofile.x).toBeCloseTo(exec.w, 15);
    expect(setprofile.w).toBeCloseTo(9.614199999999351e-5 * factor, 15);
    // Only the first guessed frame on a path is green; below it the colour is normal.
    const below = fs.flame.toArray().filter((f) => f.level >= 2);
    expect(below.length).toBeGreaterThan(0);
    expect(below.every((f) => f.color === 'normal')).toBe(true);
  });

  test('the log lines add up to the total (no recursion here, so nothing is counted twice)', () => {
    const lines = log(fs).trimEnd().split('\n');
    expect(lines).toHaveLength(fs.flame.length);
    const sum = lines.reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    expect(Math.abs(sum - TOTAL * 1e6)).toBeLessThanOrEqual(lines.length);
  });

  test('renders, with the guessed frames in the green palette', () => {
    const svg = readOurSvg(renderToString(fs, { format: 'svg' }));
    const green = ['rgb(44,255,210)', 'rgb(57,242,168)', 'rgb(71,230,126)', 'rgb(85,218,84)', 'rgb(99,206,42)'];
    const exec = svg.frames.find((f) => f.title.startsWith(':0:exec '))!;
    expect(green).toContain(exec.fill);
  });
});

test('profile-module edges share the callee\'s times by call count', () => {
  // C ran 4 times (own 0.4 s): once from A, 3 times from B. A's and B's edges say only that.
  // main 0.1 + A (0.1 + 0.1 of C) + B (0.1 + 0.3 of C) = 0.7 s.
  const p = readPstats(
    encodePstats(
      profile([
        { name: 'main', tt: 0.1, ct: 0.7 },
        { name: 'A', tt: 0.1, ct: 0.2, callers: [['main', 1]] },
        { name: 'B', tt: 0.1, ct: 0.4, callers: [['main', 1]] },
        { name: 'C', n: 4, tt: 0.4, ct: 0.4, callers: [['A', 1], ['B', 3]] },
      ]),
    ),
  );
  const fs = buildFrames(p);
  expect(fs.warnings).toEqual([]);
  const got = describeFrames(fs, fs.flame.toArray()).map((f) => ({ ...f, x: +f.x.toFixed(12), w: +f.w.toFixed(12) }));
  expect(got).toEqual([
    { level: 0, name: 'main', x: 0, w: 0.7, color: 'normal' },
    { level: 1, name: 'A', x: 0, w: 0.2, color: 'guessed' },
    { level: 2, name: 'C', x: 0, w: 0.1, color: 'normal' },
    { level: 1, name: 'B', x: 0.2, w: 0.4, color: 'guessed' },
    { level: 2, name: 'C', x: 0.2, w: 0.3, color: 'normal' },
  ]);
  // The call counts on the edges are the dump's: 1 from A, 3 from B.
  expect(fs.flame.toArray().filter((f) => fs.funcs[f.func].key.name === 'C').map((f) => f.nc)).toEqual([1, 3]);
  expect(log(fs)).toBe(
    'app.py:1:main 100000\n' +
      'app.py:1:main;app.py:2:A 100000\n' +
      'app.py:1:main;app.py:2:A;app.py:4:C 100000\n' +
      'app.py:1:main;app.py:3:B 100000\n' +
      'app.py:1:main;app.py:3:B;app.py:4:C 300000\n',
  );
  // Inverted: C's own 0.4 s, through A (1 call of 4) and B (3 of 4).
  const inv = describeFrames(fs, fs.inverted.toArray()).map((f) => ({ ...f, x: +f.x.toFixed(12), w: +f.w.toFixed(12) }));
  const c = inv.findIndex((f) => f.level === 0 && f.name === 'C');
  expect(inv.slice(c, c + 5)).toEqual([
    { level: 0, name: 'C', x: 0.3, w: 0.4, color: 'calleeless' },
    { level: 1, name: 'A', x: 0.3, w: 0.1, color: 'caller' },
    { level: 2, name: 'main', x: 0.3, w: 0.1, color: 'caller' },
    { level: 1, name: 'B', x: 0.4, w: 0.3, color: 'caller' },
    { level: 2, name: 'main', x: 0.4, w: 0.3, color: 'caller' },
  ]);
});

test('callers whose edges add up to 0 get no width in the inverted section (the reference divides by zero)', () => {
  // work ran 0.5 s of its own, but the edge from main says 0 (a coarse timer does this).
  const p = profile([
    { name: 'main', tt: 0.5, ct: 1 },
    { name: 'work', tt: 0.5, ct: 0.5, callers: [['main', { tt: 0, ct: 0 }]] },
  ]);
  for (const threshold of [0, 0.1]) {
    const fs = buildFrames(p, { threshold });
    expectFinite(fs);
    expect(fs.total).toBe(1);
    expect(describeFrames(fs, fs.inverted.toArray())).toEqual([
      { level: 0, name: 'main', x: 0, w: 0.5, color: 'normal' },
      { level: 0, name: 'work', x: 0.5, w: 0.5, color: 'calleeless' },
    ]);
    expect(log(fs)).toBe('app.py:1:main 500000\n');
    const text = renderToString(fs, { format: 'svg' });
    expect(text).not.toMatch(NON_FINITE_ATTRIBUTE);
    expect(readOurSvg(text).frames.map((f) => f.section)).toEqual(['flame', 'inverted', 'inverted']);
  }
});

describe("the \"can't find proper roots\" warning", () => {
  test('goes to FrameSet.warnings, and the library prints nothing', () => {
    // The root claims 10 s cumulative, but own times add up to 2 s.
    const p = profile([
      { name: 'main', tt: 1, ct: 10 },
      { name: 'work', tt: 1, ct: 9, callers: [['main', { tt: 1, ct: 9 }]] },
    ]);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const fs = buildFrames(p);
      renderToString(fs, { format: 'svg' });
      expect(fs.warnings).toHaveLength(1);
      expect(fs.warnings[0]).toMatch(/^the flame's bottom row is 500 % of the width: /);
      // (10 + 9) / 2 is no better, so 100 % is the sum of own times.
      expect(fs.total).toBe(2);
      for (const spy of [err, out, warn, error]) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of [err, out, warn, error]) spy.mockRestore();
    }
  });

  /** rootsum / selfsum straight from the decoded dump, as the spec defines them, and with flameprof's extra root. */
  function rootRatios(file: string): { roots: number; withExtra: number } {
    const top = decodeMarshal(readFileSync(join(FIXTURES, file))).value as Extract<PyValue, { type: 'dict' }>;
    let rootsum = 0;
    let selfsum = 0;
    let biggest = -Infinity;
    for (const [, v] of top.entries) {
      const [, , tt, ct, callers] = (v as Extract<PyValue, { type: 'tuple' }>).items;
      selfsum += tt as number;
      if ((callers as Extract<PyValue, { type: 'dict' }>).entries.length === 0) rootsum += ct as number;
      else biggest = Math.max(biggest, ct as number);
    }
    return { roots: rootsum / selfsum, withExtra: (rootsum + biggest) / selfsum };
  }
  const within = (r: number): boolean => r > 0.8 && r < 1.2;

  test.each(['textproc.prof', 'merged.prof', 'sample-py3.prof', 'recursion.prof', 'pyprofile.prof'])(
    '%s: warned exactly when neither the roots nor the roots with the extra root add up',
    (file) => {
      const r = rootRatios(file);
      const fs = buildFrames(readProfile(readFileSync(join(FIXTURES, file)), file));
      const warned = fs.warnings.some((w) => w.startsWith("the flame's bottom row"));
      expect(warned).toBe(!within(r.roots) && !within(r.withExtra));
    },
  );

  test('both kinds of fixture are covered', () => {
    // textproc's only root is the profiler's disable (0.69 µs of 0.1 s), and the extra root
    // (exec) makes it add up: nothing is said.
    expect(within(rootRatios('textproc.prof').roots)).toBe(false);
    expect(within(rootRatios('textproc.prof').withExtra)).toBe(true);
    expect(within(rootRatios('sample-py3.prof').roots)).toBe(true);
  });
});

// ---- size: deep graphs and exploding ones ---------------------------------------------

/** f0 -> f1 -> ... -> f(n-1); only the last one has own time (1 s). */
function chain(n: number): CallGraphProfile {
  const functions: FunctionStats[] = [];
  for (let i = 0; i < n; i++) {
    const t: Timing = { cc: 1, nc: 1, tt: i === n - 1 ? 1 : 0, ct: 1 };
    functions.push({
      key: { file: 'c.py', line: i, name: `f${i}` },
      stat: t,
      callers: i === 0 ? [] : [{ caller: i - 1, timing: t, estimated: false }],
    });
  }
  return callGraphFromObjects(functions);
}

describe('a call chain 50,000 deep', () => {
  const N = 50000;
  const fs = buildFrames(chain(N), { maxDepth: N });

  test('estimates without overflowing the stack: one frame per level in both sections', () => {
    expect(fs.total).toBe(1);
    expect(fs.flame.toArray()).toHaveLength(N);
    expect(fs.inverted.toArray()).toHaveLength(N);
    expect(fs.flame.toArray()[N - 1]).toMatchObject({ level: N - 1, x: 0, w: 1, self: 1 });
    // Inverted: the leaf (the only own time), then its callers up to f0.
    expect(fs.inverted.toArray()[0].func).toBe(N - 1);
    expect(fs.inverted.toArray()[N - 1]).toMatchObject({ level: N - 1, func: 0, w: 1 });
  });

  test('renders the SVG', () => {
    const text = renderToString(fs, { format: 'svg' });
    expect(text.match(/<g class="f"/g)).toHaveLength(2 * N);
    // The root frame is at the bottom of the flame, N - 1 rows down; the deepest caller at
    // the bottom of the inverted section, after the blank row.
    const h = 24;
    const ys = [...text.matchAll(/<rect x="0" y="(\d+)"/g)].map((m) => Number(m[1]));
    expect(ys[0]).toBe((N - 1) * h);
    expect(ys[ys.length - 1]).toBe(N * h + h + (N - 1) * h);
    const svg = /<svg [^>]*\sheight="(\d+)"/.exec(text)!;
    const offset = Number(/<g id="frames" transform="translate\(0,(\d+)\)"/.exec(text)![1]);
    expect(Number(svg[1]) - offset).toBe(2 * N * h + h);
  });

  test('streams the log (a line per frame, each holding its whole path)', () => {
    // The whole log holds N²/2 labels (gigabytes), so read the start of the stream only;
    // the generator must not have to build it all (or recurse) to yield the first lines.
    const it = render(fs, { format: 'log', maxOutput: Infinity })[Symbol.iterator]();
    const first = it.next();
    expect(first.done).toBe(false);
    const lines = Buffer.from(first.value as Uint8Array).toString('utf8').split('\n');
    expect(lines[0]).toBe('c.py:0:f0 0');
    expect(lines[2]).toBe('c.py:0:f0;c.py:1:f1;c.py:2:f2 0');
    it.return?.(undefined);
  });

  test('a 1,000-deep chain has the exact log', () => {
    const n = 1000;
    const labels = Array.from({ length: n }, (_, i) => `c.py:${i}:f${i}`);
    let expected = '';
    for (let d = 0; d < n; d++) expected += `${labels.slice(0, d + 1).join(';')} ${d === n - 1 ? 1000000 : 0}\n`;
    expect(log(buildFrames(chain(n)))).toBe(expected);
  });
});

/**
 * A DAG of `layers` layers of two functions, each calling both of the next layer: 2^layers
 * paths. Times are consistent: every function runs 1 s of its own, and shares its callees'
 * time equally with the other caller.
 */
function diamonds(layers: number): CallGraphProfile {
  const functions: FunctionStats[] = [];
  const ctOf = (l: number): number => layers - l; // 1 s own + the next layer's share
  functions.push({ key: { file: 'd.py', line: 0, name: 'root' }, stat: { cc: 1, nc: 1, tt: 1, ct: 1 + 2 * ctOf(1) }, callers: [] });
  for (let l = 1; l < layers; l++) {
    for (let j = 0; j < 2; j++) {
      const callers = l === 1 ? [0] : [2 * (l - 1) - 1, 2 * (l - 1)];
      const ct = ctOf(l);
      functions.push({
        key: { file: 'd.py', line: l, name: `n${l}_${j}` },
        stat: { cc: callers.length, nc: callers.length, tt: 1, ct },
        callers: callers.map((caller) => ({ caller, timing: { cc: 1, nc: 1, tt: 1 / callers.length, ct: ct / callers.length }, estimated: false })),
      });
    }
  }
  return callGraphFromObjects(functions);
}

describe('the frame budget', () => {
  test('turns an explosion into a FlameprofError that names --threshold', () => {
    const p = diamonds(40);
    let caught: unknown;
    try {
      estimateFrames(p, { threshold: 0, maxFrames: 10000 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(FlameprofError);
    expect((caught as Error).message).toMatch(/more than 10000 frames/);
    expect((caught as Error).message).toMatch(/--threshold 0\b/);
    // The advice works: at 1 % the same graph is small.
    const fs = estimateFrames(p, { threshold: 1, maxFrames: 10000 });
    expect(fs.flame.length).toBeGreaterThan(0);
    expect(fs.flame.length + fs.inverted.length).toBeLessThanOrEqual(10000);
  });

  test('--threshold 0 on a real profile with a small --max-frames errors clearly', () => {
    const p = readProfile(readFileSync(join(FIXTURES, 'textproc.prof')), 'textproc.prof');
    expect(() => buildFrames(p, { threshold: 0, maxFrames: 1000 })).toThrow(FlameprofError);
    expect(() => buildFrames(p, { threshold: 0, maxFrames: 1000 })).toThrow(
      /^the graph would have more than 1000 frames at --threshold 0; raise --threshold \(or --max-frames/,
    );
  });

  test('is a limit, not a target: exactly maxFrames frames pass', () => {
    const p = profile([
      { name: 'main', tt: 1, ct: 2 },
      { name: 'work', tt: 1, ct: 1, callers: [['main', { tt: 1, ct: 1 }]] },
    ]);
    // 2 flame frames + 2 inverted (main, work) + work's caller main = 5.
    expect(() => buildFrames(p, { maxFrames: 5 })).not.toThrow();
    expect(() => buildFrames(p, { maxFrames: 4 })).toThrow(FlameprofError);
  });
});

// ---- Python semantics ------------------------------------------------------------------

describe('round half to even, as Python\'s round()', () => {
  test.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-0.5, 0],
    [-1.5, -2],
    [0.49999999999999994, 0],
    [4503599627370497, 4503599627370497],
    [2674.9999999999995, 2675],
  ])('round(%p) = %p', (x, r) => {
    expect(roundHalfEven(x) === r).toBe(true);
  });

  test('in the log: a frame whose self * log-mult is exactly x.5', () => {
    const p = profile([
      { name: 'R', tt: 2.5, ct: 8 },
      { name: 'A', tt: 0.5, ct: 0.5, callers: [['R', { tt: 0.5, ct: 0.5 }]] },
      { name: 'B', tt: 1.5, ct: 1.5, callers: [['R', { tt: 1.5, ct: 1.5 }]] },
      { name: 'C', tt: 3.5, ct: 3.5, callers: [['R', { tt: 3.5, ct: 3.5 }]] },
    ]);
    const fs = buildFrames(p);
    // Half up would give 3, 1, 2, 4.
    expect(log(fs, 1)).toBe('app.py:1:R 2\napp.py:1:R;app.py:2:A 0\napp.py:1:R;app.py:3:B 2\napp.py:1:R;app.py:4:C 4\n');
    // At log-mult 3: 7.5, 1.5, 4.5, 10.5 (all exact in binary).
    expect(log(fs, 3)).toBe('app.py:1:R 8\napp.py:1:R;app.py:2:A 2\napp.py:1:R;app.py:3:B 4\napp.py:1:R;app.py:4:C 10\n');
  });
});

describe('string order by code point, as Python compares str', () => {
  test.each([
    ['\uff5e', '\u{1f600}'], // BMP above the surrogates < astral (UTF-16 units say otherwise)
    ['\ue000', '\u{1f600}'],
    ['\uffff', '\u{10000}'],
    ['\u{1f600}', '\u{1f601}'],
    ['\ud83dA', '\u{1f600}'], // a lone high surrogate is the code point U+D83D
    ['\ud800', '\udfff'],
    ['z', '\ud800'],
    ['ab', 'ab\u{1f600}'],
    ['a\uffffz', 'a\u{1f600}'],
  ])('%j < %j', (a, b) => {
    expect(compareCodePoints(a, b)).toBeLessThan(0);
    expect(compareCodePoints(b, a)).toBeGreaterThan(0);
    expect(compareCodePoints(a, a)).toBe(0);
  });

  test('sorting matches Python\'s sorted()', () => {
    const items = ['\uff5e', '\u{1f600}', '\ue000', '\ud83dA', '\u{1f601}', '\uffff', 'z', '\ud800', '\udfff', '\u{10000}'];
    // sorted() of the same list in Python 3.11:
    const python = ['z', '\ud800', '\ud83dA', '\udfff', '\ue000', '\uff5e', '\uffff', '\u{10000}', '\u{1f600}', '\u{1f601}'];
    expect([...items].sort(compareCodePoints)).toEqual(python);
  });

  test('keys order by file, then line as a number, then name', () => {
    const k = (file: string, line: number, name: string) => ({ file, line, name });
    expect(compareFuncKeys(k('a', 10, 'x'), k('a', 9, 'y'))).toBeGreaterThan(0);
    expect(compareFuncKeys(k('a', 10, 'x'), k('b', 1, 'a'))).toBeLessThan(0);
    expect(compareFuncKeys(k('a', 1, '\u{1f600}'), k('a', 1, '\uffee'))).toBeGreaterThan(0);
  });

  test('frames (and log lines) of one parent follow that order', () => {
    const names = ['x\u{1f600}', 'x\uff5e', 'xA', 'x\ue000'];
    const p = profile([
      { name: 'main', tt: 0, ct: 4 },
      ...names.map((name) => ({ name, file: 'm.py', tt: 1, ct: 1, callers: [['main', { tt: 1, ct: 1 }]] as FnSpec['callers'] })),
    ]);
    // Give every child the same line so that only the names decide.
    const same = callGraphFromObjects(callGraphObjects(p).map((f, i) => (i === 0 ? f : { ...f, key: { ...f.key, line: 7 } })));
    const fs = buildFrames(same);
    expect(fs.flame.toArray().slice(1).map((f) => fs.funcs[f.func].key.name)).toEqual(['xA', 'x\ue000', 'x\uff5e', 'x\u{1f600}']);
  });
});
