/**
 * The HTML report in a real browser: playwright-core driving Debian's Chromium. Every page
 * is a local file and every other request is blocked and counted as a problem.
 *
 * Expected numbers come from elsewhere than the page: pstats itself
 * (test/fixtures/report/expected.py wrote expected.json), the FrameSet, and the SVG.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { FrameSet } from '../../src/frames/frame-set';
import { readPstats } from '../../src/import/pstats';
import { readProfile } from '../../src/pipeline';
import type { Profile } from '../../src/model/profile';
import type { Options } from '../../src/options';
import { buildFrames, diffProfiles, renderToString } from '../../src/pipeline';
import { readOurSvg } from '../helpers/svg-frames';
import { tooltip } from '../../src/render/svg-frames';
import { checkedPage, launchChromium } from '../helpers/browser';
import { encodePstats } from '../helpers/encode-marshal';
import { HOSTILE_NAMES, hostileProfile } from '../helpers/hostile';

const FIXTURES = join(__dirname, '..', 'fixtures');
const REPORT_FIXTURES = join(FIXTURES, 'report');

interface Expected {
  labels: string[];
  orders: Record<'tottime' | 'ncalls' | 'cumulative' | 'tt/nc' | 'ct/cc' | 'name', number[]>;
  stats: Array<[number, number, number, number]>;
  sandwich: Record<string, { callers: Record<string, number[]>; callees: Record<string, number[]> }>;
}
const EXPECTED = JSON.parse(readFileSync(join(REPORT_FIXTURES, 'expected.json'), 'utf8')) as Record<string, Expected>;
const DUMPS: Record<string, string> = {
  'pipeline.prof': join(REPORT_FIXTURES, 'pipeline.prof'),
  'recursive.prof': join(REPORT_FIXTURES, 'recursive.prof'),
  'textproc.prof': join(FIXTURES, 'textproc.prof'),
  'sympy-tests.prof': join(__dirname, '..', '..', 'bench', 'inputs', 'sympy-tests.prof'),
};

function load(path: string): Profile {
  return readProfile(readFileSync(path), path);
}

let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'flameprof-report-'));
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Write the report of `profile` and return its path with the frames it was made from. */
function writeReport(name: string, profile: Profile, options: Partial<Options> = {}): { file: string; frames: FrameSet } {
  const frames = buildFrames(profile, { ...options, format: 'html' });
  const file = join(dir, `${name}.html`);
  writeFileSync(file, renderToString(frames, { ...options, format: 'html', title: options.title ?? name }));
  return { file, frames };
}

interface Opened {
  page: Page;
  problems: string[];
}

/** Open a report at a hash, with every request that is not the file itself blocked. */
async function open(file: string, hash = '', size = { width: 1300, height: 900 }): Promise<Opened> {
  const { page, problems } = await checkedPage(browser, size.width, size.height);
  await page.route(/^(?!file:)/, (route) => route.abort());
  await page.goto(pathToFileURL(file).href + hash);
  await page.waitForSelector('html[data-ready]');
  return { page, problems };
}

/** Where frame i of a section is drawn, in page coordinates, computed from the frames alone. */
async function frameBox(page: Page, frames: FrameSet, section: 'flame' | 'inverted', i: number, icicle = false) {
  const c = frames;
  const f = c[section];
  const view = await page.evaluate(() => {
    const scroll = document.querySelector('main > div:not([hidden]).flame-scroll') as HTMLElement;
    const r = scroll.getBoundingClientRect();
    return { left: r.left, top: r.top, width: scroll.clientWidth, scrollTop: scroll.scrollTop };
  });
  const rowH = 24;
  const flameRows = c.flame.maxLevel + 1;
  const row = section === 'flame' ? (icicle ? f.level[i] : flameRows - 1 - f.level[i]) : flameRows + 1 + f.level[i];
  const x = (f.x[i] * view.width) / frames.total;
  const w = Math.max(1, (f.w[i] * view.width) / frames.total - 1);
  return { x: view.left + x, y: view.top + row * rowH - view.scrollTop, w, h: rowH - 1, cssX: x, cssY: row * rowH - view.scrollTop };
}

