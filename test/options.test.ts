/**
 * Options people reach for: --minwidth, --countname, --notes, and the promise that the same
 * input and options give the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readProfile } from '../src/pipeline';
import { buildFrames, renderToString } from '../src/pipeline';
import { readOurSvg } from './helpers/svg-frames';
import { callGraphObjects } from '../src/model/objects';
import type { CallGraphProfile } from '../src/model/profile';

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
  for (const f of [...byPixels.flame.toArray(), ...byPixels.inverted.toArray()]) expect((f.w / byPixels.total) * 1200).toBeGreaterThan(6);
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
    const run = (): Buffer => spawnSync(process.execPath, [CLI, `--format=${format}`, '--threshold', '0.01', TEXTPROC], { maxBuffer: 1 << 26 }).stdout;
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

describe('--hide, --focus, --reverse, --icicle, --subtitle, --width 100%', () => {
  const PLOP = join(__dirname, 'fixtures', 'sampled', 'plopload.flame');
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  /** A folded text as stack -> count (plop's stray `None 1` line is no stack). */
  const folded = (text: string): Map<string, number> => {
    const out = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line === '' || line === 'None 1') continue;
      const at = line.lastIndexOf(' ');
      out.set(line.slice(0, at), (out.get(line.slice(0, at)) ?? 0) + Number(line.slice(at + 1)));
    }
    return out;
  };
  /** plop's `name (file:line)` frames as our log writes them: `file:line:name`. */
  const ours = (frame: string): string => frame.replace(/^(.*) \((.*):(\d+)\)$/, '$2:$3:$1');
  /** The input's stacks, each changed by `f` (undefined: dropped), merged. */
  const expectedStacks = (f: (frames: string[]) => string[] | undefined): Map<string, number> => {
    const out = new Map<string, number>();
    for (const [stack, n] of folded(readFileSync(PLOP, 'utf8'))) {
      const frames = f(stack.split(';').map(ours));
      if (frames === undefined || frames.length === 0) continue;
      out.set(frames.join(';'), (out.get(frames.join(';')) ?? 0) + n);
    }
    return out;
  };
  /** Our log's lines are frames, each with its own samples: the stacks are the lines with a count. */
  const logStacks = (text: string): Map<string, number> => new Map([...folded(text)].filter(([, n]) => n > 0));
  const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

  test('--hide on sampled stacks: the frames are gone, their samples with their callers', () => {
    const r = cli('--hide', 'json/', '--hide', 'frozen runpy', '--format=log', '--threshold', '0', PLOP);
    expect(r.status).toBe(0);
    const want = expectedStacks((fs) => fs.filter((x) => !/json\/|frozen runpy/.test(x)));
    expect(logStacks(r.stdout)).toEqual(want);
  });

  test('--focus on sampled stacks: only stacks through the function, each from its outermost match', () => {
    const r = cli('--focus', ':(encode|loads)$', '--format=log', '--threshold', '0', PLOP);
    expect(r.status).toBe(0);
    const want = expectedStacks((fs) => {
      const at = fs.findIndex((x) => /:(encode|loads)$/.test(x));
      return at < 0 ? undefined : fs.slice(at);
    });
    expect(logStacks(r.stdout)).toEqual(want);
    expect([...want.keys()].every((s) => /^[^;]*:(encode|loads);?/.test(s))).toBe(true);
    const none = cli('--focus', 'no_such_function', PLOP);
    expect([none.status, none.stderr]).toEqual([1, "flameprof: --focus 'no_such_function' matches no function on any stack of the profile\n"]);
    const bad = cli('--focus', 'a(', PLOP);
    expect([bad.status, bad.stderr]).toEqual([2, "flameprof: --focus 'a(' is not a regular expression: Unterminated group (see 'flameprof --help')\n"]);
  });

  test('--reverse: the stacks merged from their innermost frame', () => {
    const r = cli('--reverse', '--format=log', '--threshold', '0', PLOP);
    expect(logStacks(r.stdout)).toEqual(expectedStacks((fs) => [...fs].reverse()));
    // The flame's roots are now the functions that did the work.
    const frames = buildFrames(readProfile(readFileSync(PLOP), PLOP), { reverse: true, threshold: 0 });
    const roots = new Set(frames.flame.toArray().filter((f) => f.level === 0).map((f) => frames.funcs[f.func].label));
    expect(roots).toContain('/usr/lib/python3.11/json/encoder.py:258:iterencode');
  });

  test("--hide matching nothing changes nothing; on a real dump it keeps the log's total", () => {
    const SYMPY = join(ROOT, 'bench', 'inputs', 'sympy-tests.prof');
    const log = (...args: string[]): string => cli(...args, '--format=log', SYMPY).stdout;
    const sum = (text: string): number => text.split('\n').filter(Boolean).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const plainLog = log();
    expect(log('--hide', 'no_such_function')).toBe(plainLog);
    const hidden = log('--hide', 'importlib');
    expect(hidden).not.toContain('importlib');
    expect(plainLog).toContain('importlib');
    expect(Math.abs(sum(hidden) - sum(plainLog)) / sum(plainLog)).toBeLessThan(0.005);
  });

  test('on a cProfile dump --hide and --focus keep the totals of the estimated stacks, and say what is exact', () => {
    // The estimated stacks --hide starts from: the flame's paths at the threshold asked.
    const all = buildFrames(profile, { threshold: 0.1 }).flame.toArray().reduce((a, f) => a + f.self, 0);
    // Those --focus starts from: at a tenth of the threshold.
    const plain = buildFrames(profile, { threshold: 0.01 });
    const funcs = plain.funcs.map((f) => f.label);
    let through = 0;
    const path: string[] = [];
    for (const f of plain.flame.toArray()) {
      path.length = f.level;
      path.push(funcs[f.func]);
      if (path.some((l) => /:_tokenize$/.test(l))) through += f.self;
    }
    const hidden = cli('--hide', 'tokenize', '--format=log', '--threshold', '0.1', TEXTPROC);
    expect(hidden.status).toBe(0);
    expect(hidden.stdout).not.toMatch(/tokenize/);
    expect(buildFrames(profile, { hide: ['tokenize'] }).total).toBeCloseTo(all, 9);
    const focus = cli('--focus', ':_tokenize$', '--format=log', '--threshold', '0.1', TEXTPROC);
    expect(focus.status).toBe(0);
    expect(buildFrames(profile, { focus: ':_tokenize$' }).total).toBeCloseTo(through, 9);
    expect(through).toBeGreaterThan(0);
    expect(through).toBeLessThan(all);
    expect(focus.stdout.split('\n').filter(Boolean).every((l) => /^[^;]*:_tokenize[; ]/.test(l))).toBe(true);
    const ct = callGraphObjects(profile as CallGraphProfile).find((f) => f.key.name === '_tokenize')!.stat.ct;
    expect(focus.stderr).toContain(`by the dump's exact cumulative times: `);
    expect(focus.stderr).toContain(`:_tokenize ${Number(ct.toPrecision(6))} s`);
    // The header says the widths are the estimator's stacks, and no frame is called exact-by-call-count.
    const svg = cli('--focus', ':_tokenize$', TEXTPROC).stdout;
    expect(svg).toContain('width = time on the estimated stacks');
    expect(readOurSvg(svg).frames.every((f) => !/ calls?[ ,]/.test(f.title))).toBe(true);
  });

  test('--icicle: the root on the top row and each level one row further down', () => {
    const frames = buildFrames(profile);
    const down = readOurSvg(renderToString(frames, { icicle: true }));
    const up = readOurSvg(renderToString(frames));
    const flame = frames.flame.toArray();
    const top = Math.min(...down.frames.slice(0, flame.length).map((f) => f.y));
    flame.forEach((f, i) => {
      expect(down.frames[i].y).toBe(top + f.level * 24);
      expect([down.frames[i].x, down.frames[i].width]).toEqual([up.frames[i].x, up.frames[i].width]);
    });
  });

  test('--subtitle: a line under the title, escaped, and the graph one row lower', () => {
    const frames = buildFrames(profile);
    const plain = renderToString(frames);
    const sub = renderToString(frames, { subtitle: 'nightly <run> & "x"' });
    expect(sub).toContain('>nightly &lt;run&gt; &amp; &quot;x&quot;</text>');
    const shift = (svg: string) => Number(/<g id="frames" transform="translate\(0,(\d+)\)">/.exec(svg)![1]);
    expect(shift(sub) - shift(plain)).toBe(22);
  });
});
