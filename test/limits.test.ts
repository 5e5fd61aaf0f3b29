/**
 * Inputs that cost far more than their size: a stack deeper than --max-depth stops at once,
 * and an output bigger than --max-output stops before a byte is written; each error says
 * which limit and how to raise it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlameprofError } from '../src/errors';
import { callGraphFromObjects, type FunctionStats } from '../src/model/objects';
import { buildFrames } from '../src/pipeline';
import { encodePstats } from './helpers/encode-marshal';

const CLI = join(__dirname, '..', 'bin', 'flameprof.js');
const dir = mkdtempSync(join(tmpdir(), 'flameprof-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

/** One folded line: a stack `depth` frames deep. */
function deepLine(depth: number, name = 'f'): string {
  const file = join(dir, `deep-${depth}.folded`);
  writeFileSync(file, Array.from({ length: depth }, (_, i) => `${name}${i}`).join(';') + ' 1\n');
  return file;
}

test('a 5,000,000-frame folded stack (a 30 MB line) stops at once at --max-depth', () => {
  const file = deepLine(5_000_000, '');
  const r = cli(['-o', join(dir, 'x.svg'), file]);
  expect([r.status, r.stderr]).toEqual([1, `flameprof: ${file}: line 1: the stack is more than 10000 frames deep (the limit is --max-depth 10000)\n`]);
  expect(r.ms).toBeLessThan(5000);
  expect(existsSync(join(dir, 'x.svg'))).toBe(false);
});

test('--max-depth raises the limit', () => {
  const file = deepLine(12_000);
  expect(cli(['--format=log', file]).status).toBe(1);
  const r = cli(['--max-depth', '12000', '--format=log', '-o', join(dir, 'deep.log'), file]);
  expect([r.status, r.stderr]).toEqual([0, '']);
});

test('a plop stack past --max-depth alike', () => {
  const file = join(dir, 'deep.plop');
  const frames = Array.from({ length: 10_001 }, (_, i) => `('a.py', ${i}, 'f')`).join(', ');
  writeFileSync(file, `{(${frames}): 1}`);
  const r = cli([file]);
  expect([r.status, r.stderr]).toEqual([1, `flameprof: ${file}: line 1: entry 1: the stack is more than 10000 frames deep (the limit is --max-depth 10000)\n`]);
});

test("a pstats call chain deeper than --max-depth stops the estimator's walk", () => {
  const n = 10_050;
  const functions: FunctionStats[] = Array.from({ length: n }, (_, i) => ({
    key: { file: 'chain.py', line: i + 1, name: `f${i}` },
    stat: { cc: 1, nc: 1, tt: i === n - 1 ? 1 : 0, ct: 1 },
    callers: i === 0 ? [] : [{ caller: i - 1, timing: { cc: 1, nc: 1, tt: 0, ct: 1 }, estimated: false }],
  }));
  const p = callGraphFromObjects(functions);
  expect(() => buildFrames(p)).toThrow(
    new FlameprofError("the graph's paths go more than 10000 frames deep (the limit is --max-depth 10000); raise --max-depth, or --threshold to draw less"),
  );
  const file = join(dir, 'chain.prof');
  writeFileSync(file, encodePstats(p, 3));
  expect(cli(['--max-depth', '20000', '--format=log', '-o', join(dir, 'chain.log'), file]).status).toBe(0);
});

test('a 100,000-frame stack, whose log would be over 30 GB, stops before writing a byte', () => {
  const file = deepLine(100_000);
  const out = join(dir, 'huge.log');
  const r = cli(['--max-depth', '100000', '--format=log', '-o', out, file]);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/^flameprof: the log output would be about \d+ MB, more than --max-output 1024 \(MB\); raise --max-output, or --threshold to draw less\n$/);
  expect(Number(/about (\d+) MB/.exec(r.stderr)![1])).toBeGreaterThan(30_000);
  expect(existsSync(out)).toBe(false);
  // On standard output too: nothing written.
  const piped = cli(['--max-depth', '100000', '--format=log', file]);
  expect([piped.status, piped.stdout]).toEqual([1, '']);
  // The same graph in the SVG is small: a frame's markup does not hold its path.
  expect(cli(['--max-depth', '100000', '--threshold', '0', '-o', join(dir, 'deep.svg'), file]).status).toBe(0);
});

test('--max-output is in MB, and a small one stops a small output', () => {
  const file = deepLine(2000);
  const r = cli(['--max-output', '1', '--format=log', file]);
  expect([r.status, r.stdout]).toEqual([1, '']);
  expect(r.stderr).toMatch(/the log output would be about \d+ MB, more than --max-output 1 \(MB\)/);
  expect(cli(['--max-output', '100', '--format=log', '-o', join(dir, 'ok.log'), file]).status).toBe(0);
});
