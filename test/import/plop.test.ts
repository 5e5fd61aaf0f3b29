/**
 * plop's `.plop` files (a Python literal dict of stacks): reading, the frames they give, and
 * the errors. Expected stacks and frames of the fixture come from
 * fixtures/sampled/make_expected.py (Python's ast.literal_eval and its own tree merge).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/errors';
import { buildFrames, renderToString } from '../../src/pipeline';
import { readProfile } from '../../src/pipeline';
import type { FrameSet } from '../../src/frames/frame-set';
import { PALETTES } from '../../src/render/colour';
import { PlopSink, readPlop } from '../../src/import/plop';
import { funcLabel, type SampledProfile } from '../../src/model/profile';
import { readOurSvg } from '../helpers/svg-frames';

const SAMPLED = join(__dirname, '..', 'fixtures', 'sampled');
const PLOP = join(SAMPLED, 'plopload.plop');
const CLI = join(__dirname, '..', '..', 'bin', 'flameprof.js');

interface ExpectedFrame {
  level: number;
  label: string;
  x: number;
  w: number;
  own?: number;
  color?: string;
}
interface ExpectedInput {
  total: number;
  stacks: Array<[Array<[string, number, string]>, number]>;
  flame: ExpectedFrame[];
  inverted: ExpectedFrame[];
}
const expected = JSON.parse(readFileSync(join(SAMPLED, 'expected.json'), 'utf8')) as Record<'plop' | 'flame', ExpectedInput>;

/** Check a sampled input's frames (at threshold 0) against Python's. */
export function expectFramesLikePython(frames: FrameSet, want: ExpectedInput): void {
  const label = (i: number): string => frames.funcs[i].label;
  expect(frames.unit).toBe('samples');
  expect(frames.total).toBe(want.total);
  expect(frames.flame.toArray().map((f) => ({ level: f.level, label: label(f.func), x: f.x, w: f.w, own: f.tt }))).toEqual(want.flame);
  // Nothing in a sampled profile is a guess, and with nothing hidden the log's own samples are the stack's.
  expect(frames.flame.toArray().every((f) => f.color === 'normal' && f.self === f.tt && f.ct === f.w)).toBe(true);
  expect(frames.inverted.toArray().map((f) => ({ level: f.level, label: label(f.func), x: f.x, w: f.w, color: f.color }))).toEqual(want.inverted);
}

