/**
 * What `%%flameprof` shows in a notebook (python/flameprof_py/notebook.py), made by IPython's
 * own shell under Debian's /usr/bin/python3 (python3-ipython) and opened in real Chromium as
 * a notebook would show it: the report runs inside its sandboxed iframe, shows the profiled
 * function, switches views, and fetches nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { checkedPage, launchChromium } from '../helpers/browser';

const ROOT = join(__dirname, '..', '..');

const SHELL = `
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
ip = InteractiveShell.instance()
ip.run_line_magic("load_ext", "flameprof_py")
with capture_output() as c:
    ip.run_cell("%%flameprof\\ndef notebook_hot():\\n    return sum(i * i for i in range(2000000))\\nnotebook_hot()\\n")
print(c.outputs[0].data["text/html"])
`;

let browser: Browser;
let dir: string;
beforeAll(async () => {
  browser = await launchChromium();
  dir = mkdtempSync(join(tmpdir(), 'flameprof-notebook-'));
});
afterAll(async () => {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the report shown by %%flameprof works in its sandboxed iframe and fetches nothing', async () => {
  const r = spawnSync('/usr/bin/python3', ['-c', SHELL], { env: { ...process.env, PYTHONPATH: join(ROOT, 'python') }, encoding: 'utf8', timeout: 120000 });
  expect([r.status, r.stderr]).toEqual([0, '']);
  const page = join(dir, 'notebook.html');
  writeFileSync(page, `<!DOCTYPE html><html><body><div class="output">${r.stdout}</div></body></html>`);
  const { page: tab, problems } = await checkedPage(browser);
  await tab.goto(pathToFileURL(page).href);
  const report = tab.frameLocator('iframe');
  await report.locator('html[data-ready="1"]').waitFor();
  // The table's tab (which also moves the URL's hash, inside the sandbox) lists the profiled
  // function. The sandboxed frame runs in a process of its own, which playwright's mouse does
  // not reach headless: the click is dispatched to the button.
  await report.locator('nav.tabs button', { hasText: 'Table' }).dispatchEvent('click');
  await report.locator('.table-body .trow').first().waitFor();
  expect(await report.locator('html').evaluate(() => location.href)).toBe('about:srcdoc#view=table');
  expect(await report.locator('.table-body').textContent()).toContain('notebook_hot');
  // Sandboxed: the report cannot reach the notebook's page.
  expect(await report.locator('body').evaluate(() => { try { return String(window.parent.document.title); } catch { return 'blocked'; } })).toBe('blocked');
  expect(problems).toEqual([]);
  await tab.close();
});
