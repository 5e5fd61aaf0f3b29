/**
 * `flameprof diff`: two real runs of one program (test/fixtures/diff/work.py, parse() made
 * twice as slow in the second), the folded diff log against what difffolded.pl prints for
 * our two logs (test/fixtures/diff/make.sh made both), the coloured SVG, the self-diff, and
 * bad input.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPstats } from '../src/import/pstats';
import { readProfile } from '../src/pipeline';
import { buildFrames, diffProfiles, renderToString } from '../src/pipeline';
import { encodePstats } from './helpers/encode-marshal';
import { hostileProfile, HOSTILE_NAMES } from './helpers/hostile';
import { readOurSvg } from './helpers/svg-frames';
import { callGraphFromObjects, callGraphObjects } from '../src/model/objects';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const D = join(__dirname, 'fixtures', 'diff');
const BEFORE = join(D, 'before.prof');
const AFTER = join(D, 'after.prof');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'flameprof-diff-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The frames' redness and blueness: how far the fill is from white towards red or blue. */
const tint = (fill: string): { red: number; blue: number } => {
  const [r, g, b] = /rgb\((\d+),(\d+),(\d+)\)/.exec(fill)!.slice(1).map(Number);
  return { red: r === 255 && b === g ? 255 - g : 0, blue: b === 255 && r === g ? 255 - r : 0 };
};

test("--format=log is difffolded.pl's output for our two logs, plain and with -n (--normalize), sorted", () => {
  for (const [flag, file] of [[[], 'difffolded.txt'], [['--normalize'], 'difffolded-n.txt']] as const) {
    const r = cli('diff', ...flag, '--format=log', BEFORE, AFTER);
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toEqual([...lines].sort());
    const perl = readFileSync(join(D, file), 'utf8').split('\n').filter(Boolean);
    expect([...lines].sort()).toEqual([...perl].sort());
  }
  // Sampled stacks too: counts as given, no --log-mult.
  for (const [flag, file] of [[[], 'sampled-difffolded.txt'], [['--normalize'], 'sampled-difffolded-n.txt']] as const) {
    const r = cli('diff', ...flag, '--format=log', join(D, 'sampled-before.flame'), join(D, 'sampled-after.flame'));
    expect(r.status).toBe(0);
    const perl = readFileSync(join(D, file), 'utf8').split('\n').filter(Boolean);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual([...perl].sort());
  }
  // Our logs of the two dumps are what the fixtures hold (so the comparison above is of today's logs).
  expect(cli('--format=log', BEFORE).stdout).toBe(readFileSync(join(D, 'before.log'), 'utf8'));
});

test('the SVG: AFTER\'s frames, the function made slower the reddest, tooltips with both sides', () => {
  const out = join(dir, 'diff.svg');
  const r = cli('diff', '-o', out, BEFORE, AFTER);
  expect([r.status, r.stderr]).toEqual([0, '']);
  const svg = readOurSvg(readFileSync(out, 'utf8'));
  const after = buildFrames(readProfile(readFileSync(AFTER), AFTER));
  const flame = svg.frames.filter((f) => f.section === 'flame');
  expect(flame.map((f) => f.width)).toEqual(after.flame.toArray().map((f) => Math.max(1, (f.w / after.total) * 1200 - 1)).map((w) => expect.closeTo(w, 6)));
  const reddest = flame.reduce((a, f) => (tint(f.fill).red > tint(a.fill).red ? f : a));
  expect(reddest.title).toMatch(/^test\/fixtures\/diff\/work\.py:\d+:parse /);
  expect(tint(reddest.fill).red).toBe(255);
  // Its tooltip gives both sides' own and cumulative times and the change.
  expect(reddest.title).toMatch(/ — own [\d.e-]+ -> [\d.e-]+ s, change \+[\d.e-]+ s \(\+[\d.]+% of the total\); cumulative [\d.e-]+ -> [\d.e-]+ s$/);
  expect(readFileSync(out, 'utf8')).toContain('red: own time grew from BEFORE to AFTER, blue: shrank, white: equal');
});

