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

describe('--colors', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SCHEMES, codePlace } = require('../src/render/colour') as typeof import('../src/render/colour');
  const SYMPY = join(ROOT, 'bench', 'inputs', 'sympy-tests.prof');

  /** WCAG relative luminance and contrast against black text. */
  const luminance = ([r, g, b]: readonly number[]): number =>
    [r, g, b].map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4)).reduce((a, c, i) => a + c * [0.2126, 0.7152, 0.0722][i], 0);
  const contrastWithBlack = (rgb: readonly number[]): number => (luminance(rgb) + 0.05) / 0.05;

  test('colorblind: every fill gives black labels a contrast of at least 4.5:1', () => {
    for (const [cls, entries] of Object.entries(SCHEMES.colorblind)) {
      for (const rgb of entries) expect([cls, rgb, contrastWithBlack(rgb) >= 4.5]).toEqual([cls, rgb, true]);
    }
  });

  /** The fill of each frame of the SVG, by the file of its function. */
  function fillsByPlace(colors: string): Map<string, Set<string>> {
    const r = spawnSync(process.execPath, [CLI, '--colors', colors, SYMPY], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status).toBe(0);
    const byPlace = new Map<string, Set<string>>();
    // Guessed frames keep flameprof's green in every place.
    const guessed = new Set(SCHEMES.hot.guessed.map((c) => `rgb(${c.join(',')})`));
    for (const f of readOurSvg(r.stdout).frames) {
      if (f.section !== 'flame' || guessed.has(f.fill)) continue;
      const label = f.title.slice(0, f.title.lastIndexOf(' ', f.title.indexOf(' \u2014 ') - 1));
      const file = label.slice(0, label.lastIndexOf(':', label.lastIndexOf(':') - 1));
      const place = codePlace(file);
      if (!byPlace.has(place)) byPlace.set(place, new Set());
      byPlace.get(place)!.add(f.fill);
    }
    return byPlace;
  }

  test('python: frames are coloured by where their code lives, each place its own hue', () => {
    const byPlace = fillsByPlace('python');
    const stdlibHue = SCHEMES.blue.normal.map((c) => `rgb(${c.join(',')})`);
    expect(byPlace.has('stdlib')).toBe(true);
    expect(byPlace.has('site-packages')).toBe(true);
    expect(byPlace.has('builtin')).toBe(true);
    for (const fill of byPlace.get('stdlib')!) expect(stdlibHue).toContain(fill);
    // No fill is shared between two places.
    const seen = new Map<string, string>();
    for (const [place, fills] of byPlace) {
      for (const fill of fills) {
        expect([fill, seen.get(fill) ?? place]).toEqual([fill, place]);
        seen.set(fill, place);
      }
    }
  });

  test.each(['aqua', 'blue', 'green', 'colorblind'] as const)('%s: normal frames take its palette, guessed ones a hue of their own', (scheme) => {
    const r = spawnSync(process.execPath, [CLI, '--colors', scheme, SYMPY], { encoding: 'utf8', maxBuffer: 1 << 26 });
    const frames = readOurSvg(r.stdout).frames.filter((f) => f.section === 'flame');
    const normal = new Set(SCHEMES[scheme].normal.map((c) => `rgb(${c.join(',')})`));
    const guessed = new Set(SCHEMES[scheme].guessed.map((c) => `rgb(${c.join(',')})`));
    expect(frames.every((f) => normal.has(f.fill) || guessed.has(f.fill))).toBe(true);
    expect(frames.some((f) => guessed.has(f.fill))).toBe(true);
    expect([...normal].some((c) => guessed.has(c))).toBe(false);
  });

  test('an unknown scheme is a usage error', () => {
    const r = spawnSync(process.execPath, [CLI, '--colors', 'rainbow', SYMPY], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([2, "flameprof: --colors must be one of hot, python, aqua, blue, green, colorblind, got 'rainbow' (see 'flameprof --help')\n"]);
  });
});
