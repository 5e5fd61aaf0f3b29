/**
 * The HTML report as a file: self-contained, its script allowed by hash and nothing else,
 * its data safe in a script element, smaller than the SVG at 150,000 frames, and the CLI,
 * the library and -r writing it. What the page does is tested in Chromium (test/report/).
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProfile } from '../../src/pipeline';
import { buildFrames, render, renderToString } from '../../src/pipeline';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'flameprof.js');
const FIXTURES = join(__dirname, '..', 'fixtures');
const SYMPY = join(__dirname, '..', '..', 'bench', 'inputs', 'sympy-tests.prof');

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'flameprof-html-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], cwd = ROOT) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
}

test('one self-contained file: inline script allowed by its hash, no URL to fetch, data that parses', () => {
  const out = join(dir, 'pipeline.html');
  const r = cli(['--format=html', '-o', out, join(FIXTURES, 'report', 'pipeline.prof')]);
  expect([r.status, r.stderr]).toEqual([0, '']);
  const html = readFileSync(out, 'utf8');
  expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
  expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  expect(scripts.map((m) => m[1])).toEqual([' type="application/json" id="flameprof-data"', '']);
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)![1];
  const hash = createHash('sha256').update(scripts[1][2]).digest('base64');
  expect(csp).toContain(`default-src 'none'; script-src 'sha256-${hash}';`);
  const data = JSON.parse(scripts[0][2]);
  expect([data.version, data.title, data.unit, data.funcName.length]).toEqual([1, 'pipeline.prof', 'seconds', 23]);
});

test("the library renders it from any graph's frames: the exact numbers come from the profile they were built from", () => {
  const path = join(FIXTURES, 'textproc.prof');
  const profile = readProfile(readFileSync(path), path);
  const frames = buildFrames(profile);
  const html = renderToString(frames, { format: 'html', title: 'a <b> & "c"' });
  expect(html).toContain('<title>a &lt;b&gt; &amp; &quot;c&quot;</title>');
  // The same frames give the same report whatever they were built for.
  expect(renderToString(buildFrames(profile, { format: 'svg' }), { format: 'html' })).toBe(renderToString(frames, { format: 'html' }));
  // Untitled, it is named after its input, as the CLI names it.
  expect(renderToString(frames, { format: 'html' })).toContain('<title>textproc.prof</title>');
});

test('at 130,000 frames the report is a fraction of the SVG, and --max-output bounds it', () => {
  const profile = readProfile(readFileSync(SYMPY), SYMPY);
  const frames = buildFrames(profile, { format: 'html', threshold: 0.001 });
  const size = (format: 'svg' | 'html'): number => {
    let n = 0;
    for (const c of render(frames, { format, title: 'sympy' }, { reuse: true })) n += c.length;
    return n;
  };
  const html = size('html');
  const svg = size('svg');
  expect(frames.flame.length + frames.inverted.length).toBeGreaterThan(130000);
  expect(html).toBeLessThan(svg / 2.5);
  const r = cli(['--format=html', '--threshold', '0.001', '--max-output', '5', '-o', join(dir, 'big.html'), SYMPY]);
  expect([r.status, r.stderr]).toEqual([1, expect.stringMatching(/^flameprof: the html output would be about \d+ MB, more than --max-output 5 \(MB\)/m)]);
  expect(readdirSync(dir)).not.toContain('big.html');
});

test('--inverted-only and --no-inverted apply to the report, and -r --format=html writes profiles/<name>-<time>.html', () => {
  const r = cli(['--format=html', '--inverted-only', '-o', join(dir, 'inv.html'), join(FIXTURES, 'report', 'pipeline.prof')]);
  expect(r.status).toBe(0);
  const data = (file: string) => JSON.parse(/id="flameprof-data">([\s\S]*?)<\/script>/.exec(readFileSync(file, 'utf8'))![1]);
  const inv = data(join(dir, 'inv.html'));
  expect([inv.sections, inv.flame.n, inv.inverted.n > 0]).toEqual(['inverted', 0, true]);
  const run = cli(['-r', join(ROOT, 'samples', 'pipeline.py'), '--format=html'], dir);
  expect(run.status).toBe(0);
  const files = readdirSync(join(dir, 'profiles'));
  expect(files).toEqual([expect.stringMatching(/^pipeline-\d{8}-\d{6}\.html$/)]);
  expect(data(join(dir, 'profiles', files[0])).funcName).toContain('count_words');
});
