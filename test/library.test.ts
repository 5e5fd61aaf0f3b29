/**
 * The package as a user imports it: `require('flameprof')` resolves package.json's `main`
 * (the built dist/index.js, with its .d.ts beside it), not our sources.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

beforeAll(() => {
  const built = join(ROOT, 'dist/index.js');
  const newest = (dir: string): number =>
    Math.max(...require('node:fs').readdirSync(dir, { recursive: true }).map((f: string) => statSync(join(dir, f)).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newest(join(ROOT, 'src'))) {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.js')], { cwd: ROOT, stdio: 'pipe' });
  }
});

test('the public API renders a dump end to end, with the options the CLI uses', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(ROOT) as typeof import('../src/index');
  expect(lib.DEFAULT_OPTIONS).toMatchObject({ width: 1200, rowHeight: 24, fontSize: 12, threshold: 0.1, format: 'svg', logMult: 1000000 });
  const profile = lib.loadProfiles([join(ROOT, 'test/fixtures/sample-py3.prof')]);
  expect(profile.kind).toBe('callgraph');
  const frames = lib.buildFrames(profile, { threshold: 0.5 });
  const log = lib.renderToString(frames, { format: 'log', logMult: 1000 });
  expect(log).toBe(readFileSync(join(ROOT, 'test/fixtures/expected/sample-py3.w800-rh16-fs10-t0.5-m1000.log'), 'utf8'));
  const svg = lib.renderToString(frames, { width: 800, title: 'my <app>' });
  expect(svg).toContain('width="800"');
  expect(svg).toContain('my &lt;app&gt;');
});

test('the package ships type declarations for its entry point', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; types: string };
  const dts = readFileSync(join(ROOT, pkg.types), 'utf8');
  for (const name of ['loadProfiles', 'buildFrames', 'renderToString', 'diffProfiles', 'Options', 'FrameSet', 'readProfile', 'Importer', 'Renderer']) {
    expect(dts).toMatch(new RegExp(`\\b${name}\\b`));
  }
});

test('the built library writes the HTML report, its page script found beside it in dist/', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(ROOT) as typeof import('../src/index');
  const profile = lib.loadProfiles([join(ROOT, 'test/fixtures/sample-py3.prof')]);
  const html = lib.renderToString(lib.buildFrames(profile, { format: 'html' }), { format: 'html', title: 'lib' });
  const script = readFileSync(join(ROOT, 'dist/report.js'), 'utf8');
  expect(html).toContain(`<script>${script}</script>`);
  expect(lib.exactStats(profile).tt.length).toBe(8);
});

test('the library diffs two profiles as the CLI does, and its options obey the CLI\'s rules', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(ROOT) as typeof import('../src/index');
  const d = join(ROOT, 'test/fixtures/diff');
  const diff = lib.diffProfiles(lib.loadProfiles([join(d, 'before.prof')]), lib.loadProfiles([join(d, 'after.prof')]));
  const cli = execFileSync(process.execPath, [join(ROOT, 'bin/flameprof.js'), 'diff', '--format=log', join(d, 'before.prof'), join(d, 'after.prof')], { encoding: 'utf8' });
  expect(lib.renderToString(diff, { format: 'log' })).toBe(cli);
  expect(() => lib.resolveOptions({ port: 9000 })).toThrow(new lib.UsageError('--port works only with flameprof serve'));
  expect(() => lib.buildFrames(diff.after.profile, { minWidth: 5, threshold: 1 })).toThrow(new lib.UsageError('--minwidth and --threshold cannot be used together'));
  expect(lib.RENDERERS.map((r) => [r.name, r.extension])).toEqual([['svg', '.svg'], ['html', '.html'], ['log', '.log'], ['speedscope', '.speedscope.json'], ['pprof', '.pb.gz']]);
  expect(lib.IMPORTERS.map((i) => i.name)).toEqual(['pprof', 'pstats', 'speedscope', 'pyinstrument', 'plop', 'folded']);
});

test('a folder through the library: loadProfilesStreamed with `files`, and ProfileMerger one profile at a time', async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(ROOT) as typeof import('../src/index');
  const { mkdtempSync, copyFileSync, rmSync, mkdirSync } = require('node:fs') as typeof import('node:fs');
  const dir = mkdtempSync(join(require('node:os').tmpdir(), 'flameprof-lib-'));
  try {
    mkdirSync(join(dir, 'sub'));
    copyFileSync(join(ROOT, 'test/fixtures/sample-py3.prof'), join(dir, 'sub', 'b.prof'));
    copyFileSync(join(ROOT, 'test/fixtures/sample2-py3.prof'), join(dir, 'a.prof'));
    copyFileSync(join(ROOT, 'test/fixtures/sampled/plopload.flame'), join(dir, 'c.flame'));
    const log = (p: import('../src/index').Profile): string => lib.renderToString(lib.buildFrames(p), { format: 'log' });
    const folder = await lib.loadProfilesStreamed([dir], { files: '\\.prof$' });
    expect(log(folder)).toBe(log(lib.loadProfiles([join(dir, 'a.prof'), join(dir, 'sub', 'b.prof')])));
    const merger = new lib.ProfileMerger();
    merger.add(lib.loadProfiles([join(dir, 'a.prof')]));
    const stacks = lib.loadProfiles([join(dir, 'c.flame')]);
    expect(merger.refusal(stacks)).toBe('cannot merge profiles of different kinds (pstats dumps with sampled stacks)');
    merger.add(lib.loadProfiles([join(dir, 'sub', 'b.prof')]));
    expect([merger.count, log(merger.result())]).toEqual([2, log(folder)]);
    await expect(lib.loadProfilesStreamed([dir])).rejects.toThrow(`${join(dir, 'c.flame')}: cannot merge profiles of different kinds`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
