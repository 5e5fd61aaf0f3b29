/**
 * Folded stacks (`a;b;c 123` lines): flamegraph.pl input, our own --format=log, plop's
 * `.flame`. Reading, the frames they give, errors, and the round trip pstats -> log -> SVG.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlameprofError, InputError } from '../../src/errors';
import { buildFrames, loadProfiles, renderToString } from '../../src/pipeline';
import { readProfile } from '../../src/pipeline';
import { mergeProfiles } from '../../src/import/merge';
import type { FrameSet } from '../../src/frames/frame-set';
import { PALETTES } from '../../src/render/colour';
import { NO_LINE, parseFrameName, readFolded } from '../../src/import/folded';
import type { Options } from '../../src/options';
import type { SampledProfile } from '../../src/model/profile';
import { readOurSvg, type SvgFrame } from '../helpers/svg-frames';
import { expectFramesLikePython } from './plop.test';

const FIXTURES = join(__dirname, '..', 'fixtures');
const SAMPLED = join(FIXTURES, 'sampled');
const CLI = join(__dirname, '..', '..', 'bin', 'flameprof.js');

const expected = JSON.parse(readFileSync(join(SAMPLED, 'expected.json'), 'utf8')) as {
  flame: Parameters<typeof expectFramesLikePython>[1];
};

const framesOf = (text: string, opts: Partial<Options> = {}): FrameSet => buildFrames(readProfile(Buffer.from(text), 'in.txt', opts), opts);
const labels = (fs: FrameSet): string[] => fs.flame.toArray().map((f) => fs.funcs[f.func].label);

describe('frame names', () => {
  const cases: Array<[string, { file: string; line: number; name: string }]> = [
    ['/usr/lib/python3.11/json/encoder.py:200:encode', { file: '/usr/lib/python3.11/json/encoder.py', line: 200, name: 'encode' }],
    ['<frozen runpy>:198:_run_module_as_main', { file: '<frozen runpy>', line: 198, name: '_run_module_as_main' }],
    ['C:\\app\\x.py:12:main', { file: 'C:\\app\\x.py', line: 12, name: 'main' }],
    ['~:0:<built-in method builtins.len>', { file: '~', line: 0, name: '<built-in method builtins.len>' }],
    ['~:0:<method \'get\' of \'dict\' objects>', { file: '~', line: 0, name: "<method 'get' of 'dict' objects>" }],
    [':0:exec', { file: '', line: 0, name: 'exec' }],
    ['a.py:3:odd:name', { file: 'a.py', line: 3, name: 'odd:name' }],
    ['_run_code (<frozen runpy>:88)', { file: '<frozen runpy>', line: 88, name: '_run_code' }],
    ['main (C:\\app\\x.py:7)', { file: 'C:\\app\\x.py', line: 7, name: 'main' }],
    ['<listcomp> (<string>:4)', { file: '<string>', line: 4, name: '<listcomp>' }],
    ['java.lang.Thread.run', { file: '', line: NO_LINE, name: 'java.lang.Thread.run' }],
    ['std::vector<int>::push_back', { file: '', line: NO_LINE, name: 'std::vector<int>::push_back' }],
    ['[unknown]', { file: '', line: NO_LINE, name: '[unknown]' }],
    ['a.py:x:f', { file: '', line: NO_LINE, name: 'a.py:x:f' }],
  ];
  it.each(cases)('%j', (name, key) => {
    expect(parseFrameName(name)).toEqual(key);
  });

  it('writes each name back as it read it: located ones as file:line:name, bare ones bare', () => {
    const text = 'main;foo (a.py:3);b.py:9:bar 5\n:0:exec;main 2\n';
    const log = renderToString(framesOf(text), { format: 'log' });
    // Bare names (no file, line -1) sort before located ones with an empty file.
    expect(log).toBe('main 0\nmain;a.py:3:foo 0\nmain;a.py:3:foo;b.py:9:bar 5\n:0:exec 0\n:0:exec;main 2\n');
    // ... and that log reads back to the same log.
    expect(renderToString(framesOf(log), { format: 'log' })).toBe(log);
  });
});

describe('reading lines', () => {
  it('takes flamegraph.pl input: any blanks before the count, CRLF, blank lines, decimal counts', () => {
    const p = readFolded('a;b 3\r\n\r\n  a;c\t2.5  \na;b 4\n\n');
    expect(p.funcs.map((k) => k.name)).toEqual(['a', 'b', 'c']);
    // A stack given twice is kept once, its counts added.
    expect(p.stacks).toEqual([
      { frames: [0, 1], weight: 7 },
      { frames: [0, 2], weight: 2.5 },
    ]);
    const fs = buildFrames(p, { threshold: 0 });
    expect(fs.total).toBe(9.5);
    expect(fs.flame.toArray().map((f) => [f.level, fs.funcs[f.func].label, f.x, f.w])).toEqual([
      [0, 'a', 0, 9.5],
      [1, 'b', 0, 7],
      [1, 'c', 7, 2.5],
    ]);
  });

  it("keeps spaces inside names (the count is the last field)", () => {
    const p = readFolded('~:0:<built-in method builtins.exec>;<method \'a b\' of \'c\' objects> 7\n');
    expect(p.funcs.map((k) => k.name)).toEqual(['<built-in method builtins.exec>', "<method 'a b' of 'c' objects>"]);
  });

  it("drops plop's stray first line `None 1`, but only as the first line", () => {
    expect(readFolded('None 1\nf (a.py:1) 2\n').stacks).toEqual([{ frames: [0], weight: 2 }]);
    const later = readFolded('f (a.py:1) 2\nNone 1\n');
    expect(later.stacks.length).toBe(2);
    expect(later.funcs[1]).toEqual({ file: '', line: NO_LINE, name: 'None' });
  });

  it('reads the same function written two ways as one function', () => {
    const p = readFolded('a.py:1:f 1\nf (a.py:1) 2\n');
    expect(p.funcs).toEqual([{ file: 'a.py', line: 1, name: 'f' }]);
  });

  it("reads plop's .flame fixture as Python does, in both sections", () => {
    const p = readProfile(readFileSync(join(SAMPLED, 'plopload.flame')), 'plopload.flame') as SampledProfile;
    expect(p.warnings).toEqual([]);
    expectFramesLikePython(buildFrames(p, { threshold: 0 }), expected.flame);
  });

  it('writes sample counts to the log as they are: --log-mult is for seconds', () => {
    expect(renderToString(framesOf('a;b 3\n'), { format: 'log', logMult: 1000 })).toBe('a 0\na;b 3\n');
  });

  it('merges several folded inputs, and refuses to mix them with pstats dumps', () => {
    const a = readProfile(Buffer.from('m;f 3\n'), 'a');
    const b = readProfile(Buffer.from('m;g 2\nm;f 1\n'), 'b');
    const fs = buildFrames(mergeProfiles([a, b]), { threshold: 0 });
    expect(fs.flame.toArray().map((f) => [fs.funcs[f.func].label, f.w])).toEqual([
      ['m', 6],
      ['f', 4],
      ['g', 2],
    ]);
    const prof = readProfile(readFileSync(join(FIXTURES, 'sample-py3.prof')), 'p');
    expect(() => mergeProfiles([a, prof])).toThrow(InputError);
  });

  it('inverted section: own samples by caller, callee-less functions at level 0 marked', () => {
    const fs = framesOf('m;f;g 3\nm;g 1\nm;f 2\n', { threshold: 0 });
    expect(fs.inverted.toArray().map((f) => [f.level, fs.funcs[f.func].label, f.x, f.w, f.color])).toEqual([
      [0, 'f', 0, 2, 'normal'],
      [1, 'm', 0, 2, 'caller'],
      [0, 'g', 2, 4, 'calleeless'],
      [1, 'f', 2, 3, 'caller'],
      [2, 'm', 2, 3, 'caller'],
      [1, 'm', 5, 1, 'caller'],
    ]);
  });

  it('a stack 20,000 frames deep does not overflow anything', () => {
    const deep = Array.from({ length: 20000 }, (_, i) => `f${i}`).join(';') + ' 1\n';
    const fs = framesOf(deep, { threshold: 0, maxDepth: 20000 });
    expect(fs.flame.length).toBe(20000);
    expect(fs.inverted.length).toBe(20000);
    expect(renderToString(fs, { js: false }).split('<g class="f"').length - 1).toBe(40000);
    expect(renderToString(fs, { format: 'speedscope' })).toContain('"weights":[1]}');
  });

  it('merges 30,000 random stacks like a plain path count does', () => {
    // Seeded LCG: the same stacks every run.
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const lines: string[] = [];
    const width = new Map<string, number>();
    for (let i = 0; i < 30000; i++) {
      const depth = 1 + rnd(8);
      const stack = Array.from({ length: depth }, () => `f${rnd(i % 2 ? 40 : 3000)}`);
      const n = 1 + rnd(9);
      lines.push(`${stack.join(';')} ${n}`);
      for (let d = 1; d <= depth; d++) {
        const key = stack.slice(0, d).join(';');
        width.set(key, (width.get(key) ?? 0) + n);
      }
    }
    const fs = framesOf(lines.join('\n'), { threshold: 0 });
    const path: string[] = [];
    const got = new Map<string, number>();
    for (const f of fs.flame.toArray()) {
      path.length = f.level;
      path.push(fs.funcs[f.func].label);
      got.set(path.join(';'), f.w);
    }
    expect(got).toEqual(width);
  });

  it('names holding markup or control characters stay text in the SVG', () => {
    const fs = framesOf('</script><svg onload=alert(1)>;a&b "q" \u0007 1\n');
    const doc = readOurSvg(renderToString(fs));
    expect(doc.frames.map((f) => f.title.split(' — ')[0])).toEqual([
      '</script><svg onload=alert(1)> 100.00%',
      'a&b "q" \ufffd 100.00%',
      // inverted: the innermost frame, then its caller
      'a&b "q" \ufffd 100.00%',
      '</script><svg onload=alert(1)> 100.00%',
    ]);
    expect(doc.document.getElementsByTagName('script').length).toBeLessThanOrEqual(1); // only our own viewer
  });
});

describe('empty input', () => {
  it.each([
    ['an empty file', ''],
    ['blank lines', '\n  \r\n\n'],
    ['zero counts only', 'a;b 0\nc 0\n'],
  ])('%s renders a valid, empty graph with a note', (_what, text) => {
    const fs = framesOf(text);
    expect(fs.flame.length).toBe(0);
    expect(fs.warnings).toEqual(['the profile holds no samples: nothing to draw']);
    const doc = readOurSvg(renderToString(fs));
    expect(doc.frames).toEqual([]);
    expect(doc.document.documentElement.textContent).toMatch(/nothing to draw/);
    expect(renderToString(fs, { format: 'log' })).toBe('');
  });
});

describe('bad lines', () => {
  const cases: Array<[string, string]> = [
    ['a;b 1\nno count here\n', 'line 2: expected "stack count" (frames separated by \';\', a space, a sample count), got "no count here"'],
    ['a;b 1\n\n\n42\n', 'line 4: expected "stack count" (frames separated by \';\', a space, a sample count), got "42"'],
    ['a;b -3\n', 'line 1: expected "stack count" (frames separated by \';\', a space, a sample count), got "a;b -3"'],
    ['a;b 1e3\n', 'line 1: expected "stack count" (frames separated by \';\', a space, a sample count), got "a;b 1e3"'],
    ['a;;b 1\n', 'line 1: frame 2 of the stack is empty, in "a;;b 1"'],
    ['a; 1\n', 'line 1: frame 2 of the stack is empty, in "a; 1"'],
    [`a ${'9'.repeat(400)}\n`, `line 1: the sample count "${'9'.repeat(60)}…" is too large (Infinity; at most 1e300)`],
    ['x\u001b[2J\n', 'line 1: expected "stack count" (frames separated by \';\', a space, a sample count), got "x\\u001b[2J"'],
  ];
  it.each(cases)('%j', (text, message) => {
    expect(() => readFolded(text)).toThrow(new InputError(message));
  });

  it('quotes at most 60 characters of a long line', () => {
    expect(() => readFolded('x'.repeat(10000))).toThrow(`got "${'x'.repeat(60)}…"`);
  });

  it('skips bad lines with skipBadLines and counts them in a warning that names the file', () => {
    const p = readProfile(Buffer.from('a;b 1\noops\na;c 2\nmore oops\n'), 'f.txt', { skipBadLines: true }) as SampledProfile;
    expect(p.stacks.length).toBe(2);
    expect(p.warnings).toEqual(['f.txt: skipped 2 malformed lines (the first is line 2)']);
    expect(buildFrames(p).warnings).toEqual(['f.txt: skipped 2 malformed lines (the first is line 2)']);
  });

  it('CLI: one line naming the file and the line, exit 1, no output file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'folded-'));
    try {
      const file = join(dir, 'stacks.txt');
      const out = join(dir, 'out.svg');
      writeFileSync(file, 'main;a 1\nmain;b two\n');
      let r = spawnSync(process.execPath, [CLI, '-o', out, file], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(
        `flameprof: ${file}: line 2: expected "stack count" (frames separated by ';', a space, a sample count), got "main;b two"\n`,
      );
      expect(() => readFileSync(out)).toThrow();
      r = spawnSync(process.execPath, [CLI, '--skip-bad-lines', '--format=log', file], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('main 0\nmain;a 1\n');
      expect(r.stderr).toBe(`flameprof: warning: ${file}: skipped 1 malformed line (the first is line 2)\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loadProfiles names the file in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'folded-'));
    try {
      const file = join(dir, 'x.folded');
      writeFileSync(file, 'bad\n');
      expect(() => loadProfiles([file])).toThrow(FlameprofError);
      expect(() => loadProfiles([file])).toThrow(new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}: line 1: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * pstats -> log -> SVG. What can "the same flame section" mean? In the pstats graph a
 * frame's width is the function's cumulative time along that path; the log holds, per path,
 * only the frame's own time (plus hidden children), rounded to 1/--log-mult. Read back, a
 * frame's width is the sum of its subtree's log lines. So the round trip gives the same
 * section exactly when every drawn frame's width is its own time plus its drawn children's
 * widths, and then only up to rounding:
 *
 * - cProfile keeps `ct = tt + sum of the callees' ct` for every call, and the estimator's
 *   shares (green frames) keep it too, so that holds... except where the estimator does not
 *   expand a frame because its call edge is already on the path (recursion): that frame has
 *   its cumulative width but only its own time in the log. recursion.prof, sample2-*.prof
 *   (mutual recursion), textproc.prof and merged.prof have such frames;
 * - pyprofile.prof's names hold ';' ("alpha(3000); gamma()"), which folded text cannot carry;
 * - each log line is rounded by at most half a unit, so a frame is off by at most half a unit
 *   per line in its subtree: at the default --log-mult (microseconds) that is invisible, at
 *   milliseconds it matters for an 11 ms profile (multiroot.prof: 1 ms is 9 % of it), not for
 *   the 3-second sample-py*.prof;
 * - the total of the SVG (100 %) is the sum of own times; the roots may miss a sliver of it
 *   (multiroot.prof: 0.007 %), which the log has no line for;
 * - sampled inputs have no guesses: frames the estimator drew green come back in the normal
 *   palette. Everything else (structure, order, labels, rows) is identical.
 */