/** The canvas pixel at CSS coordinates (x, y) of the visible view's canvas, as rgb(r,g,b). */
async function pixel(page: Page, x: number, y: number): Promise<string> {
  return page.evaluate(
    ([px, py]) => {
      const canvas = document.querySelector('main > div:not([hidden]) canvas') as HTMLCanvasElement;
      const ratio = canvas.width / canvas.clientWidth;
      const d = canvas.getContext('2d')!.getImageData(Math.floor(px * ratio), Math.floor(py * ratio), 1, 1).data;
      return `rgb(${d[0]},${d[1]},${d[2]})`;
    },
    [x, y],
  );
}

/** The SVG's fill of frame i of a section (the SVG draws the same frames in the same order). */
function svgFills(frames: FrameSet): Record<'flame' | 'inverted', string[]> {
  const svg = renderToString(frames, { format: 'svg', title: 'x' });
  const split = svg.indexOf('<g id="inverted"');
  const fills = (part: string): string[] => Array.from(part.matchAll(/<rect [^>]*fill="(rgb\([^)]*\))"/g), (m) => m[1]);
  return { flame: fills(svg.slice(svg.indexOf('<g id="flame"'), split)), inverted: fills(svg.slice(split)) };
}

/**
 * The page's URL hash, read in the page: playwright's page.url() learns of a pushState
 * from an event that can arrive after the next step of a test.
 */
async function hashNow(page: Page): Promise<string> {
  return page.evaluate(() => location.hash);
}

async function hashOf(page: Page): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams((await hashNow(page)).slice(1)));
}

