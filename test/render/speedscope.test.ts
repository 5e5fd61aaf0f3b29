/**
 * --format=speedscope: every output validates against the schema shipped in the speedscope
 * package, holds the same totals as our flame graph (checked by adding up the samples the
 * way speedscope builds its call tree), and opens in speedscope itself (headless Chromium,
 * when installed), which then shows those totals.
 */
import Ajv from 'ajv';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { buildFrames, renderToString } from '../../src/pipeline';
import { readProfile } from '../../src/pipeline';
import type { FrameSet } from '../../src/frames/frame-set';
import type { Options } from '../../src/options';
import { readFolded } from '../../src/import/folded';
import { SPEEDSCOPE_SCHEMA_URL } from '../../src/render/speedscope';
import { checkedPage, launchChromium } from '../helpers/browser';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, '..', 'fixtures');
const SAMPLED = join(FIXTURES, 'sampled');
const SPEEDSCOPE = join(ROOT, 'node_modules', 'speedscope', 'dist', 'release');
const CLI = join(ROOT, 'bin', 'flameprof.js');

interface SpeedscopeFile {
  $schema: string;
  name: string;
  exporter: string;
  activeProfileIndex: number;
  shared: { frames: Array<{ name: string; file?: string; line?: number }> };
  profiles: Array<{
    type: string;
    name: string;
    unit: string;
    startValue: number;
    endValue: number;
    samples: number[][];
    weights: number[];
  }>;
}

