/**
 * --width 100%: the SVG fills its window at any size, frames scaled with it, and the viewer
 * still zooms. In Chromium at two window sizes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { readProfile } from '../../src/pipeline';
import { buildFrames, renderToString } from '../../src/pipeline';
import { checkedPage, launchChromium } from '../helpers/browser';

const TEXTPROC = join(__dirname, '..', 'fixtures', 'textproc.prof');
let browser: Browser;
let dir: string;

beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'flameprof-fluid-'));
});
afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test.each([700, 1800])('at a window %i px wide the graph is as wide, every frame in proportion, and zoom works', async (width) => {
  const frames = buildFrames(readProfile(readFileSync(TEXTPROC), TEXTPROC));
  const file = join(dir, 'fluid.svg');
  writeFileSync(file, renderToString(frames, { fluid: true, title: 'fluid' }));
  const { page, problems } = await checkedPage(browser, width, 800);
  await page.goto(pathToFileURL(file).href);
  const svgBox = await page.evaluate(() => {
    const r = document.documentElement.getBoundingClientRect();
    return { width: r.width, height: r.height, viewHeight: (document.documentElement as unknown as SVGSVGElement).viewBox.baseVal.height };
  });
  expect(svgBox.width).toBeCloseTo(width, 0);
  // The height follows the width: the graph scrolls instead of shrinking to the window.
  expect(svgBox.height).toBeCloseTo((svgBox.viewHeight * width) / 1200, 0);
  const boxes = await page.$$eval('#flame > g.f > rect', (rs) => rs.map((r) => r.getBoundingClientRect().width));
  const scale = width / 1200;
  frames.flame.toArray().forEach((f, i) => expect(boxes[i]).toBeCloseTo(Math.max(1, (f.w / frames.total) * 1200 - 1) * scale, 0));
  // Click the widest frame of level 2: it spans the whole window.
  const pick = frames.flame.toArray().reduce((best, f, i) => (f.level === 2 && (best < 0 || f.w > frames.flame.toArray()[best].w) ? i : best), -1);
  await page.locator('#flame > g.f').nth(pick).click();
  const zoomed = await page.$$eval('#flame > g.f > rect', (rs, i) => rs[i as number].getBoundingClientRect().width, pick);
  expect(zoomed).toBeGreaterThan(width - 3 * scale - 1);
  expect(problems).toEqual([]);
  await page.close();
});
