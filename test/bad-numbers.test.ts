/**
 * Numbers no profile can mean: NaN, infinities, values past 1e300 and times out of all
 * proportion to the total are one line naming the function (or line), in every input format
 * alike, never `Infinity` in an SVG attribute. And the small things around numbers: the
 * folded log keeps decimal sample counts as given, the roots warning says what it means,
 * and renderToString says to stream what one string cannot hold.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlameprofError, InputError } from '../src/errors';
import { readProfile } from '../src/pipeline';
import type { Frame } from '../src/frames/frame-set';
import { callGraphFromObjects, type FunctionStats } from '../src/model/objects';
import { handFrames } from './helpers/hand-frames';
import { buildFrames, renderToString } from '../src/pipeline';
import { encodePstats } from './helpers/encode-marshal';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const dir = mkdtempSync(join(tmpdir(), 'flameprof-numbers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** main -> work, with the given own time and edge time for work. */
function dump(workTt: number, edgeCt = 1): Uint8Array {
  const functions: FunctionStats[] = [
    { key: { file: 'app.py', line: 1, name: 'main' }, stat: { cc: 1, nc: 1, tt: 1, ct: 2 }, callers: [] },
    {
      key: { file: 'app.py', line: 5, name: 'work' },
      stat: { cc: 1, nc: 1, tt: workTt, ct: 1 },
      callers: [{ caller: 0, timing: { cc: 1, nc: 1, tt: 1, ct: edgeCt }, estimated: false }],
    },
  ];
  return encodePstats(callGraphFromObjects(functions), 3);
}

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('NaN, infinities and values past 1e300 are one line naming where they are', () => {
  test.each([
    [NaN, 'not a number (NaN)'],
    [Infinity, 'too large (Infinity; at most 1e300)'],
    [-Infinity, 'too large (-Infinity; at most 1e300)'],
    [1e308, 'too large (1e+308; at most 1e300)'],
  ])('a pstats own time of %p', (tt, why) => {
    expect(() => readProfile(dump(tt), 'x.prof')).toThrow(new InputError(`x.prof: tt of app.py:5:work is ${why}`));
    const file = join(dir, 'bad.prof');
    writeFileSync(file, dump(tt));
    const r = cli(['-o', join(dir, 'out.svg'), file]);
    expect([r.status, r.stderr]).toEqual([1, `flameprof: ${file}: tt of app.py:5:work is ${why}\n`]);
  });

  test('a folded count and a plop count of 1e308 alike', () => {
    const big = `1${'0'.repeat(308)}`;
    expect(() => readProfile(Buffer.from(`main;f ${big}\n`), 'f.txt')).toThrow(
      new InputError(`f.txt: line 1: the sample count "${big.slice(0, 60)}…" is too large (1e+308; at most 1e300)`),
    );
    expect(() => readProfile(Buffer.from("{(('a.py', 1, 'f'),): 1e308}"), 'p.plop')).toThrow(
      /^p\.plop: line 1: entry 1: not a plop profile: the count is (?:a float|an int) \(1e\+308\), expected a sample count \(a number from 0 to 1e300\)$/,
    );
  });

  test('1e300 is still a number we draw, with finite coordinates', () => {
    const e300 = `1${'0'.repeat(300)}`;
    const svg = renderToString(buildFrames(readProfile(Buffer.from(`main;f ${e300}\nmain;g ${e300}\n`), 'big.txt')), { format: 'svg' });
    expect(svg).not.toMatch(/="[^"]*(?:NaN|Infinity)[^"]*"/);
    expect(svg).toContain('<title>main');
  });

  test('an edge time out of all proportion to the total stops with the function named', () => {
    // Own times add up to 2 s; the edge main -> work claims 1e300 s.
    expect(() => buildFrames(readProfile(dump(1, 1e300), 'x.prof'))).toThrow(
      new InputError("app.py:5:work: its time reaches 1e+300 s against a total of 2 s: the profile's times are not consistent"),
    );
  });
});

test('decimal sample counts are written back as given in the folded log', () => {
  const r = cli(['--format=log', '-'], 'main;y 2.5\nmain;z 3\nmain 0.25\n');
  expect([r.status, r.stdout]).toEqual([0, 'main 0.25\nmain;y 2.5\nmain;z 3\n']);
});

describe('the roots warning says what it means', () => {
  test("a dump whose only root is the profiler's own entry, whose times add up with flameprof's extra root: nothing said", () => {
    for (const name of ['textproc.prof', 'pyprofile.prof']) {
      const r = cli(['--format=log', join(ROOT, 'test', 'fixtures', name)]);
      expect([name, r.status, r.stderr]).toEqual([name, 0, '']);
    }
  });

  test('a flame holding almost none of the time says so, and what to do', () => {
    const functions: FunctionStats[] = [
      { key: { file: '~', line: 0, name: "<method 'disable' of '_lsprof.Profiler' objects>" }, stat: { cc: 1, nc: 1, tt: 0.000001, ct: 0.000001 }, callers: [] },
      { key: { file: 'a.py', line: 1, name: 'running' }, stat: { cc: 1, nc: 1, tt: 1, ct: 3 }, callers: [{ caller: 2, timing: { cc: 1, nc: 1, tt: 1, ct: 3 }, estimated: false }] },
      { key: { file: 'a.py', line: 9, name: 'loop' }, stat: { cc: 1, nc: 1, tt: 5, ct: 12 }, callers: [{ caller: 2, timing: { cc: 1, nc: 1, tt: 1, ct: 3 }, estimated: false }] },
    ];
    expect(buildFrames(callGraphFromObjects(functions)).warnings).toEqual([
      "the flame's bottom row holds 0.0000167 % of the time: the functions nobody calls (none but the profiler) take 1 µs of 6 s " +
        "(profiling started inside running code?). The inverted section and the report's table hold all of it; " +
        'for whole stacks, profile from the start (flameprof -r, or python -m cProfile)',
    ]);
  });

  test('roots whose times do not add up to the own times: the bottom row may not fill the width', () => {
    const functions: FunctionStats[] = [
      { key: { file: 'a.py', line: 1, name: 'main' }, stat: { cc: 1, nc: 1, tt: 1, ct: 10 }, callers: [] },
      {
        key: { file: 'a.py', line: 2, name: 'work' },
        stat: { cc: 1, nc: 1, tt: 1, ct: 9 },
        callers: [{ caller: 0, timing: { cc: 1, nc: 1, tt: 1, ct: 9 }, estimated: false }],
      },
    ];
    const fs = buildFrames(callGraphFromObjects(functions));
    expect(fs.warnings).toEqual([
      "the flame's bottom row is 500 % of the width: the functions nobody calls (main) take 10 s, but the own times add up to 2 s, " +
        "so the dump's times do not agree (a merge of unrelated runs?). The inverted section and the report's table hold the dump's own numbers",
    ]);
  });
});

test('renderToString: an output bigger than one string is a FlameprofError that says to stream', () => {
  // A label of 2^26 characters in the <title> of ten frames: past what one string holds.
  const label = `${'x'.repeat(2 ** 26)}:1:f`;
  const frame = (level: number): Frame => ({ level, x: 0, w: 1, func: 0, color: 'normal', cc: 1, nc: 1, tt: 0, ct: 1, self: 0 });
  const fs = handFrames({
    funcs: [{ key: { file: 'x', line: 1, name: 'f' }, label }],
    flame: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(frame),
    inverted: [],
    total: 1,
    unit: 'seconds',
  });
  expect(() => renderToString(fs, { format: 'svg' })).toThrow(new FlameprofError('the output is too big for one string: use render() to stream it'));
});
