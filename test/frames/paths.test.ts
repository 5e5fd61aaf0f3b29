/**
 * --short-paths and --strip (src/frames/paths.ts), and the sections a graph draws
 * (--no-inverted, --inverted-only): on a real dump, against its full-path log.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProfile } from '../../src/pipeline';
import { shortPath } from '../../src/frames/paths';
import { buildFrames, renderToString } from '../../src/pipeline';
import { readOurSvg } from '../helpers/svg-frames';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
// pytest running sympy's tests: the standard library under /usr/lib/python3.11, packages under dist-packages.
const SYMPY = join(ROOT, 'bench', 'inputs', 'sympy-tests.prof');
const profile = readProfile(readFileSync(SYMPY), 'sympy-tests.prof');

/** count per stack of a folded log. */
function counts(log: string): number[] {
  return log
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.slice(l.lastIndexOf(' ') + 1)));
}

test.each([
  ['/usr/lib/python3/dist-packages/_pytest/main.py', '_pytest/main.py'],
  ['/home/me/.pyenv/versions/3.11.7/lib/python3.11/site-packages/sympy/core/function.py', 'sympy/core/function.py'],
  ['/usr/lib/python3.11/json/encoder.py', 'json/encoder.py'],
  ['C:\\Python311\\Lib\\site-packages\\numpy\\core\\numeric.py', 'numpy\\core\\numeric.py'],
  ['/work/app/src/main.py', 'src/main.py'],
  ['<frozen importlib._bootstrap>', '<frozen importlib._bootstrap>'],
  ['~', '~'],
])('shortPath(%j) is %j', (file, short) => {
  expect(shortPath(file, { shortPaths: true, strip: [], cwd: '/work/app' })).toBe(short);
  expect(shortPath(file, { shortPaths: false, strip: [], cwd: '/work/app' })).toBe(file);
});

test('--strip cuts the first prefix that matches, then --short-paths the rest', () => {
  expect(shortPath('/srv/build/app/x.py', { shortPaths: false, strip: ['/nope', '/srv/build'], cwd: '/' })).toBe('app/x.py');
  expect(shortPath('/srv/venv/lib/python3.11/site-packages/a/b.py', { shortPaths: true, strip: ['/srv/'], cwd: '/' })).toBe('a/b.py');
});

test('--short-paths on a real dump: the same frames and counts, labels without the interpreter folders', () => {
  const full = renderToString(buildFrames(profile), { format: 'log' });
  const short = renderToString(buildFrames(profile, { shortPaths: true }), { format: 'log' });
  expect(counts(short)).toEqual(counts(full));
  expect(full).toContain('/usr/lib/python3.11/asyncio/__init__.py:1:<module>');
  expect(full).toContain('/usr/lib/python3/dist-packages/_pytest/');
  expect(short).not.toContain('/usr/lib/');
  expect(short).toContain(';asyncio/__init__.py:1:<module>');
  expect(short).toContain(';_pytest/');
  // The SVG's tooltips and labels alike, through the CLI.
  const r = spawnSync(process.execPath, [CLI, '--short-paths', SYMPY], { encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(r.status).toBe(0);
  const titles = readOurSvg(r.stdout).frames.map((f) => f.title);
  expect(titles.some((t) => t.startsWith('asyncio/__init__.py:1:<module> '))).toBe(true);
  expect(titles.every((t) => !t.includes('/usr/lib/'))).toBe(true);
  // --strip alone, repeated.
  const stripped = spawnSync(process.execPath, [CLI, '--strip', '/nowhere', '--strip', '/usr/lib/', '--format=log', SYMPY], { encoding: 'utf8', maxBuffer: 1 << 26 });
  expect(counts(stripped.stdout)).toEqual(counts(full));
  expect(stripped.stdout).toContain(';python3.11/asyncio/__init__.py:1:<module>');
});

test('--no-inverted draws the flame only; --inverted-only the inverted section only, from the top', () => {
  const both = readOurSvg(renderToString(buildFrames(profile), { format: 'svg' })).frames;
  const flame = readOurSvg(renderToString(buildFrames(profile, { sections: 'flame' }), { format: 'svg' })).frames;
  const inverted = readOurSvg(renderToString(buildFrames(profile, { sections: 'inverted' }), { format: 'svg' })).frames;
  expect(flame.length).toBe(both.filter((f) => f.section === 'flame').length);
  expect(flame.every((f) => f.section === 'flame')).toBe(true);
  expect(inverted.length).toBe(both.filter((f) => f.section === 'inverted').length);
  expect(inverted.every((f) => f.section === 'inverted')).toBe(true);
  // With no flame above it, the inverted section's first row is the frame area's top.
  expect(Math.min(...inverted.map((f) => f.y))).toBe(0);
  const usage = spawnSync(process.execPath, [CLI, '--no-inverted', '--inverted-only', SYMPY], { encoding: 'utf8' });
  expect([usage.status, usage.stderr]).toEqual([2, "flameprof: --no-inverted and --inverted-only cannot be used together (see 'flameprof --help')\n"]);
  const log = spawnSync(process.execPath, [CLI, '--inverted-only', '--format=log', SYMPY], { encoding: 'utf8' });
  expect(log.status).toBe(2);
});