test("--negate draws BEFORE's frames", () => {
  const r = cli('diff', '--negate', BEFORE, AFTER);
  const before = buildFrames(readProfile(readFileSync(BEFORE), BEFORE));
  const flame = readOurSvg(r.stdout).frames.filter((f) => f.section === 'flame');
  expect(flame.map((f) => f.width)).toEqual(before.flame.toArray().map((f) => expect.closeTo(Math.max(1, (f.w / before.total) * 1200 - 1), 6)));
  expect(r.stdout).toContain('BEFORE&#39;s frames, estimated below the first level');
});

test('a profile against itself: every frame white, every change zero', () => {
  const svg = readOurSvg(cli('diff', AFTER, AFTER).stdout);
  expect(svg.frames.length).toBeGreaterThan(5);
  for (const f of svg.frames) {
    expect(f.fill).toBe('rgb(255,255,255)');
    expect(f.title).toContain(', change 0 s (0% of the total)');
  }
  const log = cli('diff', '--format=log', AFTER, AFTER).stdout.split('\n').filter(Boolean);
  for (const l of log) expect(l).toMatch(/ (\d+) \1$/);
});

test('several profiles a side, joined by +, are merged as pstats.Stats merges them', () => {
  const r = cli('diff', '--format=log', BEFORE, '+', BEFORE, AFTER);
  const twice = r.stdout.split('\n').filter(Boolean);
  const once = cli('diff', '--format=log', BEFORE, AFTER).stdout.split('\n').filter(Boolean);
  expect(twice.length).toBe(once.length);
  // BEFORE twice: each before count about doubles (each line rounded once, from the merged dump).
  twice.forEach((l, i) => {
    const [, b2] = / (\d+) \d+$/.exec(l)!;
    const [, b1] = / (\d+) \d+$/.exec(once[i])!;
    expect(Math.abs(Number(b2) - 2 * Number(b1))).toBeLessThanOrEqual(1);
  });
});

test('hostile names: the diff SVG is well-formed and keeps every name', () => {
  const a = hostileProfile();
  const slower = callGraphFromObjects(callGraphObjects(a).map((f, i) => (i === 3 ? { ...f, stat: { ...f.stat, tt: 3 } } : f)));
  const pa = join(dir, 'h1.prof');
  const pb = join(dir, 'h2.prof');
  writeFileSync(pa, encodePstats(a));
  writeFileSync(pb, encodePstats(slower));
  const r = cli('diff', pa, pb);
  expect(r.status).toBe(0);
  const svg = readOurSvg(r.stdout);
  const decoded = readPstats(encodePstats(a));
  // (The first seven: XML holds them as they are; the control characters after them become U+FFFD.)
  for (const n of HOSTILE_NAMES.slice(0, 7)) expect(svg.frames.some((f) => f.title.includes(n))).toBe(true);
  expect(svg.frames.length).toBeGreaterThanOrEqual(callGraphObjects(decoded).length);
  expect(r.stdout).not.toMatch(/<script>alert/);
});

test("one scale for every frame: a new path worth little stays pale, the function that doubled is the reddest", () => {
  const before = join(dir, 'scale-before.folded');
  const after = join(dir, 'scale-after.folded');
  writeFileSync(before, 'app.py:1:main;app.py:5:work 1000\n');
  writeFileSync(after, 'app.py:1:main;app.py:5:work 2000\napp.py:1:main;app.py:9:tiny 20\n');
  const r = cli('diff', before, after);
  expect(r.status).toBe(0);
  const flame = readOurSvg(r.stdout).frames.filter((f) => f.section === 'flame');
  const fill = (name: string) => tint(flame.find((f) => f.title.startsWith(`app.py:${name === 'work' ? 5 : 9}:${name} `))!.fill).red;
  expect(fill('work')).toBe(255);
  expect(fill('tiny')).toBeGreaterThan(0);
  expect(fill('tiny')).toBeLessThan(fill('work') / 2);
  // The legend is whole at the default width: nothing cut off.
  const legend = /<text id="legend"[^>]*>([^<]*)<\/text>/.exec(r.stdout)![1];
  expect(legend).toBe("AFTER&#39;s frames · red: own time grew from BEFORE to AFTER, blue: shrank, white: equal");
  const est = /<text id="legend"[^>]*>([^<]*)<\/text>/.exec(cli('diff', '--normalize', BEFORE, AFTER).stdout)![1];
  expect(est).not.toMatch(/\.\.$/);
  expect(est).toContain('estimated below the first level');
});

