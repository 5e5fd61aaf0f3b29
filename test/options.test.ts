/**
 * Options people reach for: --minwidth, --countname, --notes, and the promise that the same
 * input and options give the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProfile } from '../src/import/read';
import { buildFrames, renderToString } from '../src/pipeline';
import { readOurSvg } from './helpers/svg-frames';

const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const TEXTPROC = join(__dirname, 'fixtures', 'textproc.prof');
const profile = readProfile(readFileSync(TEXTPROC), 'textproc.prof');

test('--minwidth PX draws what --threshold of PX / width draws', () => {
  const byPixels = buildFrames(profile, { minWidth: 6, width: 1200 });
  const byShare = buildFrames(profile, { threshold: 0.5 });
  expect(byPixels.flame.length).toBe(byShare.flame.length);
  expect(byPixels.inverted.length).toBe(byShare.inverted.length);
  // Every frame drawn is wider than 6 px.
  for (const f of [...byPixels.flame, ...byPixels.inverted]) expect((f.w / byPixels.total) * 1200).toBeGreaterThan(6);
  const usage = spawnSync(process.execPath, [CLI, '--minwidth', '3', '--threshold', '1', TEXTPROC], { encoding: 'utf8' });
  expect([usage.status, usage.stderr]).toEqual([2, "flameprof: --minwidth and --threshold cannot be used together (see 'flameprof --help')\n"]);
});

test('--countname is the unit in tooltips, escaped; --notes goes into the metadata, escaped', () => {
  const frames = buildFrames(profile);
  const svg = renderToString(frames, { countName: 'µs <&>', notes: 'nightly run </metadata><script>' });
  const titles = readOurSvg(svg).frames.map((f) => f.title);
  expect(titles.some((t) => / µs <&>, cumulative /.test(t))).toBe(true);
  expect(titles.some((t) => / s, cumulative /.test(t))).toBe(false);
  expect(svg).toContain('<metadata>nightly run &lt;/metadata&gt;&lt;script&gt;</metadata>');
  expect(svg).not.toContain('<script>');
});

test('the same input and options give the same bytes, in every format, run after run', () => {
  for (const format of ['svg', 'log', 'speedscope']) {
    const run = (): Buffer => spawnSync(process.execPath, [CLI, `--format=${format}`, '--threshold', '0.01', TEXTPROC]).stdout;
    const a = run();
    expect(a.length).toBeGreaterThan(1000);
    expect(run().equals(a)).toBe(true);
  }
});