describe('--format=html in Chromium', () => {
  test('each view opens from its hash and from keys 1-5, with no page error and no request', async () => {
    const cases: Array<[string, Profile]> = [
      ['pipeline', load(DUMPS['pipeline.prof'])],
      ['plopload', load(join(FIXTURES, 'sampled', 'plopload.flame'))],
    ];
    for (const [name, profile] of cases) {
      const { file } = writeReport(name, profile);
      const fn = encodeURIComponent(profile.kind === 'callgraph' ? 'samples/pipeline.py:58:main' : '<string>:13:main');
      for (const view of ['flame', 'icicle', 'table', 'sandwich', 'graph']) {
        const { page, problems } = await open(file, `#view=${view}&fn=${fn}&search=main`);
        const shown = await page.evaluate(() => ({
          tab: document.querySelector('.tab.active')!.id,
          visible: Array.from(document.querySelectorAll('main > div')).filter((d) => !(d as HTMLElement).hidden).map((d) => d.className),
        }));
        expect([name, shown.tab]).toEqual([name, `tab-${view}`]);
        expect(shown.visible).toHaveLength(1);
        if (view === 'sandwich') expect(await page.textContent('.sandwich-title')).toContain(decodeURIComponent(fn));
        if (view === 'graph') expect(await page.locator('svg.graph circle.node').count()).toBeGreaterThan(3);
        if (view === 'table') expect(await page.locator('.table-body .trow').count()).toBeGreaterThan(3);
        expect(await page.inputValue('#search')).toBe('main');
        // Keys switch views and keep the state in the hash.
        for (const [key, next] of [['3', 'table'], ['5', 'graph'], ['1', 'flame'], ['2', 'icicle'], ['4', 'sandwich']]) {
          await page.keyboard.press(key);
          expect(await hashNow(page)).toContain(`view=${next}`);
          expect(await page.evaluate(() => document.querySelector('.tab.active')!.id)).toBe(`tab-${next}`);
        }
        expect(problems).toEqual([]);
        await page.close();
      }
    }
  });

  test("leaving a sandwich forgets its function: the hash and the header no longer hold it", async () => {
    const { file } = writeReport('forget', load(DUMPS['pipeline.prof']));
    const fn = 'samples/pipeline.py:58:main';
    const { page, problems } = await open(file, `#view=sandwich&fn=${encodeURIComponent(fn)}`);
    expect(await page.textContent('.sandwich-title')).toContain(fn);
    // Hovering a box of the sandwich fills the details line.
    await page.hover('.sandwich-view .sbox[data-tip]');
    expect(await page.textContent('#details')).not.toBe('');
    for (const [key, view] of [['1', 'flame'], ['3', 'table'], ['5', 'graph']]) {
      await page.keyboard.press(key);
      expect(await hashOf(page)).toEqual({ view });
      expect(await page.textContent('#details')).toBe('');
    }
    // A link that names a function for another view is read without it.
    await page.evaluate((h) => (location.hash = h), `#view=table&fn=${encodeURIComponent(fn)}`);
    await page.waitForFunction(() => !location.hash.includes('fn='));
    expect(await hashOf(page)).toEqual({ view: 'table' });
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the flame: the SVG geometry, fills and tooltips; click zooms, Esc resets; the icicle has the root on top', async () => {
    const profile = load(DUMPS['pipeline.prof']);
    const { file, frames } = writeReport('flame', profile);
    const fills = svgFills(frames);
    const { page, problems } = await open(file);
    const c = frames;
    let checked = 0;
    for (const section of ['flame', 'inverted'] as const) {
      for (let i = 0; i < c[section].length; i++) {
        const box = await frameBox(page, frames, section, i);
        if (box.w < 4) continue;
        // Left edge, bottom row of the box: clear of the label, which starts at x + 4.
        expect([section, i, await pixel(page, box.cssX + 1, box.cssY + box.h - 2)]).toEqual([section, i, fills[section][i]]);
        await page.mouse.move(box.x + 1.5, box.y + box.h / 2);
        expect(await page.textContent('#details')).toBe(tooltip(c[section].frame(i), section, frames, 's'));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);

    // Click the widest level-3 frame of the flame: it fills the width, its ancestors stay.
    const f = c.flame;
    let pick = -1;
    for (let i = 0; i < f.length; i++) if (f.level[i] === 3 && (pick < 0 || f.w[i] < f.w[pick]) && f.w[i] > frames.total * 0.05) pick = i;
    const box = await frameBox(page, frames, 'flame', pick);
    await page.mouse.click(box.x + box.w / 2, box.y + box.h / 2);
    const width = await page.evaluate(() => (document.querySelector('.flame-scroll:not([hidden])') as HTMLElement).clientWidth);
    expect(await page.isEnabled('#reset')).toBe(true);
    expect(await pixel(page, width - 3, box.cssY + box.h - 2)).toBe(fills.flame[pick]);
    expect(await pixel(page, 1, box.cssY + box.h - 2)).toBe(fills.flame[pick]);
    // A frame of another subtree at the same level is gone.
    const other = Array.from({ length: f.length }, (_, i) => i).find((i) => f.level[i] === 3 && i !== pick && f.w[i] > frames.total * 0.02)!;
    const ob = await frameBox(page, frames, 'flame', other);
    const otherTip = tooltip(f.frame(other), 'flame', frames, 's');
    await page.mouse.move(ob.x + 1.5, ob.y + ob.h / 2);
    expect(await page.textContent('#details')).not.toBe(otherTip);
    await page.keyboard.press('Escape');
    expect(await page.isEnabled('#reset')).toBe(false);
    await page.mouse.move(1, 1);
    await page.mouse.move(ob.x + 1.5, ob.y + ob.h / 2);
    expect(await page.textContent('#details')).toBe(otherTip);
    expect(await pixel(page, ob.cssX + 1, ob.cssY + ob.h - 2)).toBe(fills.flame[other]);

    // The icicle: the root (level 0) on the top row.
    await page.keyboard.press('2');
    const root = await frameBox(page, frames, 'flame', 0, true);
    expect(root.cssY).toBe(0);
    expect(await pixel(page, root.cssX + 1, root.cssY + root.h - 2)).toBe(fills.flame[0]);
    // Double click opens the sandwich of the function under the pointer.
    await page.mouse.dblclick(root.x + 2, root.y + root.h / 2);
    expect(await hashOf(page)).toMatchObject({ view: 'sandwich', fn: frames.funcs[f.func[0]].label });
    expect(problems).toEqual([]);
    await page.close();
  });

  test('search highlights matches in every view and gives the share the SVG gives', async () => {
    const profile = load(DUMPS['textproc.prof']);
    const { file, frames } = writeReport('search', profile);
    const svgFile = join(dir, 'search.svg');
    writeFileSync(svgFile, renderToString(frames, { format: 'svg', title: 'x' }));
    for (const pattern of ['token', 'Counter|sorted', 'nothing-matches-this', '(']) {
      const sp = await checkedPage(browser);
      await sp.page.goto(pathToFileURL(svgFile).href);
      await sp.page.fill('#search', pattern);
      await sp.page.keyboard.press('Enter');
      const svgStatus = await sp.page.textContent('#status');
      await sp.page.close();

      const { page, problems } = await open(file, `#search=${encodeURIComponent(pattern)}`);
      expect([pattern, await page.textContent('#status')]).toEqual([pattern, svgStatus]);
      if (pattern === 'token') {
        // Highlighted in the flame (a matching frame's pixel), the table, the graph and the sandwich.
        const c = frames.flame;
        const i = Array.from({ length: c.length }, (_, k) => k).find((k) => /token/i.test(frames.funcs[c.func[k]].label) && c.w[k] > frames.total * 0.01)!;
        const box = await frameBox(page, frames, 'flame', i);
        expect(await pixel(page, box.cssX + 1, box.cssY + box.h - 2)).toBe('rgb(230,0,230)');
        await page.keyboard.press('3');
        const rows = await page.$$eval('.table-body .trow.m', (rs) => rs.map((r) => (r as HTMLElement).dataset.fn!));
        expect(rows.length).toBeGreaterThan(0);
        for (const fn of rows) expect(frames.funcs[Number(fn)].label).toMatch(/token/i);
        await page.keyboard.press('5');
        const fills = await page.$$eval('svg.graph circle.node', (cs) => cs.map((c) => [(c as SVGElement).dataset.fn!, c.getAttribute('fill')]));
        for (const [fn, fill] of fills) expect([fn, fill === 'rgb(230,0,230)']).toEqual([fn, /token/i.test(frames.funcs[Number(fn)].label)]);
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  test.each(Object.keys(DUMPS))("%s: the table's default order is pstats' sort_stats('tottime'), and every column sorts as pstats does", async (name) => {
    const expected = EXPECTED[name];
    const { file } = writeReport(name.replace('.prof', ''), load(DUMPS[name]));
    const { page, problems } = await open(file, '#view=table', { width: 1300, height: 4000 });
    const labels = await page.evaluate(() => (window as unknown as { flameprof: { report: { labels: string[] } } }).flameprof.report.labels);
    expect(labels).toEqual(expected.labels);
    /** Every row's function, top to bottom, scrolling through the table. */
    const order = (): Promise<number[]> =>
      page.evaluate(async () => {
        const scroll = document.querySelector('.table-scroll') as HTMLElement;
        const seen = new Map<number, number>();
        for (let top = 0; ; top += scroll.clientHeight - 100) {
          scroll.scrollTop = top;
          await new Promise((done) => requestAnimationFrame(done));
          for (const r of Array.from(document.querySelectorAll('.table-body .trow'))) {
            seen.set(parseFloat((r as HTMLElement).style.top), Number((r as HTMLElement).dataset.fn));
          }
          if (top >= scroll.scrollHeight) break;
        }
        scroll.scrollTop = 0;
        return [...seen.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
      });
    expect(await order()).toEqual(expected.orders.tottime);
    for (const [column, key] of [
      ['nc', 'ncalls'],
      ['ct', 'cumulative'],
      ['tpc', 'tt/nc'],
      ['cpc', 'ct/cc'],
      ['name', 'name'],
    ] as const) {
      await page.click(`.thead .c-${column}`);
      expect([column, (await order()).slice(0, 2000)]).toEqual([column, expected.orders[key].slice(0, 2000)]);
      expect(await hashNow(page)).toContain(column === 'name' ? 'sort=name' : `sort=-${column}`);
    }
    // The numbers in the rows are pstats' own.
    await page.click('.thead .c-tt');
    const first = await page.$$eval('.table-body .trow', (rs) =>
      rs.slice(0, 10).map((r) => [Number((r as HTMLElement).dataset.fn), ...Array.from(r.children).slice(0, 4).map((c) => c.textContent)]),
    );
    for (const [fn, calls, own, perCall, cum] of first as Array<[number, string, string, string, string]>) {
      const [cc, nc, tt, ct] = expected.stats[fn];
      expect([calls, own, perCall, cum]).toEqual([nc === cc ? String(nc) : `${nc}/${cc}`, tt.toFixed(6), (nc > 0 ? tt / nc : 0).toFixed(6), ct.toFixed(6)]);
    }
    // The filter keeps the rows that match.
    await page.fill('#table-filter', 'tokeni[sz]e|\\(sorted');
    const kept = await page.$$eval('.table-body .trow', (rs) => rs.map((r) => Number((r as HTMLElement).dataset.fn)));
    const want = expected.labels.map((l, i) => [l, i] as const).filter(([l]) => /tokeni[sz]e/i.test(l));
    for (const [, i] of want) if (kept.length < 40) expect(kept).toContain(i);
    expect(problems).toEqual([]);
    await page.close();
  });

  test.each(Object.keys(DUMPS))("%s: a sandwich's callers and callees are pstats' print_callers and print_callees", async (name) => {
    const expected = EXPECTED[name];
    const { file } = writeReport(name.replace('.prof', '') + '-sandwich', load(DUMPS[name]));
    const { page, problems } = await open(file);
    for (const [fn, want] of Object.entries(expected.sandwich)) {
      await page.evaluate((h) => (location.hash = h), `#view=sandwich&fn=${encodeURIComponent(fn)}`);
      await page.waitForFunction((f) => document.querySelector('.sandwich-title')?.textContent?.startsWith(f + ':'), fn);
      for (const side of ['callers', 'callees'] as const) {
        const rows = await page.$$eval(`.sandwich-list.${side} tr[data-fn]`, (rs) =>
          rs.map((r) => {
            const d = (r as HTMLElement).dataset;
            return [Number(d.fn), Number(d.cc), Number(d.nc), Number(d.tt), Number(d.ct)];
          }),
        );
        const got = Object.fromEntries(rows.map(([f, ...v]) => [expected.labels[f], v]));
        expect([fn, side, got]).toEqual([fn, side, want[side]]);
      }
    }
    // Clicking a caller moves the sandwich to it.
    const [fn] = Object.keys(expected.sandwich);
    await page.evaluate((h) => (location.hash = h), `#view=sandwich&fn=${encodeURIComponent(fn)}`);
    const caller = await page.$('.sandwich-list.callers tr[data-fn]');
    if (caller !== null) {
      const target = expected.labels[Number(await caller.getAttribute('data-fn'))];
      await caller.click();
      expect(await page.textContent('.sandwich-title')).toContain(target + ':');
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the call graph: a node per function above the threshold, areas in the order of own times', async () => {
    const expected = EXPECTED['textproc.prof'];
    const { file, frames } = writeReport('graph', load(DUMPS['textproc.prof']));
    const { page, problems } = await open(file, '#view=graph');
    const nodes = async (): Promise<Array<{ fn: number; r: number }>> =>
      page.$$eval('svg.graph circle.node', (cs) => cs.map((c) => ({ fn: Number((c as SVGElement).dataset.fn), r: Number(c.getAttribute('r')) })));
    for (const min of [0.5, 5, 0.05]) {
      if (min !== 0.5) {
        await page.fill('#graph-min', String(min));
        await page.press('#graph-min', 'Enter');
      }
      const got = await nodes();
      const want = expected.stats.map((s, i) => [s, i] as const).filter(([s]) => s[3] > 0 && s[3] >= (min / 100) * frames.total).map(([, i]) => i);
      expect([min, got.map((n) => n.fn).sort((a, b) => a - b)]).toEqual([min, want]);
      // Larger own time, larger circle; equal own times, equal circles.
      const byTt = [...got].sort((a, b) => expected.stats[a.fn][2] - expected.stats[b.fn][2]);
      for (let k = 1; k < byTt.length; k++) {
        const [a, b] = [byTt[k - 1], byTt[k]];
        if (expected.stats[a.fn][2] < expected.stats[b.fn][2]) expect(a.r).toBeLessThan(b.r);
        else expect(a.r).toBe(b.r);
      }
    }
    expect(await hashNow(page)).toContain('min=0.05');
    // Drag moves a node; the wheel zooms and a drag on the background pans.
    // A circle nothing covers, for the pointer.
    const free = (): Promise<number> =>
      page.$$eval('svg.graph circle.node', (cs) =>
        cs.findIndex((c) => {
          const b = c.getBoundingClientRect();
          return b.width > 4 && document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2) === c;
        }),
      );
    const node = page.locator('svg.graph circle.node').nth(await free());
    const before = await node.boundingBox();
    await page.mouse.move(before!.x + before!.width / 2, before!.y + before!.height / 2);
    await page.mouse.down();
    await page.mouse.move(before!.x + 80, before!.y + 60, { steps: 5 });
    await page.mouse.up();
    const after = await node.boundingBox();
    expect(Math.hypot(after!.x - before!.x, after!.y - before!.y)).toBeGreaterThan(40);
    const transform = () => page.getAttribute('svg.graph > g', 'transform');
    const t0 = await transform();
    await page.mouse.move(640, 500);
    await page.mouse.wheel(0, -300);
    const t1 = await transform();
    expect(t1).not.toBe(t0);
    await page.mouse.move(20, 880);
    await page.mouse.down();
    await page.mouse.move(120, 860, { steps: 3 });
    await page.mouse.up();
    expect(await transform()).not.toBe(t1);
    // Hover gives the numbers; a click opens the sandwich (of a circle inside the window).
    const inView = await free();
    expect(inView).toBeGreaterThanOrEqual(0);
    const circle = page.locator('svg.graph circle.node').nth(inView);
    const fn = Number(await circle.getAttribute('data-fn'));
    await circle.hover();
    expect(await page.textContent('#details')).toContain(expected.labels[fn] + ': own ');
    await circle.click();
    expect(await hashOf(page)).toMatchObject({ view: 'sandwich', fn: expected.labels[fn] });
    expect(problems).toEqual([]);
    await page.close();
  });

  test.each(['sympy-tests.prof', 'textproc.prof'])('%s: the call graph labels at least 10 functions, no two labels overlap, the others show while hovered', async (name) => {
    const { file } = writeReport(`graph-labels-${name}`, load(DUMPS[name]));
    const { page, problems } = await open(file, '#view=graph&min=0.1');
    await page.waitForSelector('svg.graph[data-labelled]');
    const labels = () =>
      page.$$eval('svg.graph text.node-label', (ts) =>
        ts
          .filter((t) => (t as SVGElement).style.display !== 'none')
          .map((t) => {
            const b = (t as SVGTextElement).getBBox();
            return { text: t.textContent, x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height };
          }),
      );
    const shown = await labels();
    const nodes = await page.locator('svg.graph circle.node').count();
    expect(nodes).toBeGreaterThan(shown.length);
    expect(shown.length).toBeGreaterThanOrEqual(10);
    const overlaps: string[] = [];
    for (let i = 0; i < shown.length; i++) {
      for (let j = i + 1; j < shown.length; j++) {
        const [a, b] = [shown[i], shown[j]];
        if (a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1) overlaps.push(`${a.text} / ${b.text}`);
      }
    }
    expect(overlaps).toEqual([]);
    // The biggest function (by cumulative time) is labelled; a function without a label shows it while hovered.
    // A function without a label shows it while its circle is hovered (one inside the window).
    const fn = await page.$$eval('svg.graph text.node-label', (ts) =>
      ts
        .filter((t) => (t as SVGElement).style.display === 'none')
        .map((t) => (t as SVGElement).dataset.fn!)
        .find((f) => {
          const c = document.querySelector(`svg.graph circle.node[data-fn="${f}"]`)!;
          const b = c.getBoundingClientRect();
          return document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2) === c;
        }),
    );
    expect(fn).toBeDefined();
    await page.locator(`svg.graph circle.node[data-fn="${fn}"]`).hover({ force: true });
    expect(await page.locator(`svg.graph text.node-label[data-fn="${fn}"]`).evaluate((t) => (t as SVGElement).style.display)).toBe('');
    expect(problems).toEqual([]);
    await page.close();
  });

  test('hostile names run nothing, break nothing and lose no frame', async () => {
    const names = [...HOSTILE_NAMES, '<!-- comment', '\u202eRTL override\u202c', 'x'.repeat(100 * 1024), '\u2028line\u2029para'];
    const profile = readPstats(encodePstats(hostileProfile(names)));
    const { file, frames } = writeReport('hostile', profile);
    const html = readFileSync(file, 'utf8');
    // Only our own two script elements, and the data holds no character that could end one.
    expect(html.match(/<script/g)).toHaveLength(2);
    const data = html.slice(html.indexOf('id="flameprof-data">') + 20, html.indexOf('</script>'));
    expect(data).not.toMatch(/[<>&\u2028\u2029]/);
    for (const view of ['flame', 'table', 'sandwich', 'graph']) {
      const { page, problems } = await open(file, `#view=${view}&fn=${encodeURIComponent(frames.funcs[3].label)}&min=0`);
      const seen = await page.evaluate(() => {
        const r = (window as unknown as { flameprof: { report: { labels: string[]; flame: { frames: { length: number } }; inverted: { frames: { length: number } } } } }).flameprof.report;
        return { labels: r.labels, flame: r.flame.frames.length, inverted: r.inverted.frames.length, title: document.title, scripts: document.scripts.length };
      });
      expect(seen.labels).toEqual(frames.funcs.map((f) => f.label));
      expect([seen.flame, seen.inverted]).toEqual([frames.flame.length, frames.inverted.length]);
      expect(seen.scripts).toBe(2);
      if (view === 'table') {
        const texts = await page.$$eval('.table-body .trow .c-name', (cs) => cs.map((c) => c.textContent));
        for (const n of names.slice(0, 5)) expect(texts.some((t) => t!.includes(n))).toBe(true);
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  test('the options apply to the report: --icicle opens on the icicle, --subtitle, --hide, --focus', async () => {
    const profile = load(DUMPS['pipeline.prof']);
    const { file, frames } = writeReport('options', profile, { icicle: true, subtitle: 'nightly <b>', hide: ['normalize'], focus: ':main$' });
    const { page, problems } = await open(file);
    expect(await page.evaluate(() => document.querySelector('.tab.active')!.id)).toBe('tab-icicle');
    expect(await page.textContent('.subtitle')).toBe('nightly <b>');
    expect(await page.textContent('.legend')).toContain("estimator's stacks");
    const labels = await page.evaluate(() => {
      const r = (window as unknown as { flameprof: { report: { labels: string[]; flame: { frames: { func: Int32Array; level: Int32Array; length: number } } } } }).flameprof.report;
      return Array.from({ length: r.flame.frames.length }, (_, i) => [r.flame.frames.level[i], r.labels[r.flame.frames.func[i]]] as const);
    });
    expect(labels.length).toBe(frames.flame.length);
    expect(labels.filter(([level]) => level === 0).map(([, l]) => l)).toEqual(['samples/pipeline.py:58:main']);
    expect(labels.some(([, l]) => l.endsWith(':normalize'))).toBe(false);
    // The exact views still hold every function.
    await page.keyboard.press('3');
    expect(await page.textContent('.table-body')).toContain('(normalize)');
    expect(problems).toEqual([]);
    await page.close();
  });

  test('a diff report: the changes ranked, parse first; the flame tooltips as the SVG; a self-diff all zero', async () => {
    const D = join(FIXTURES, 'diff');
    const side = (f: string) => buildFrames(load(join(D, f)));
    for (const [name, b, a] of [['diff', 'before.prof', 'after.prof'], ['self', 'after.prof', 'after.prof']] as const) {
      const file = join(dir, `${name}.html`);
      writeFileSync(file, renderToString(diffProfiles(load(join(D, b)), load(join(D, a))), { format: 'html', title: name }));
      const { page, problems } = await open(file, '#view=diff');
      const rows = await page.$$eval('.diff-table tr[data-label]', (rs) => rs.map((r) => [(r as HTMLElement).dataset.label!, r.children[0].textContent!]));
      expect(rows.length).toBe(new Set([...side(b).funcs, ...side(a).funcs].map((f) => f.label)).size);
      if (name === 'diff') expect(rows[0][0]).toMatch(/work\.py:\d+:parse$/);
      else for (const [, change] of rows) expect(change).toBe('0');
      // The flame's tooltips are the diff SVG's.
      const svg = readOurSvg(renderToString(diffProfiles(load(join(D, b)), load(join(D, a))), { format: 'svg', title: name }));
      const frames = side(a);
      await page.keyboard.press('1');
      for (let i = 0; i < frames.flame.length; i++) {
        const box = await frameBox(page, frames, 'flame', i);
        await page.mouse.move(1, 1);
        expect(await pixel(page, box.cssX + 1, box.cssY + box.h - 2)).toBe(svg.frames[i].fill);
        await page.mouse.move(box.x + 1.5, box.y + box.h / 2);
        expect(await page.textContent('#details')).toBe(svg.frames[i].title);
      }
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  test('a profile with no time, and one with nothing above the threshold: a note, no error', async () => {
    const zero = join(dir, 'zero.folded');
    writeFileSync(zero, 'main;work 0\n');
    for (const [name, path, options, note] of [
      ['empty', zero, {}, 'This profile holds no time'],
      ['nothing', DUMPS['pipeline.prof'], { threshold: 100 }, 'No frame is above the threshold'],
    ] as const) {
      const { file } = writeReport(name, load(path), options);
      for (const view of ['flame', 'table', 'graph']) {
        const { page, problems } = await open(file, `#view=${view}`);
        if (view === 'flame') expect(await page.textContent('.flame-scroll:not([hidden]) .note')).toContain(note);
        expect(problems).toEqual([]);
        await page.close();
      }
    }
  });

  test('sampled stacks: the table counts samples exactly, from the stacks', async () => {
    const path = join(FIXTURES, 'sampled', 'plopload.flame');
    const profile = load(path);
    const { file } = writeReport('sampled', profile);
    // Own = samples with the function innermost; cumulative = samples with it anywhere, once a stack.
    const own = new Map<string, number>();
    const cum = new Map<string, number>();
    // (plop's stray first line, `None 1`, is no stack: the reader drops it.)
    for (const line of readFileSync(path, 'utf8').split('\n').filter((l) => l !== '' && l !== 'None 1')) {
      const m = /^(.*) (\d+)$/.exec(line)!;
      const names = m[1].split(';');
      own.set(names[names.length - 1], (own.get(names[names.length - 1]) ?? 0) + Number(m[2]));
      for (const n of new Set(names)) cum.set(n, (cum.get(n) ?? 0) + Number(m[2]));
    }
    const { page, problems } = await open(file, '#view=table');
    const rows = await page.$$eval('.table-body .trow', (rs) => rs.map((r) => Array.from(r.children).map((c) => c.textContent!)));
    expect(rows.length).toBe(cum.size);
    for (const [tt, ct, name] of rows) {
      // The folded names are "fn (file:line)"; the table's are file:line(fn), bare names as they are.
      const m = /^(.*):(\d+)\((.*)\)$/.exec(name);
      const folded = m === null ? name : `${m[3]} (${m[1]}:${m[2]})`;
      expect([folded, Number(tt), Number(ct)]).toEqual([folded, own.get(folded) ?? 0, cum.get(folded)]);
    }
    expect(problems).toEqual([]);
    await page.close();
  });

  test("a pyinstrument session: times in seconds, each function's own time the sum of its [self] frames", async () => {
    const path = join(FIXTURES, 'interchange', 'pyinstrument-sympy_calculation.json');
    const { file } = writeReport('pyinstrument', load(path));
    const own = new Map<string, number>();
    const walk = (n: { identifier: string; time: number; children?: unknown[] }, parent: string): void => {
      const [name, f, line] = n.identifier.split('\0');
      if (n.identifier === '[self]') own.set(parent, (own.get(parent) ?? 0) + n.time);
      for (const c of n.children ?? []) walk(c as typeof n, n.identifier === '[self]' ? parent : `${f}:${line}(${name})`);
    };
    walk((JSON.parse(readFileSync(path, 'utf8')) as { frame_tree: Parameters<typeof walk>[0] }).frame_tree, '');
    const { page, problems } = await open(file, '#view=table');
    expect(await page.$$eval('.thead span', (hs) => hs.map((h) => h.textContent!))).toEqual(['own s', 'cumulative s', 'function']);
    const rows = await page.$$eval('.table-body .trow', (rs) => rs.map((r) => Array.from(r.children).map((c) => c.textContent!)));
    // The rows drawn (the table draws those in view), largest own time first.
    expect(rows.length).toBeGreaterThan(20);
    for (const [tt, , name] of rows.slice(0, 20)) expect([name, tt]).toEqual([name, (own.get(name) ?? 0).toFixed(6)]);
    expect(await page.textContent('.legend')).toBe('Whole stacks, as recorded: every width is exact.');
    expect(problems).toEqual([]);
    await page.close();
  });
});