// The schema declares draft-07, which is Ajv 8's default dialect.
const schema = JSON.parse(readFileSync(join(SPEEDSCOPE, 'file-format-schema.json'), 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

function speedscopeOf(frames: FrameSet, title = 'test'): SpeedscopeFile {
  const text = renderToString(frames, { format: 'speedscope', title });
  const file = JSON.parse(text) as SpeedscopeFile;
  if (!validate(file)) throw new Error(`invalid speedscope file: ${JSON.stringify(validate.errors)}`);
  return file;
}

interface Inputs {
  readonly name: string;
  readonly bytes: Buffer;
  readonly options: Partial<Options>;
}
const inputs: Inputs[] = [
  ...readdirSync(FIXTURES)
    // roots-off.prof's times do not agree by design: its bottom row is 500 % of the total.
    .filter((f) => f.endsWith('.prof') && f !== 'roots-off.prof')
    .flatMap((f) => [
      { name: f, bytes: readFileSync(join(FIXTURES, f)), options: {} },
      { name: `${f} at --threshold 0.01`, bytes: readFileSync(join(FIXTURES, f)), options: { threshold: 0.01 } },
    ]),
  { name: 'plopload.plop', bytes: readFileSync(join(SAMPLED, 'plopload.plop')), options: {} },
  { name: 'plopload.flame at --threshold 0', bytes: readFileSync(join(SAMPLED, 'plopload.flame')), options: { threshold: 0 } },
  { name: 'empty input', bytes: Buffer.alloc(0), options: {} },
];

/**
 * speedscope's totals: it merges the samples' stacks into a call tree and adds each sample's
 * weight to every node on its path. Returns the total of the node at each path (frame indices
 * joined by ',').
 */
function speedscopeTotals(file: SpeedscopeFile): Map<string, number> {
  const p = file.profiles[0];
  const totals = new Map<string, number>();
  p.samples.forEach((stack, i) => {
    for (let d = 1; d <= stack.length; d++) {
      const key = stack.slice(0, d).join(',');
      totals.set(key, (totals.get(key) ?? 0) + p.weights[i]);
    }
  });
  return totals;
}

describe.each(inputs)('$name', ({ name, bytes, options }) => {
  const frames = buildFrames(readProfile(bytes, name), options);
  const file = speedscopeOf(frames, name);
  const profile = file.profiles[0];

  it('validates against file-format-schema.json, one sampled profile in the right unit', () => {
    expect(file.$schema).toBe(SPEEDSCOPE_SCHEMA_URL);
    expect(file.profiles.length).toBe(1);
    expect(profile.type).toBe('sampled');
    expect(profile.unit).toBe(frames.unit === 'seconds' ? 'seconds' : 'none');
    expect(profile.name).toBe(name);
    expect(profile.samples.length).toBe(profile.weights.length);
  });

  it('holds the same totals as our flame graph: 100 % and every frame', () => {
    // speedscope takes max(endValue - startValue, sum of weights) as 100 %.
    expect(profile.endValue - profile.startValue).toBe(frames.total);
    const sum = profile.weights.reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(frames.total * (1 + 1e-12));
    expect(profile.weights.every((w) => w > 0 && Number.isFinite(w))).toBe(true);

    const totals = speedscopeTotals(file);
    // Each flame frame's path, as indices of the file's frames (found by name, file and line).
    const index = new Map(file.shared.frames.map((f, i) => [`${f.file ?? ''}\u0000${f.line ?? -1}\u0000${f.name}`, i]));
    const path: number[] = [];
    for (const f of frames.flame.toArray()) {
      const k = frames.funcs[f.func].key;
      const i = index.get(`${k.file}\u0000${k.line}\u0000${k.name}`);
      expect(i).toBeDefined();
      path.length = f.level;
      path.push(i!);
      expect(Math.abs((totals.get(path.join(',')) ?? 0) - f.w)).toBeLessThanOrEqual(frames.total * 1e-12);
    }
    // And speedscope has no node we do not draw.
    expect(totals.size).toBe(frames.flame.length);
  });

  it('names frames like the SVG labels, with file and line filled in', () => {
    const used = new Set(frames.flame.toArray().map((f) => f.func));
    expect(file.shared.frames.length).toBe(used.size);
    const want = [...used].map((i) => {
      const k = frames.funcs[i].key;
      return k.line < 0 ? { name: k.name } : { name: k.name, file: k.file, line: k.line };
    });
    expect([...file.shared.frames].sort(byJson)).toEqual(want.sort(byJson));
  });
});

function byJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

describe('details', () => {
  it('leaves file and line out for bare names from other tools', () => {
    const file = speedscopeOf(buildFrames(readProfile(Buffer.from('main;work 3\nmain 1\n'), 'x'), { threshold: 0 }));
    expect(file.shared.frames).toEqual([{ name: 'main' }, { name: 'work' }]);
    // Children first, then the parent's own samples: speedscope's time order matches our graph.
    expect(file.profiles[0].samples).toEqual([[0, 1], [0]]);
    expect(file.profiles[0].weights).toEqual([3, 1]);
  });

  it('keeps any text in names valid JSON', () => {
    const evil = 'a"b\\c\u0001\u2028</script>\ud800';
    const frames = buildFrames(readFolded(`${evil} 2\n`));
    const text = renderToString(frames, { format: 'speedscope', title: 't"\n' });
    const file = JSON.parse(text) as SpeedscopeFile;
    expect(file.shared.frames[0].name).toBe(evil);
    expect(file.name).toBe('t"\n');
  });

  it('CLI: --format=speedscope -o writes the file; the title names the inputs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'speedscope-'));
    try {
      const out = join(dir, 'p.speedscope.json');
      const r = spawnSync(process.execPath, [CLI, '--format=speedscope', '-o', out, join(FIXTURES, 'sample-py3.prof')], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      const file = JSON.parse(readFileSync(out, 'utf8')) as SpeedscopeFile;
      expect(validate(file)).toBe(true);
      expect(file.name).toBe('sample-py3.prof');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/* ---------- in speedscope itself ---------- */


/** speedscope's time display, e.g. "54.56ms", "977.41µs", "1.23s", in seconds. */
function parseTime(s: string): number {
  const m = /^([\d.]+)(ns|µs|ms|s|min|h)$/.exec(s.trim());
  if (!m) throw new Error(`unexpected time ${JSON.stringify(s)}`);
  const scale: Record<string, number> = { ns: 1e-9, µs: 1e-6, ms: 1e-3, s: 1, min: 60, h: 3600 };
  return Number(m[1]) * scale[m[2]];
}

describe('opened in speedscope (headless Chromium)', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'speedscope-'));
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads textproc.prof and shows our totals per function in its Sandwich view', async () => {
    const frames = buildFrames(readProfile(readFileSync(join(FIXTURES, 'textproc.prof')), 'textproc.prof'));
    const path = join(dir, 'textproc.speedscope.json');
    writeFileSync(path, renderToString(frames, { format: 'speedscope', title: 'textproc.prof' }));

    const { page, problems } = await checkedPage(browser, 1200, 900);
    await page.goto(pathToFileURL(join(SPEEDSCOPE, 'index.html')).href);
    await page.locator('input[type=file]').setInputFiles(path);
    await page.waitForFunction(() => document.title === 'textproc.prof - speedscope', undefined, { timeout: 15000 });
    await page.click('text=Sandwich');
    await page.getByText('Symbol Name').waitFor();
    const cells = await page.evaluate(() => {
      const text = document.body.innerText;
      return text.slice(text.indexOf('Symbol Name') + 'Symbol Name'.length);
    });
    expect(problems).toEqual([]);

    // What speedscope's Sandwich "Total" means: the time of samples a function is in,
    // each counted once. In our frames: the widths of its outermost frames.
    const expected = new Map<string, number>();
    const names = new Map<string, number>();
    const stack: number[] = [];
    for (const f of frames.flame.toArray()) {
      stack.length = f.level;
      if (!stack.includes(f.func)) {
        const n = frames.funcs[f.func].key.name;
        expected.set(n, (expected.get(n) ?? 0) + f.w);
      }
      stack.push(f.func);
    }
    for (const i of new Set(frames.flame.toArray().map((f) => f.func))) {
      const n = frames.funcs[i].key.name;
      names.set(n, (names.get(n) ?? 0) + 1);
    }

    // Rows: "TOTAL (P%)", "SELF (P%)", "NAME" (the table only renders the rows in view).
    const lines = cells.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    let checked = 0;
    for (let i = 0; i + 2 < lines.length; i += 3) {
      const name = lines[i + 2];
      if (names.get(name) !== 1) continue; // a name several functions share
      const total = parseTime(lines[i].replace(/\s*\(.*\)$/, ''));
      const want = expected.get(name)!;
      // Shown with 2 decimals in its unit: within half of the last digit (and float noise).
      const unit = total >= 1 ? 1 : total >= 1e-3 ? 1e-3 : total >= 1e-6 ? 1e-6 : 1e-9;
      expect(Math.abs(total - want)).toBeLessThanOrEqual(0.005 * unit + 1e-12);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
    await page.close();
  });

  it('loads a sampled input (plop), in samples', async () => {
    const frames = buildFrames(readProfile(readFileSync(join(SAMPLED, 'plopload.plop')), 'plopload.plop'));
    const path = join(dir, 'plop.speedscope.json');
    writeFileSync(path, renderToString(frames, { format: 'speedscope', title: 'plopload' }));
    const { page, problems } = await checkedPage(browser, 1200, 900);
    await page.goto(pathToFileURL(join(SPEEDSCOPE, 'index.html')).href);
    await page.locator('input[type=file]').setInputFiles(path);
    await page.waitForFunction(() => document.title === 'plopload - speedscope', undefined, { timeout: 15000 });
    await page.click('text=Sandwich');
    await page.getByText('Symbol Name').waitFor();
    const text = await page.evaluate(() => document.body.innerText);
    // The outermost function is in every sample: 57 of 57.
    expect(text).toMatch(/57 \(100%\)\s+0 \(<0\.01%\)\s+_run_module_as_main/);
    expect(problems).toEqual([]);
    await page.close();
  });
});