function stacksOf(p: SampledProfile): Array<[Array<[string, number, string]>, number]> {
  return p.stacks.map((s) => [s.frames.map((i) => [p.funcs[i].file, p.funcs[i].line, p.funcs[i].name] as [string, number, string]), s.weight]);
}

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the plopload.plop fixture', () => {
  const profile = readProfile(readFileSync(PLOP), 'plopload.plop') as SampledProfile;

  it('is detected as plop from its content and read as Python reads it (stacks outermost first)', () => {
    expect(profile.kind).toBe('sampled');
    expect(stacksOf(profile)).toEqual(expected.plop.stacks);
    expect(profile.warnings ?? []).toEqual([]);
  });

  it('gives the frames Python works out, in both sections', () => {
    expectFramesLikePython(buildFrames(profile, { threshold: 0 }), expected.plop);
  });

  it('renders an SVG whose tooltips count samples, with no green (guessed) frame', () => {
    const frames = buildFrames(profile);
    const svg = renderToString(frames, { title: 'plopload' });
    const doc = readOurSvg(svg);
    const flame = doc.frames.filter((f) => f.section === 'flame');
    expect(flame.length).toBe(frames.flame.length);
    for (const f of doc.frames) {
      expect(f.title).toMatch(/ \d+\.\d\d% /);
      expect(f.title).toMatch(/samples/);
      expect(f.title).not.toMatch(/\d s\b|seconds|calls/);
    }
    const green = new Set(PALETTES.guessed.map(([r, g, b]) => `rgb(${r},${g},${b})`));
    expect(doc.frames.some((f) => green.has(f.fill))).toBe(false);
    // The widest root frame holds every sample: 100 %.
    expect(flame[0].title.startsWith(`${frames.funcs[frames.flame.toArray()[0].func].label} 100.00% `)).toBe(true);
    expect(svg).toContain('data-unit="samples"');
  });

  it('detects the format from the content, whatever the file is called', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plop-'));
    try {
      for (const name of ['profile.prof', 'stacks.txt', 'noext']) {
        copyFileSync(PLOP, join(dir, name));
        const r = cli(['--format=log', join(dir, name)]);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const total = r.stdout.trim().split('\n').reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
        expect(total).toBe(expected.plop.total);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reading', () => {
  it('takes every string form and escape repr() writes, and keeps the names exactly', () => {
    const p = readPlop(
      "{(('C:\\\\app\\\\x.py', 3, 'f\\u00e9'), (\"it's\", 1, '<lambda>')): 2,\n" +
        " (('caf\\xe9.py', 7, 'g\\U0001f600'), (\"it's\", 1, '<lambda>')): 5}",
    );
    expect(p.funcs.map(funcLabel)).toEqual(["it's:1:<lambda>", 'C:\\app\\x.py:3:fé', 'café.py:7:g\u{1F600}']);
    expect(p.stacks).toEqual([
      { frames: [0, 1], weight: 2 },
      { frames: [0, 2], weight: 5 },
    ]);
  });

  it('keeps the last count of a repeated stack, as Python does', () => {
    const p = readPlop("{(('a', 1, 'f'),): 2, (('b', 1, 'g'),): 1, (('a', 1, 'f'),): 7}");
    expect(p.stacks).toEqual([
      { frames: [0], weight: 7 },
      { frames: [1], weight: 1 },
    ]);
  });

  it('reads an empty dict as an empty profile: a valid graph with a note', () => {
    const frames = buildFrames(readProfile(Buffer.from('{}\n'), 'empty.plop'));
    expect(frames.flame.length).toBe(0);
    expect(frames.total).toBe(0);
    expect(frames.warnings).toEqual(['the profile holds no samples: nothing to draw']);
    const doc = readOurSvg(renderToString(frames));
    expect(doc.frames).toEqual([]);
    expect(doc.document.documentElement.textContent).toMatch(/nothing to draw/);
  });

  it('never evaluates anything: names and calls are errors', () => {
    for (const src of ["{(('a', 1, 'f'),): __import__('os').getpid()}", "{(('a', 1, 'f'),): x}", "{(('a', 1, f'{x}'),): 1}"]) {
      expect(() => readPlop(src)).toThrow(InputError);
    }
  });

  it('draws names holding markup as text', () => {
    const p = readProfile(Buffer.from("{(('</script><x>&amp;', 1, '<b>\"\\x00\\x1b'),): 3}"), 'evil.plop');
    const doc = readOurSvg(renderToString(buildFrames(p)));
    expect(doc.frames[0].title.startsWith('</script><x>&amp;:1:<b>"\ufffd\ufffd 100.00%')).toBe(true);
    expect(doc.document.getElementsByTagName('x').length).toBe(0);
  });
});

describe('errors', () => {
  const bad = "{(('a.py', 1, 'f'),): 3,\n (('a.py', 2, 'g'), 'oops'): 4,\n (('a.py', 3, 'h'),): -1}";

  const cases: Array<[string, string]> = [
    ["[(('a', 1, 'f'), 3)]", 'not a plop profile: the file holds a list, expected a dict {stack: count}'],
    ["{'main': 3}", 'line 1: entry 1: not a plop profile: the stack is a str, expected a tuple of (file, line, function) tuples'],
    ["{\n\n (): 3}", 'line 3: entry 1: not a plop profile: the stack is empty'],
    [bad, 'line 2: entry 2: not a plop profile: frame 2 of the stack is a str, expected a (file, line, function) tuple'],
    ["{(('a', '1', 'f'),): 3}", 'line 1: entry 1: not a plop profile: frame 1 of the stack is a tuple of 3, expected a (file, line, function) tuple'],
    ["{(('a', 1, 'f'),): 'x'}", 'line 1: entry 1: not a plop profile: the count is a str, expected a sample count (a number from 0 to 1e300)'],
    ["{(('a', 1, 'f'),): -1}", 'line 1: entry 1: not a plop profile: the count is an int (-1), expected a sample count (a number from 0 to 1e300)'],
    ["{(('a', 1, 'f'),): 3", "line 1, column 21: expected ',' or '}', found the end of the input"],
  ];
  it.each(cases)('%j', (src, message) => {
    expect(() => readPlop(src)).toThrow(new InputError(message));
  });

  it('names the file through readProfile', () => {
    expect(() => readProfile(Buffer.from("{'main': 3}"), 'x.plop')).toThrow(/^x\.plop: line 1: entry 1: not a plop profile: /);
  });

  it('skips malformed entries with skipBadLines, and says how many', () => {
    const p = readProfile(Buffer.from(bad), 'bad.plop', { skipBadLines: true }) as SampledProfile;
    expect(stacksOf(p)).toEqual([[[['a.py', 1, 'f']], 3]]);
    expect(p.warnings).toEqual(['bad.plop: skipped 2 malformed entries (the first at line 2: entry 2)']);
    // A syntax error cannot be skipped: there are no lines to resynchronise on.
    expect(() => readProfile(Buffer.from('{(1,): 2'), 'cut.plop', { skipBadLines: true })).toThrow(/^cut\.plop: line 1, column 9: /);
  });

  it('CLI: one line on stderr, exit 1, nothing on stdout; --skip-bad-lines warns and draws', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plop-'));
    try {
      const file = join(dir, 'bad.plop');
      writeFileSync(file, bad);
      let r = cli([file]);
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`flameprof: ${file}: line 2: entry 2: not a plop profile: frame 2 of the stack is a str, expected a (file, line, function) tuple\n`);
      r = cli(['--skip-bad-lines', '--format=log', file]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('a.py:1:f 3\n');
      expect(r.stderr).toBe(`flameprof: warning: ${file}: skipped 2 malformed entries (the first at line 2: entry 2)\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('read as it comes (PlopSink)', () => {
  const text = readFileSync(join(SAMPLED, 'plopload.plop'), 'utf8');
  const pieces = (s: string, size: number): string[] => Array.from({ length: Math.ceil(s.length / size) }, (_, i) => s.slice(i * size, (i + 1) * size));

  it.each([1, 2, 3, 7, 64, 4096])('in pieces of %i characters, the profile read whole', (size) => {
    const sink = new PlopSink({ skipBadLines: false });
    for (const p of pieces(text, size)) sink.write(p);
    expect(sink.end()).toEqual(readPlop(text));
  });

  it('strings holding brackets, commas, quotes and braces, comments, and a trailing comma', () => {
    const src = "# a plop file\n{(('a,b}', 1, 'f(\"x\")'),): 2,  # one\n (('c\\'}', 2, \"g{'\"),): 3,\n}\n# the end\n";
    const whole = readPlop(src);
    expect(stacksOf(whole)).toEqual([
      [[['a,b}', 1, 'f("x")']], 2],
      [[["c'}", 2, "g{'"]], 3],
    ]);
    for (const size of [1, 5]) {
      const sink = new PlopSink({ skipBadLines: false });
      for (const p of pieces(src, size)) sink.write(p);
      expect(sink.end()).toEqual(whole);
    }
  });

  it("errors name the line and column in the whole file, as one parse of it would", () => {
    expect(() => readPlop("{(('a', 1, 'f'),): 3,\n  (('b', 2, 'g'),) 4}")).toThrow(new InputError("line 2, column 20: expected ':', found \"4}\""));
    expect(() => readPlop("{(('a', 1, 'f'),): 3} x")).toThrow(new InputError('line 1, column 23: expected the end of the literal, found "x"'));
  });
});
