/**
 * Output (src/io/output.ts): files written whole or not at all, never through a link planted
 * beside them, devices and FIFOs written into, a target's permission bits kept, signals
 * mid-write leaving nothing behind, and write errors told, on files and on standard output.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlameprofError } from '../../src/errors';
import { readPstats } from '../../src/import/pstats';
import { writeOutput } from '../../src/io/output';
import { buildFrames, render, renderToString } from '../../src/pipeline';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const SAMPLE = join(ROOT, 'samples', 'pipeline.prof');
const frames = buildFrames(readPstats(readFileSync(join(__dirname, '..', 'fixtures', 'textproc.prof'))), { threshold: 0.01 });
const isRoot = process.getuid?.() === 0;

/** The temporary names' random bytes, as drawn; a test may fix the next ones. */
const drawn: Buffer[] = [];
let fixedBytes: Buffer | undefined;
jest.mock('node:crypto', () => {
  const real = jest.requireActual<typeof import('node:crypto')>('node:crypto');
  return {
    ...real,
    randomBytes: (n: number): Buffer => {
      const b = fixedBytes ?? real.randomBytes(n);
      drawn.push(b);
      return b;
    },
  };
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flameprof-output-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const leftovers = (d = dir): string[] => readdirSync(d).filter((f) => f.endsWith('.tmp'));
const sampleSvg = (): Buffer => execFileSync(process.execPath, [CLI, SAMPLE]);

test.each(['svg', 'log'] as const)('%s in small reused chunks makes the file renderToString makes', async (format) => {
  const path = join(dir, `whole.${format}`);
  await writeOutput(path, render(frames, { format }, { reuse: true, chunkSize: 256 }));
  expect(readFileSync(path, 'utf8')).toBe(renderToString(frames, { format }));
  expect(leftovers()).toEqual([]);
});

test("a renderer's error keeps its own words, and the old file stays", async () => {
  const path = join(dir, 'broken.svg');
  writeFileSync(path, 'the old graph');
  function* failing(): Generator<Uint8Array> {
    for (let k = 0; k < 10; k++) yield new Uint8Array(4096).fill(65);
    throw new Error('the renderer broke');
  }
  await expect(writeOutput(path, failing())).rejects.toThrow('the renderer broke');
  expect(readFileSync(path, 'utf8')).toBe('the old graph');
  expect(leftovers()).toEqual([]);
});

test('a folder that cannot be written is one FlameprofError naming the file and the folder', async () => {
  const path = join(dir, 'no-such-folder', 'x.svg');
  await expect(writeOutput(path, render(frames, { format: 'svg' }))).rejects.toThrow(
    new FlameprofError(`${path}: cannot write: the folder ${join(dir, 'no-such-folder')} does not exist`),
  );
  writeFileSync(join(dir, 'a-file'), 'x');
  const under = join(dir, 'a-file', 'x.svg');
  await expect(writeOutput(under, render(frames, { format: 'svg' }))).rejects.toThrow(new FlameprofError(`${under}: cannot write: ${join(dir, 'a-file')} is not a folder`));
});

test('the temporary file is created exclusively: a link planted at its name is not followed', async () => {
  // The name is random; here it is made known, as an attacker would need to guess it.
  const fixed = Buffer.from('0123456789abcdef', 'hex');
  fixedBytes = fixed;
  try {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'secret', { mode: 0o600 });
    const path = join(dir, 'out.svg');
    symlinkSync(victim, join(dir, `.out.svg.${fixed.toString('hex')}.tmp`));
    await expect(writeOutput(path, render(frames, { format: 'svg' }))).rejects.toThrow(/out\.svg: cannot write: .*EEXIST|file already exists/);
    expect(readFileSync(victim, 'utf8')).toBe('secret');
    expect(statSync(victim).mode & 0o777).toBe(0o600);
    expect(existsSync(path)).toBe(false);
  } finally {
    fixedBytes = undefined;
  }
});

test('two writes use two different temporary names', async () => {
  drawn.length = 0;
  for (let k = 0; k < 2; k++) await writeOutput(join(dir, 'x.log'), render(frames, { format: 'log' }));
  expect(drawn.length).toBe(2);
  expect(drawn[0].length).toBeGreaterThanOrEqual(8);
  expect(drawn[0].equals(drawn[1])).toBe(false);
});

test("-o onto a symlink replaces the link's target and keeps the link", () => {
  const real = join(dir, 'real.svg');
  const link = join(dir, 'link.svg');
  writeFileSync(real, 'old');
  symlinkSync('real.svg', link);
  const r = spawnSync(process.execPath, [CLI, '-o', link, SAMPLE], { encoding: 'utf8' });
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(readlinkSync(link)).toBe('real.svg');
  expect(readFileSync(real).equals(sampleSvg())).toBe(true);
});

test("-o keeps an existing file's permission bits", () => {
  const path = join(dir, 'readonly.svg');
  writeFileSync(path, 'old');
  chmodSync(path, 0o444);
  const r = spawnSync(process.execPath, [CLI, '-o', path, SAMPLE], { encoding: 'utf8' });
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(statSync(path).mode & 0o7777).toBe(0o444);
  expect(readFileSync(path).equals(sampleSvg())).toBe(true);
});

test('-o onto a FIFO writes into it for its reader', async () => {
  const fifo = join(dir, 'pipe');
  execFileSync('mkfifo', [fifo]);
  const reader = spawn('cat', [fifo]);
  const got: Buffer[] = [];
  reader.stdout.on('data', (d: Buffer) => got.push(d));
  const closed = new Promise((done) => reader.on('close', done));
  const r = spawnSync(process.execPath, [CLI, '-o', fifo, SAMPLE], { encoding: 'utf8', timeout: 20000 });
  await closed;
  expect([r.status, r.stderr]).toEqual([0, '']);
  expect(Buffer.concat(got).equals(sampleSvg())).toBe(true);
  expect(lstatSync(fifo).isFIFO()).toBe(true);
});

(isRoot ? test : test.skip)('-o onto character devices writes into them and leaves them devices (needs root for mknod)', () => {
  const nul = join(dir, 'null');
  const full = join(dir, 'full');
  execFileSync('mknod', [nul, 'c', '1', '3']);
  execFileSync('mknod', [full, 'c', '1', '7']);
  const ok = spawnSync(process.execPath, [CLI, '-o', nul, SAMPLE], { encoding: 'utf8' });
  expect([ok.status, ok.stderr]).toEqual([0, '']);
  expect(lstatSync(nul).isCharacterDevice()).toBe(true);
  const bad = spawnSync(process.execPath, [CLI, '-o', full, SAMPLE], { encoding: 'utf8' });
  expect([bad.status, bad.stderr]).toEqual([1, `flameprof: ${full}: cannot write: no space left on device\n`]);
  expect(lstatSync(full).isCharacterDevice()).toBe(true);
  expect(leftovers()).toEqual([]);
});

test('standard output that fails (a full disk) is a one-line error and exit 1; a closed pipe is quiet', () => {
  for (const format of ['svg', 'log']) {
    const fd = openSync('/dev/full', 'w');
    try {
      const r = spawnSync(process.execPath, [CLI, `--format=${format}`, SAMPLE], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      expect([format, r.status, r.stderr]).toEqual([format, 1, 'flameprof: standard output: cannot write: no space left on device\n']);
    } finally {
      closeSync(fd);
    }
  }
  const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" --threshold 0.001 "${join(ROOT, 'test', 'fixtures', 'merged.prof')}" | head -c 100 >/dev/null`], {
    encoding: 'utf8',
  });
  expect([piped.status, piped.stderr.split('\n').filter((l) => !l.includes('warning'))]).toEqual([0, ['']]);
});

/** A folded input big enough that writing its SVG takes a while (at --threshold 0, 44 MB). */
function bigFolded(): string {
  const path = join(dir, 'big.folded');
  const lines: string[] = [];
  for (let i = 0; i < 60000; i++) lines.push(`main;group${i % 300};leaf${i} 1`);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

test.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)('%s during -o removes the temporary file and ends us by that signal', async (sig) => {
  const input = bigFolded();
  const out = join(dir, 'big.svg');
  const child = spawn(process.execPath, [CLI, '--threshold', '0', '-o', out, input], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<[number | null, NodeJS.Signals | null]>((done) => child.on('close', (code, signal) => done([code, signal])));
  // Signal once the temporary file holds some of the graph.
  const deadline = Date.now() + 20000;
  for (;;) {
    const tmp = leftovers()[0];
    if (tmp !== undefined && statSync(join(dir, tmp)).size > 0) break;
    if (Date.now() > deadline) throw new Error('the temporary file never appeared');
    await new Promise((r) => setTimeout(r, 2));
  }
  child.kill(sig);
  expect(await ended).toEqual([null, sig]);
  expect(stderr).toBe('');
  expect(leftovers()).toEqual([]);
  expect(existsSync(out)).toBe(false);
});
