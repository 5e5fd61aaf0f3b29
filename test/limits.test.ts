/**
 * Inputs that cost far more than their size: a stack deeper than --max-depth stops at once,
 * and an output bigger than --max-output stops before a byte is written; each error says
 * which limit and how to raise it.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createGzip } from 'node:zlib';
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

test('600 MB of folded text in a gzip file renders with at most 500 MB of memory: the text is read as it comes', async () => {
  // 2,000 distinct stacks, each 300 times: about 600 MB of text, a few MB gzipped.
  const stacks = Array.from({ length: 2000 }, (_, i) =>
    Array.from({ length: 5 + (i % 35) }, (_, j) => `/usr/lib/python3.11/site-packages/pkg${j % 7}/module${(i * j) % 50}.py:${j * 10}:function_${(i + j) % 300}`).join(';'),
  );
  const block = Buffer.from(stacks.map((s) => `${s} 1\n`).join(''));
  const file = join(dir, 'big.folded.gz');
  const gzip = createGzip({ level: 1 });
  const done = new Promise<void>((ok, fail) => gzip.pipe(createWriteStream(file)).on('finish', ok).on('error', fail));
  let text = 0;
  for (let r = 0; text < 600 * 2 ** 20; r++) {
    text += block.length;
    if (!gzip.write(block)) await new Promise((ok) => gzip.once('drain', ok));
  }
  gzip.end();
  await done;
  // The CLI in a fresh process that reports its own peak memory when done: VmHWM, its
  // address space's own, not getrusage's maxRSS, which Linux keeps across fork and exec and so
  // counts the forking jest worker's memory too.
  const run = [
    `const { main } = require(${JSON.stringify(join(__dirname, '..', 'bin', 'load-bundle'))}).loadBundle().exports;`,
    `main(process.argv.slice(1), { stdout: process.stdout, stderr: process.stderr, stdin: () => process.stdin })`,
    `.then((code) => { process.stderr.write('peak ' + /VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1] + '\\n'); process.exitCode = code; });`,
  ].join('\n');
  const out = join(dir, 'big.log');
  const r = spawnSync(process.execPath, ['-e', run, '--', '--format=log', '--threshold', '0', '-o', out, file], { encoding: 'utf8', timeout: 240000 });
  expect(r.status).toBe(0);
  const peakKB = Number(/^peak (\d+)$/m.exec(r.stderr)![1]);
  expect(peakKB).toBeLessThan(500 * 1024);
  // Every stack, its counts added: each of the 2,000 lines says how many times it was given.
  const log = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  const repeats = Math.ceil((600 * 2 ** 20) / block.length);
  const leaves = log.filter((l) => !l.endsWith(' 0'));
  expect(leaves.map((l) => Number(l.slice(l.lastIndexOf(' ') + 1))).reduce((a, b) => a + b, 0)).toBe(2000 * repeats);
}, 300000);
