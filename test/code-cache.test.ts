/**
 * The CLI's bundle is loaded with the V8 code cache that the build made for it
 * (bin/load-bundle.js), and only for the bundle it was made from.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const sample = join(root, 'samples', 'pipeline.prof');

/** What the loader in `dir` did with the cache, in a fresh process with these node flags. */
function cacheFate(dir: string, flags: string[] = []): string {
  const loader = JSON.stringify(join(dir, 'bin', 'load-bundle.js'));
  return execFileSync(process.execPath, [...flags, '-e', `process.stdout.write(require(${loader}).loadBundle().cache)`], { encoding: 'utf8' });
}

/** The CLI in `dir` on the sample, to an SVG: its bytes. */
function svg(dir: string, flags: string[] = []): Buffer {
  const out = join(dir, 'out.svg');
  execFileSync(process.execPath, [...flags, join(dir, 'bin', 'flameprof.js'), '-o', out, sample], { stdio: 'pipe' });
  return readFileSync(out);
}

/** bin/ and the bundle with its cache, copied to a new directory. */
function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flameprof-cache-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist'));
  for (const f of ['flameprof.js', 'load-bundle.js']) copyFileSync(join(root, 'bin', f), join(dir, 'bin', f));
  for (const f of ['cli.bundle.js', 'cli.bundle.cache']) copyFileSync(join(root, 'dist', f), join(dir, 'dist', f));
  return dir;
}

test('the build made a cache for this bundle, and V8 takes it', () => {
  const bundle = readFileSync(join(root, 'dist', 'cli.bundle.js'), 'latin1');
  const cache = readFileSync(join(root, 'dist', 'cli.bundle.cache'), 'latin1');
  const id = /^\/\/ flameprof build ([0-9a-f]{40})\n/.exec(bundle)?.[1];
  expect(id).toBeDefined();
  expect(cache.slice(0, 40)).toBe(id);
  expect(cacheFate(root)).toBe('used');
});

test('a cache made for another bundle, none at all, or other V8 flags: compiled from source, same output', () => {
  const dir = copy();
  try {
    const want = svg(root);
    expect(cacheFate(dir)).toBe('used');
    expect(svg(dir).equals(want)).toBe(true);
    // V8 rejects a cache made with other flags.
    expect(cacheFate(dir, ['--no-opt'])).toBe('rejected');
    expect(svg(dir, ['--no-opt']).equals(want)).toBe(true);
    // Another bundle's cache (another build id) is not even offered to V8.
    const cacheFile = join(dir, 'dist', 'cli.bundle.cache');
    const cache = readFileSync(cacheFile);
    cache[0] = cache[0] === 0x30 ? 0x31 : 0x30;
    writeFileSync(cacheFile, cache);
    expect(cacheFate(dir)).toBe('none');
    expect(svg(dir).equals(want)).toBe(true);
    rmSync(cacheFile);
    expect(cacheFate(dir)).toBe('none');
    expect(svg(dir).equals(want)).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
