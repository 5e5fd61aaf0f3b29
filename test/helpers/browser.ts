/**
 * Headless Chromium for the tests that need a real browser (the interactive SVG, speedscope
 * opening our output). Debian's Chromium, driven by playwright-core, with the flags this
 * closed-network machine needs (./chromium.js). Every page is a local file: any other
 * request, a page error, a console error or a dialog is recorded as a problem for the test
 * to assert on.
 *
 * Without Chromium they fail, saying how to install it (`.ci/run` installs it).
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const launch = require('./chromium.js') as { CHROMIUM: string; CHROMIUM_ARGS: string[] };

export const CHROMIUM = launch.CHROMIUM;

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: the browser tests need it (apt-get install -y chromium)`);
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: launch.CHROMIUM_ARGS,
  });
}

export interface CheckedPage {
  page: Page;
  /** Page errors, console errors, dialogs and non-file requests, in order. */
  problems: string[];
}

/** A new page that records everything that should never happen on it. */
export async function checkedPage(browser: Browser, width = 1300, height = 900): Promise<CheckedPage> {
  const page = await browser.newPage({ viewport: { width, height } });
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) problems.push(`request: ${r.url()}`);
  });
  return { page, problems };
}