test('--match name pairs frames whose files moved; by path they are all new', () => {
  const before = join(dir, 'moved-before.folded');
  const after = join(dir, 'moved-after.folded');
  writeFileSync(before, 'app.py:1:main;app.py:5:work 100\n');
  writeFileSync(after, 'app2.py:1:main;app2.py:5:work 100\n');
  expect(cli('diff', '--match', 'name', '--format=log', before, after).stdout).toBe('main 0 0\nmain;work 100 100\n');
  expect(cli('diff', '--format=log', before, after).stdout).toBe('app.py:1:main 0 0\napp.py:1:main;app.py:5:work 100 0\napp2.py:1:main 0 0\napp2.py:1:main;app2.py:5:work 0 100\n');
  const svg = readOurSvg(cli('diff', '--match', 'name', before, after).stdout);
  expect(svg.frames.every((f) => f.fill === 'rgb(255,255,255)')).toBe(true);
  // By path, the moved work is new and all change; main has no own time on either side.
  const byPath = readOurSvg(cli('diff', before, after).stdout).frames.filter((f) => f.section === 'flame');
  expect(byPath.filter((f) => f.title.includes(':work ')).map((f) => tint(f.fill).red)).toEqual([255]);
  expect(cli('--match', 'name', before).stderr).toBe("flameprof: --match works only with flameprof diff (see 'flameprof --help')\n");
});

test('bad input: one line naming the file; usage errors exit 2', () => {
  const folded = join(dir, 'stacks.folded');
  writeFileSync(folded, 'a;b 3\na 1\n');
  const empty = join(dir, 'empty.folded');
  writeFileSync(empty, 'a 0\n');
  const cases: Array<[string[], number, string]> = [
    [['diff', BEFORE, folded], 1, `flameprof: ${'stacks.folded'}: is sampled stacks but before.prof is a pstats dump: both sides of a diff must be of one kind\n`],
    [['diff', BEFORE], 2, "flameprof: diff needs two sides, BEFORE and AFTER, got 1 (join several profiles of one side with +) (see 'flameprof --help')\n"],
    [['diff', BEFORE, '+'], 2, "flameprof: diff: '+' joins two profiles of one side: BEFORE [+ MORE] AFTER [+ MORE] (see 'flameprof --help')\n"],
    [['diff', folded, empty], 1, 'flameprof: empty.folded: holds no time or samples: nothing to compare\n'],
    [['diff', BEFORE, join(dir, 'nope.prof')], 1, `flameprof: ${join(dir, 'nope.prof')}: no such file\n`],
    [['diff', '--format=speedscope', BEFORE, AFTER], 2, "flameprof: a diff is drawn as svg, html or log, not speedscope (see 'flameprof --help')\n"],
    [['--normalize', BEFORE], 2, "flameprof: --normalize works only with flameprof diff (see 'flameprof --help')\n"],
  ];
  for (const [args, code, message] of cases) {
    const r = cli(...args);
    expect([args.join(' '), r.status, r.stderr.replace(/^flameprof: warning:.*\n/gm, '')]).toEqual([args.join(' '), code, message]);
    expect(r.stdout).toBe('');
  }
});

test('the library: diffProfiles, drawn by render, and the one error for mixed kinds', () => {
  const a = readProfile(readFileSync(BEFORE), BEFORE);
  const b = readProfile(readFileSync(AFTER), AFTER);
  const diff = diffProfiles(a, b);
  expect(diff.before.total).toBe(buildFrames(a).total);
  expect(renderToString(diff, { format: 'log' })).toBe(cli('diff', '--format=log', BEFORE, AFTER).stdout);
  expect(renderToString(diff, { format: 'svg' })).toBe(cli('diff', BEFORE, AFTER).stdout);
  const s = readProfile(Buffer.from('a;b 3\n'), 'x.folded');
  expect(() => diffProfiles(a, s)).toThrow('x.folded: is sampled stacks but before.prof is a pstats dump: both sides of a diff must be of one kind');
  expect(() => diffProfiles(a, b, { format: 'speedscope' })).toThrow('a diff is drawn as svg, html or log, not speedscope');
});
