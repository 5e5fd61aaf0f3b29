/**
 * The interactive SVG in a real browser: playwright-core driving Debian's Chromium
 * (/usr/bin/chromium, headless). Every page is a local file; a request for anything else
 * fails the test.
 *
 * Expected numbers come from the FrameSet (profile units), not from the SVG the viewer reads,
 * so a viewer that mis-reads its own attributes is caught.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { encodePstats } from '../helpers/encode-marshal';
import { buildFrames, renderToString } from '../../src/pipeline';
import { readProfile } from '../../src/pipeline';
import type { Frame, FrameSet } from '../../src/frames/frame-set';
import type { CallGraphProfile } from '../../src/model/profile';
import type { FunctionStats } from '../../src/model/objects';
import { formatPercent } from '../../src/model/pynum';
import { checkedPage, launchChromium } from '../helpers/browser';
import { callGraphFromObjects } from '../../src/model/objects';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, '..', 'fixtures');

const W = 1200;
const HIGHLIGHT = 'rgb(230, 0, 230)';

interface Opened {
  page: Page;
  /** Uncaught exceptions, console errors, dialogs and non-file requests seen by the page. */
  problems: string[];
}

/** Spans of profile-unit intervals, overlaps counted once. */
function unionWidth(spans: Array<[number, number]>): number {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  let sum = 0;
  let end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    sum += b - Math.max(a, end);
    end = b;
  }
  return sum;
}

/** The viewer's rule, restated: case-insensitive unless the expression holds a capital. */
function searchRegex(pattern: string): RegExp {
  return new RegExp(pattern, /[A-Z]/.test(pattern) ? '' : 'i');
}

function labelOf(frames: FrameSet, f: Frame): string {
  return frames.funcs[f.func].label;
}

/** Indices of frame i's subtree (pre-order: the following frames with a greater level). */
function subtree(list: Frame[], i: number): number[] {
  const out = [i];
  for (let j = i + 1; j < list.length && list[j].level > list[i].level; j++) out.push(j);
  return out;
}

function ancestors(list: Frame[], i: number): number[] {
  const out: number[] = [];
  let m = list[i].level;
  for (let j = i - 1; j >= 0 && m > 0; j--) {
    if (list[j].level < m) {
      m = list[j].level;
      out.push(j);
    }
  }
  return out;
}

interface DomFrame {
  x: number;
  width: number;
  visible: boolean;
  text: string | null;
  textLength: number;
  highlighted: boolean;
}

/** The drawn state of every frame of a section, in document order. */
async function domFrames(page: Page, section: 'flame' | 'inverted'): Promise<DomFrame[]> {
  return page.evaluate((id) => {
    const out: DomFrame[] = [];
    for (const g of Array.from(document.querySelectorAll(`#${id} > g.f`))) {
      const r = g.querySelector('rect')!;
      const t = g.querySelector('text') as SVGTextElement | null;
      const visible = getComputedStyle(g).display !== 'none';
      out.push({
        x: Number(r.getAttribute('x')),
        width: Number(r.getAttribute('width')),
        visible,
        text: t ? t.textContent : null,
        textLength: t && visible && t.textContent ? t.getComputedTextLength() : 0,
        highlighted: getComputedStyle(r).fill === 'rgb(230, 0, 230)',
      });
    }
    return out;
  }, section);
}

async function framesHtml(page: Page): Promise<string> {
  return page.evaluate(() => document.getElementById('frames')!.outerHTML);
}

/** No visible label runs past the right edge of its box (it starts at x + rowHeight/6). */
function expectLabelsFit(dom: DomFrame[], names: string[], rowHeight: number): void {
  let shown = 0;
  dom.forEach((d, i) => {
    if (!d.visible || !d.text) return;
    shown++;
    expect(d.textLength + rowHeight / 6).toBeLessThanOrEqual(d.width + 0.01);
    if (d.text !== names[i]) {
      expect(d.text.endsWith('..')).toBe(true);
      expect(names[i].startsWith(d.text.slice(0, -2))).toBe(true);
    }
  });
  expect(shown).toBeGreaterThan(0);
}