describe('round trip: pstats -> log -> SVG gives the same flame section', () => {
  const W1 = { threshold: 0.1, logMult: 1e6, width: 1200 };
  const W2 = { threshold: 0.5, logMult: 1000, width: 800, rowHeight: 16, fontSize: 10 };
  const cases: Array<[string, Partial<Options>]> = [
    ['sample-py3.prof', W1],
    ['sample-py2.prof', W1],
    ['multiroot.prof', W1],
    ['sample-py3.prof', W2],
    ['sample-py2.prof', W2],
  ];
  const normal = new Set(PALETTES.normal.map(([r, g, b]) => `rgb(${r},${g},${b})`));

  it.each(cases)('%s with %j', (file, opts) => {
    const m = opts.logMult!;
    const W = opts.width!;
    const original = buildFrames(readProfile(readFileSync(join(FIXTURES, file)), file), opts);
    const log = renderToString(original, { ...opts, format: 'log' });
    const back = buildFrames(readProfile(Buffer.from(log), 'log'), opts);

    // Structure: the same frames in the same order, at the same levels, for the same functions.
    expect(labels(back)).toEqual(labels(original));
    expect(back.flame.toArray().map((f) => f.level)).toEqual(original.flame.toArray().map((f) => f.level));

    // Widths and positions, in log units: within half a unit per log line that adds to them.
    const of = original.flame.toArray();
    const lines = of.length;
    const subtree = of.map((f, i) => {
      let n = 1;
      while (i + n < lines && of[i + n].level > f.level) n++;
      return n;
    });
    of.forEach((f, i) => {
      const b = back.flame.toArray()[i];
      expect(Math.abs(b.w - f.w * m)).toBeLessThanOrEqual(subtree[i] / 2 + 1e-9 * f.w * m);
      expect(Math.abs(b.x - f.x * m)).toBeLessThanOrEqual(i / 2 + 1e-9 * f.w * m);
    });
    let covered = 0;
    for (const f of of) if (f.level === 0) covered += f.w;
    const uncovered = (original.total - covered) / original.total;
    expect(uncovered).toBeGreaterThanOrEqual(0);
    expect(uncovered).toBeLessThan(1e-4);
    expect(Math.abs(back.total - original.total * m * (1 - uncovered))).toBeLessThanOrEqual(lines / 2 + 1e-6);

    // The SVGs: rows identical; x and width within what the bounds above allow in pixels.
    const svgA = readOurSvg(renderToString(original, opts)).frames.filter((f) => f.section === 'flame');
    const svgB = readOurSvg(renderToString(back, opts)).frames.filter((f) => f.section === 'flame');
    expect(svgB.length).toBe(svgA.length);
    const mT = original.total * m;
    const slack = (q: number, e: number): number => W * ((q / original.total) * (uncovered + lines / 2 / mT) + e / mT) * 1.01 + 1e-9;
    svgA.forEach((a: SvgFrame, i) => {
      const b = svgB[i];
      const f = of[i];
      expect(b.y).toBe(a.y);
      expect(b.height).toBe(a.height);
      expect(Math.abs(b.x - a.x)).toBeLessThanOrEqual(slack(f.x, i / 2));
      expect(Math.abs(b.width - a.width)).toBeLessThanOrEqual(slack(f.w, subtree[i] / 2));
      expect(b.title.split(' ')[0]).toBe(a.title.split(' ')[0]);
      expect(b.label).toBe(a.label);
      if (f.color === 'guessed') expect(normal.has(b.fill)).toBe(true);
      else expect(b.fill).toBe(a.fill);
    });

    // And the log written from the round trip is the log we started from.
    expect(renderToString(back, { ...opts, format: 'log' })).toBe(log);
  });

  it('the cases above include green (estimated) frames and hidden children, so they test something', () => {
    const fs = buildFrames(readProfile(readFileSync(join(FIXTURES, 'sample-py3.prof')), 'p'), W1);
    expect(fs.flame.toArray().some((f) => f.color === 'guessed')).toBe(true);
  });
});