function fixtureFrames(name: string): FrameSet {
  return buildFrames(readProfile(readFileSync(join(FIXTURES, name)), name));
}

describe('interactive SVG in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let fileCount = 0;

  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'flameprof-browser-'));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(content: string, ext = 'svg'): Promise<Opened> {
    const file = join(dir, `page${fileCount++}.${ext}`);
    writeFileSync(file, content);
    const { page, problems } = await checkedPage(browser);
    await page.goto(pathToFileURL(file).href);
    return { page, problems };
  }

  function svgOf(frames: FrameSet, title = 'test profile'): string {
    return renderToString(frames, { title });
  }

  test.each([300, 400])('at --width %d the controls stay inside the graph, and work', async (width) => {
    const frames = fixtureFrames('textproc.prof');
    const { page, problems } = await open(renderToString(frames, { width, title: 'narrow' }));
    for (const id of ['reset', 'search', 'clear']) {
      const box = await page.locator(`#${id}`).boundingBox();
      expect(box).not.toBeNull();
      expect([id, box!.x >= 0, box!.x + box!.width <= width]).toEqual([id, true, true]);
      expect(box!.width).toBeGreaterThan(20);
    }
    await page.fill('#search', 'parse');
    await page.press('#search', 'Enter');
    expect(await page.textContent('#status')).toMatch(/^Matched: \d+\.\d\d % of total time$/);
    expect(problems).toEqual([]);
    await page.close();
  });

  describe('textproc.prof', () => {
    const frames = fixtureFrames('textproc.prof');
    const svg = svgOf(frames, 'textproc.prof');
    const flameNames = frames.flame.toArray().map((f) => frames.funcs[f.func].key.name);
    const invertedNames = frames.inverted.toArray().map((f) => frames.funcs[f.func].key.name);

    /** A frame worth zooming into: deep, not at the left edge, wide enough to click, with descendants. */
    function pickFrame(list: Frame[], minLevel: number): number {
      const i = list.findIndex(
        (f, k) => f.level >= minLevel && f.x > 0 && (f.w * W) / frames.total > 30 && subtree(list, k).length >= 4,
      );
      if (i < 0) throw new Error('no frame to zoom into in the fixture');
      return i;
    }

    async function click(page: Page, section: string, i: number): Promise<void> {
      await page.click(`#${section} > g.f:nth-child(${i + 1}) > rect`);
    }

    test('the header shows the title, the legend and working controls', async () => {
      const { page, problems } = await open(svg);
      expect(await page.textContent('#header .title')).toBe('textproc.prof');
      expect(await page.textContent('#legend')).toContain('green = time estimated by call share');
      expect(await page.isVisible('#reset')).toBe(true);
      expect(await page.textContent('#reset')).toContain('Reset zoom');
      expect(await page.isVisible('#search')).toBe(true);
      expect(await page.isVisible('#clear')).toBe(true);
      expectLabelsFit(await domFrames(page, 'flame'), flameNames, 24);
      expectLabelsFit(await domFrames(page, 'inverted'), invertedNames, 24);
      expect(problems).toEqual([]);
      await page.close();
    });

    test('a click zooms the subtree to the full width, keeps ancestors and the other section; Reset undoes it', async () => {
      const { page, problems } = await open(svg);
      const before = await framesHtml(page);
      const invertedBefore = await page.evaluate(() => document.getElementById('inverted')!.outerHTML);
      const i = pickFrame(frames.flame.toArray(), 2);
      const F = frames.flame.toArray()[i];
      await click(page, 'flame', i);

      const dom = await domFrames(page, 'flame');
      const sub = new Set(subtree(frames.flame.toArray(), i));
      const anc = new Set(ancestors(frames.flame.toArray(), i));
      expect(anc.size).toBe(F.level);
      frames.flame.toArray().forEach((f, j) => {
        const d = dom[j];
        if (anc.has(j)) {
          expect(d.visible).toBe(true);
          expect(d.x).toBe(0);
          expect(d.width).toBeCloseTo(W - 1, 9);
        } else if (sub.has(j)) {
          const left = ((f.x - F.x) / F.w) * W;
          const right = left + (f.w / F.w) * W;
          const a = Math.max(0, left);
          const b = Math.min(W, right);
          expect(d.visible).toBe(b > a);
          if (b > a) {
            expect(d.x).toBeCloseTo(a, 6);
            expect(d.width).toBeCloseTo(Math.max(1, b - a - 1), 6);
          }
        } else {
          expect(d.visible).toBe(false);
        }
      });
      expect(dom[i].x).toBe(0);
      expect(dom[i].width).toBeCloseTo(W - 1, 9);
      // Labels were re-cut for the new widths: the zoomed frame's name shows whole.
      expect(dom[i].text).toBe(flameNames[i]);
      expectLabelsFit(dom, flameNames, 24);
      expect(await page.evaluate(() => document.getElementById('inverted')!.outerHTML)).toBe(invertedBefore);

      await page.click('#reset');
      expect(await framesHtml(page)).toBe(before);
      expect(problems).toEqual([]);
      await page.close();
    });

    test('the two sections zoom independently; Escape resets both', async () => {
      const { page, problems } = await open(svg);
      const before = await framesHtml(page);
      const i = pickFrame(frames.flame.toArray(), 1);
      const k = pickFrame(frames.inverted.toArray(), 1);
      await click(page, 'flame', i);
      await click(page, 'inverted', k);
      const flame = await domFrames(page, 'flame');
      const inverted = await domFrames(page, 'inverted');
      expect([flame[i].x, flame[i].width]).toEqual([0, W - 1]);
      expect([inverted[k].x, inverted[k].width]).toEqual([0, W - 1]);
      const Fk = frames.inverted.toArray()[k];
      for (const j of subtree(frames.inverted.toArray(), k)) {
        const f = frames.inverted.toArray()[j];
        const left = ((f.x - Fk.x) / Fk.w) * W;
        if (left >= 0 && left < W) expect(inverted[j].x).toBeCloseTo(left, 6);
      }
      expect(inverted.filter((d) => d.visible).length).toBeLessThan(frames.inverted.length);
      expectLabelsFit(inverted, invertedNames, 24);

      await page.keyboard.press('Escape');
      expect(await framesHtml(page)).toBe(before);
      expect(problems).toEqual([]);
      await page.close();
    });

    test('search highlights matches in both sections and reports their share of the total, overlaps once', async () => {
      // A function that calls itself (directly or not) appears nested in its own subtree:
      // the naive sum of its frames' widths counts that time twice.
      const nested = frames.flame.toArray().findIndex((f, j) => ancestors(frames.flame.toArray(), j).some((a) => frames.flame.toArray()[a].func === f.func));
      expect(nested).toBeGreaterThanOrEqual(0);
      const name = frames.funcs[frames.flame.toArray()[nested].func].key.name;
      const pattern = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').toLowerCase();
      const re = searchRegex(pattern);
      const hits = frames.flame.toArray().filter((f) => re.test(labelOf(frames, f)));
      const union = unionWidth(hits.map((f) => [f.x, f.x + f.w]));
      const naive = hits.reduce((s, f) => s + f.w, 0);
      expect(naive).toBeGreaterThan(union * 1.0001);
      const expected = (100 * union) / frames.total;

      const { page, problems } = await open(svg);
      await page.keyboard.press('/');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');
      await page.keyboard.type(pattern);
      await page.keyboard.press('Enter');
      const status = (await page.textContent('#status')) ?? '';
      const m = /^Matched: (\d+\.\d\d) % of total time$/.exec(status);
      expect(m).not.toBeNull();
      expect(Math.abs(Number(m![1]) - expected)).toBeLessThanOrEqual(0.005 + 1e-9);

      for (const section of ['flame', 'inverted'] as const) {
        const dom = await domFrames(page, section);
        const want = frames[section].toArray().map((f) => re.test(labelOf(frames, f)));
        expect(dom.map((d) => d.highlighted)).toEqual(want);
        expect(want.some(Boolean)).toBe(true);
      }

      await page.click('#clear');
      expect(await page.textContent('#status')).toBe('');
      expect(await page.evaluate(() => (document.getElementById('search') as HTMLInputElement).value)).toBe('');
      expect(await page.locator('.f.m').count()).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    });

    test('Ctrl-F opens the search; a capital letter makes it case-sensitive; a bad regex is a message', async () => {
      const { page, problems } = await open(svg);
      await page.keyboard.press('Control+f');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('search');

      // Some label differs from others only by case in the search's eyes: pick a capital one.
      const label = frames.flame.toArray().map((f) => labelOf(frames, f)).find((l) => /[A-Z]/.test(l.split(':').pop()!));
      expect(label).toBeDefined();
      const name = label!.split(':').pop()!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const pattern of [name, name.toLowerCase(), name.toUpperCase()]) {
        await page.fill('#search', pattern);
        await page.press('#search', 'Enter');
        const re = searchRegex(pattern);
        const hits = frames.flame.toArray().filter((f) => re.test(labelOf(frames, f)));
        const expected = (100 * unionWidth(hits.map((f) => [f.x, f.x + f.w]))) / frames.total;
        const status = (await page.textContent('#status')) ?? '';
        const m = /^Matched: (\d+\.\d\d) % of total time$/.exec(status);
        expect(m).not.toBeNull();
        expect(Math.abs(Number(m![1]) - expected)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(await page.locator('#flame .f.m').count()).toBe(hits.length);
      }

      await page.fill('#search', '(unclosed');
      await page.press('#search', 'Enter');
      // The engine's own message, once: not "Invalid regular expression: Invalid regular expression: /(unclosed/: ...".
      expect(await page.textContent('#status')).toBe('Invalid regular expression: Unterminated group');
      expect(await page.locator('.f.m').count()).toBe(0);
      // Typing alone searches too (after a short pause).
      await page.fill('#search', 'zzz-no-such-function');
      await page.waitForFunction(() => document.getElementById('status')?.textContent === 'Matched: 0.00 % of total time');
      expect(problems).toEqual([]);
      await page.close();
    });

    test('hovering a frame shows its label, calls, times and percentage on the details line', async () => {
      const { page, problems } = await open(svg);
      const i = pickFrame(frames.flame.toArray(), 1);
      const f = frames.flame.toArray()[i];
      await page.hover(`#flame > g.f:nth-child(${i + 1}) > rect`);
      const details = (await page.textContent('#details')) ?? '';
      expect(details.startsWith(`${labelOf(frames, f)} ${formatPercent(f.ct / frames.total)} — `)).toBe(true);
      expect(details).toContain(`${f.nc} ${f.nc === 1 ? 'call' : 'calls'}`);
      expect(details).toMatch(/own [\d.e-]+ s, cumulative [\d.e-]+ s/);
      // The native tooltip is still there for viewers without script.
      expect(await page.textContent(`#flame > g.f:nth-child(${i + 1}) > title`)).toBe(details);
      await page.mouse.move(5, 5);
      expect(await page.textContent('#details')).toBe('');
      expect(problems).toEqual([]);
      await page.close();
    });
  });

  test('hostile names are shown as text and run nothing', async () => {
    const names = [
      '</script><script>window.__pwned = 1</script>',
      ']]><script>window.__pwned = 2</script><![CDATA[',
      '" onload="window.__pwned = 3" x="',
      "' onmouseover='window.__pwned = 4' x='",
      '<img src=x onerror="window.__pwned = 5">',
      'javascript:window.__pwned = 6',
      'ctl\u0000\u0001\u0007\u001b[31m\u007f\r\n\tend',
      '<!-- --> &amp; &lt; &#60; &#x3c; <![CDATA[ x ]]>',
      '関数名_with_a_long_wide_name_关数名关数名关数名',
    ];
    const files = ['/tmp/</script>.py', 'C:\\evil\\"q\'.py', 'javascript:alert(1)//x.py', '<svg onload=alert(1)>.py'];
    const fns: FunctionStats[] = [];
    const main: FunctionStats = {
      key: { file: files[0], line: 1, name: '<module onload="window.__pwned = 7">' },
      stat: { cc: 1, nc: 1, tt: 0.01, ct: 10 },
      callers: [],
    };
    fns.push(main);
    names.forEach((name, k) => {
      const t = 1 + k * 0.1;
      fns.push({
        key: { file: files[k % files.length], line: 10 + k, name },
        stat: { cc: 2, nc: 2, tt: t / 2, ct: t },
        callers: [{ caller: 0, timing: { cc: 2, nc: 2, tt: t / 2, ct: t }, estimated: false }],
      });
      fns.push({
        key: { file: files[(k + 1) % files.length], line: 100 + k, name: `${name}-inner` },
        stat: { cc: 3, nc: 3, tt: t / 2, ct: t / 2 },
        callers: [{ caller: fns.length - 1, timing: { cc: 3, nc: 3, tt: t / 2, ct: t / 2 }, estimated: false }],
      });
    });
    main.stat.ct = fns.reduce((s, f) => s + f.stat.tt, 0);
    const profile: CallGraphProfile = callGraphFromObjects(fns, 3);
    const frames = buildFrames(readProfile(encodePstats(profile), 'hostile.prof'));
    expect(frames.flame.length).toBeGreaterThanOrEqual(fns.length);
    const svg = renderToString(frames, { title: names[0] + names[4] });

    const { page, problems } = await open(svg);
    // What XML can hold: characters it cannot carry at all become U+FFFD.
    const shown = (s: string): string => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd');
    const titles = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#flame > g.f > title')).map((t) => t.textContent ?? ''),
    );
    expect(titles.map((t) => t.slice(0, t.lastIndexOf(' ', t.lastIndexOf(' — ') - 1)))).toEqual(
      frames.flame.toArray().map((f) => shown(labelOf(frames, f))),
    );
    expect(await page.textContent('#header .title')).toBe(names[0] + names[4]);

    // Exercise everything that reads profile text: hover, zoom and search every frame.
    const count = frames.flame.length;
    for (let i = 0; i < count; i++) {
      const rect = `#flame > g.f:nth-child(${i + 1}) > rect`;
      await page.hover(rect);
      const details = (await page.textContent('#details')) ?? '';
      expect(details === titles[i] || (details.endsWith('..') && titles[i].startsWith(details.slice(0, -2)))).toBe(true);
      await page.click(rect);
      const label = await page.evaluate(
        (sel) => document.querySelector(sel)!.parentElement!.querySelector('text')?.textContent ?? '',
        rect,
      );
      const name = shown(frames.funcs[frames.flame.toArray()[i].func].key.name);
      // Zoomed to the full width, the label shows the name (cut only if it is that long).
      expect(label.length).toBeGreaterThan(0);
      expect(label === name || (label.endsWith('..') && name.startsWith(label.slice(0, -2)))).toBe(true);
      await page.keyboard.press('Escape');
    }
    for (const pattern of ['</script>', '\\]\\]>', 'onerror', 'javascript:', '"', "'", '\\u0000|\ufffd']) {
      await page.fill('#search', pattern);
      await page.press('#search', 'Enter');
      expect(await page.textContent('#status')).toMatch(/^Matched: \d+\.\d\d % of total time$/);
      expect(await page.locator('#flame .f.m').count()).toBeGreaterThan(0);
    }

    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    const dom = await page.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      imgs: document.querySelectorAll('img').length,
      handlers: Array.from(document.querySelectorAll('*')).flatMap((el) =>
        Array.from(el.attributes)
          .map((a) => a.name)
          .filter((n) => n.startsWith('on')),
      ),
    }));
    expect(dom).toEqual({ scripts: 1, imgs: 0, handlers: [] });
    expect(problems).toEqual([]);
    await page.close();
  });

  test('the bundled CLI carries the viewer; --no-js leaves it out', async () => {
    const bundle = join(ROOT, 'dist', 'cli.bundle.js');
    expect(existsSync(bundle)).toBe(true); // `npm test` builds first; run `node scripts/build.js` otherwise
    const run = (...args: string[]): string =>
      execFileSync(process.execPath, [join(ROOT, 'bin', 'flameprof.js'), ...args, join(FIXTURES, 'sample-py3.prof')], {
        encoding: 'utf8',
      });
    const frames = fixtureFrames('sample-py3.prof');

    const { page, problems } = await open(run());
    expect(await page.textContent('#header .title')).toBe('sample-py3.prof');
    const i = frames.flame.toArray().findIndex((f) => f.level >= 3 && f.x > 0 && (f.w * W) / frames.total > 30);
    expect(i).toBeGreaterThan(0);
    await page.click(`#flame > g.f:nth-child(${i + 1}) > rect`);
    const dom = await domFrames(page, 'flame');
    expect([dom[i].x, dom[i].width]).toEqual([0, W - 1]);
    await page.fill('#search', 'sleep');
    await page.press('#search', 'Enter');
    const re = searchRegex('sleep');
    const hits = frames.flame.toArray().filter((f) => re.test(labelOf(frames, f)));
    const expected = (100 * unionWidth(hits.map((f) => [f.x, f.x + f.w]))) / frames.total;
    const m = /^Matched: (\d+\.\d\d) % of total time$/.exec((await page.textContent('#status')) ?? '');
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![1]) - expected)).toBeLessThanOrEqual(0.005 + 1e-9);
    expect(problems).toEqual([]);
    await page.close();

    const noJs = await open(run('--no-js'));
    expect(await noJs.page.locator('script').count()).toBe(0);
    expect(await noJs.page.locator('#controls').count()).toBe(0);
    const before = await framesHtml(noJs.page);
    await noJs.page.click(`#flame > g.f:nth-child(${i + 1}) > rect`);
    expect(await framesHtml(noJs.page)).toBe(before);
    expectLabelsFit(
      await domFrames(noJs.page, 'flame'),
      frames.flame.toArray().map((f) => frames.funcs[f.func].key.name),
      24,
    );
    expect(noJs.problems).toEqual([]);
    await noJs.page.close();
  });

  test('inside an <img> (no script) the SVG still loads and draws, and fetches nothing', async () => {
    const frames = fixtureFrames('sample-py3.prof');
    const file = join(dir, 'img-target.svg');
    writeFileSync(file, svgOf(frames));
    const height = Number(/<svg[^>]* height="(\d+)"/.exec(readFileSync(file, 'utf8'))![1]);
    const { page, problems } = await open(`<!doctype html><img id="i" src="img-target.svg">`, 'html');
    await page.waitForFunction(() => (document.getElementById('i') as HTMLImageElement).complete);
    const size = await page.evaluate(() => {
      const img = document.getElementById('i') as HTMLImageElement;
      return [img.naturalWidth, img.naturalHeight];
    });
    expect(size).toEqual([W, height]);
    // Something is drawn: the image is not blank.
    const shot = await page.locator('#i').screenshot();
    expect(shot.length).toBeGreaterThan(5000);
    expect(problems).toEqual([]);
    await page.close();
  });
});
