/**
 * `flameprof serve`: the real CLI in a child process on a free loopback port, real HTTP
 * requests (never a mock), and Chromium for the pages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { checkedPage, launchChromium } from '../helpers/browser';
import { httpGet, type Reply } from '../helpers/http';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const FIXTURES = join(__dirname, '..', 'fixtures');
const HOSTILE = '<img src=x onerror=alert(1)>.prof';

let dir: string;
let outside: string;
let server: ChildProcess;
let base: string;
let browser: Browser;

/** One request to the server (`at`: another one's URL). */
function get(path: string, method = 'GET', headers: Record<string, string> = {}, at = base): Promise<Reply> {
  return httpGet(at, path, method, headers);
}

/** Every server started, so that one a failed test left running is stopped (else jest never exits). */
const started = new Set<ChildProcess>();

/** Start `flameprof serve` and wait for its URL line. */
function start(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...env, NODE_OPTIONS: '' } });
  started.add(child);
  child.on('exit', () => started.delete(child));
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d));
  return new Promise((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /at (http:\/\/\S+) /.exec(out);
      if (m) done({ child, url: m[1], stderr: () => err });
    });
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}: ${err}`)));
  });
}

const stamp = (file: string, secondsAgo: number): void => {
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(file, t, t);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flameprof-serve-'));
  outside = mkdtempSync(join(tmpdir(), 'flameprof-outside-'));
  writeFileSync(join(outside, 'secret.prof'), readFileSync(join(ROOT, 'samples', 'shared.prof')));
  copyFileSync(join(ROOT, 'samples', 'pipeline.prof'), join(dir, 'pipeline.prof'));
  copyFileSync(join(FIXTURES, 'diff', 'before.prof'), join(dir, 'before.prof'));
  mkdirSync(join(dir, 'nightly'));
  copyFileSync(join(FIXTURES, 'diff', 'after.prof'), join(dir, 'nightly', 'after.prof'));
  copyFileSync(join(FIXTURES, 'sampled', 'plopload.flame'), join(dir, 'nightly', 'plop.flame'));
  writeFileSync(join(dir, 'corrupt.prof'), Buffer.from([0xfb, 0x01, 0x02]));
  writeFileSync(join(dir, HOSTILE), readFileSync(join(ROOT, 'samples', 'recursive.prof')));
  writeFileSync(join(dir, 'notes.md'), '# not a profile\n');
  symlinkSync(join(outside, 'secret.prof'), join(dir, 'link-out.prof'));
  // A link back up (a loop) and a hidden folder: neither adds to the listing.
  symlinkSync(dir, join(dir, 'nightly', 'loop'));
  mkdirSync(join(dir, '.cache'));
  copyFileSync(join(ROOT, 'samples', 'pipeline.prof'), join(dir, '.cache', 'hidden.prof'));
  // Newest first: plop.flame, after, pipeline, before, corrupt, hostile.
  [['nightly/plop.flame', 10], ['nightly/after.prof', 20], ['pipeline.prof', 30], ['before.prof', 40], ['corrupt.prof', 50], [HOSTILE, 60]].forEach(([f, t]) =>
    stamp(join(dir, f as string), t as number),
  );
  const s = await start([dir, '--port', '0']);
  server = s.child;
  base = s.url;
  browser = await launchChromium();
}, 60000);

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

test('the listing: every profile under the folder, newest first, with kind, size, total and top function', async () => {
  const r = await get('/');
  expect(r.status).toBe(200);
  const names = [...r.body.matchAll(/<td class="name"><a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => m[2]);
  expect(names).toEqual(['nightly/plop.flame', 'nightly/after.prof', 'pipeline.prof', 'before.prof', 'corrupt.prof', '&lt;img src=x onerror=alert(1)&gt;.prof']);
  const row = (name: string) => r.body.split('\n').find((l) => l.includes(`>${name}</a>`))!;
  // A pstats dump's duration, its name carrying none, is its total time.
  expect(row('pipeline.prof')).toMatch(/<td>pstats<\/td><td class="num">2\.7 KB<\/td><td class="num">162\.3 ms<\/td><td class="num">0\.1623 s<\/td><td class="top">samples\/pipeline\.py:7:generate_text/);
  expect(row('nightly/plop.flame')).toMatch(/<td>folded<\/td>.*59 samples.*&lt;string&gt;:4:&lt;listcomp&gt;/);
  expect(row('corrupt.prof')).toMatch(/cannot read.*corrupt\.prof: /);
  // Not a profile's name, and a link that leads outside: not listed.
  expect(r.body).not.toContain('notes.md');
  expect(r.body).not.toContain('link-out');
  expect(r.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'sha256-[^']+'; /);
  expect(r.headers['x-content-type-options']).toBe('nosniff');
});

test('a profile opens as the report, served by the server, in Chromium with no page error and no outside request', async () => {
  const { page, problems } = await checkedPage(browser);
  const outsideRequests: string[] = [];
  page.on('request', (req) => {
    if (!req.url().startsWith(base)) outsideRequests.push(req.url());
  });
  await page.goto(base);
  await page.click('a[href="view/pipeline.prof"]');
  await page.waitForSelector('html[data-ready]');
  await page.keyboard.press('3');
  expect(await page.textContent('.table-body')).toContain('samples/pipeline.py:7(generate_text)');
  // The hash state makes a shareable link.
  const link = await page.evaluate(() => location.href);
  expect(link).toBe(`${base}view/pipeline.prof#view=table`);
  // Two chosen profiles open their comparison (the older one is BEFORE).
  await page.goto(base);
  await page.check('input[value="^before\\\\.prof$"]');
  await page.check('input[value="^nightly/after\\\\.prof$"]');
  await page.click('#compare');
  await page.waitForSelector('html[data-ready]');
  expect(page.url()).toBe(`${base}diff?before=${encodeURIComponent('^before\\.prof$')}&after=${encodeURIComponent('^nightly/after\\.prof$')}`);
  await page.keyboard.press('6');
  expect(await page.textContent('.diff-table')).toMatch(/work\.py:\d+:parse/);
  // The filter box asks for the matching rows (Enter); a bad expression is marked, not sent.
  await page.goto(base);
  await page.fill('#filter', '(');
  await page.press('#filter', 'Enter');
  expect([page.url(), await page.$eval('#filter', (f) => f.className)]).toEqual([base, 'bad']);
  await page.fill('#filter', 'nightly');
  await Promise.all([page.waitForURL(`${base}?match=nightly`), page.press('#filter', 'Enter')]);
  expect(await page.$$eval('tbody tr', (rs) => rs.length)).toBe(2);
  expect(await page.textContent('#count')).toBe('2 of 6');
  expect(problems.filter((p) => !p.startsWith('request:'))).toEqual([]);
  expect(outsideRequests).toEqual([]);
  await page.close();
});

test('paths outside the folder are refused in every spelling; only GET and HEAD', async () => {
  for (const path of [
    '/view/../../etc/passwd',
    '/view/%2e%2e/%2e%2e/etc/passwd',
    '/view/..%2f..%2fetc%2fpasswd',
    '/view/nightly%2fafter.prof',
    '/view//etc/passwd',
    '/view/pipeline.prof%00.txt',
    '/view/link-out.prof',
    '/view/nightly/../pipeline.prof',
  ]) {
    const r = await get(path);
    expect([path, r.status]).toEqual([path, 403]);
    expect(r.body).not.toContain('root:');
  }
  // Merges and diffs choose among the listed profiles only: a path outside matches none.
  for (const path of ['/diff?before=../x.prof&after=pipeline.prof', '/diff?before=/etc/passwd&after=pipeline.prof', '/merge?match=passwd', '/merge?match=secret']) {
    const r = await get(path);
    expect([path, r.status]).toEqual([path, 404]);
    expect(r.body).not.toContain('root:');
  }
  expect((await get('/view/missing.prof')).status).toBe(404);
  expect((await get('/nothing')).status).toBe(404);
  for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
    const r = await get('/', method);
    expect([method, r.status, r.headers.allow]).toEqual([method, 405, 'GET, HEAD']);
  }
  const head = await get('/view/pipeline.prof', 'HEAD');
  expect([head.status, head.body, Number(head.headers['content-length']) > 1000]).toEqual([200, '', true]);
  // Another site's name for this address (DNS rebinding) is refused.
  expect((await get('/', 'GET', { Host: 'evil.example:80' })).status).toBe(403);
});

test('a corrupt dump gives an error page naming it (422), and the server keeps serving', async () => {
  const r = await get('/view/corrupt.prof');
  expect(r.status).toBe(422);
  expect(r.body).toMatch(/<p class="err">corrupt\.prof: [^<]+<\/p>/);
  const ok = await get('/view/pipeline.prof');
  expect(ok.status).toBe(200);
  // The header's policy is the page's own: its script by hash, nothing else.
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(ok.body)![1];
  expect(ok.headers['content-security-policy']).toBe(meta);
  expect(meta).toMatch(/^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+'; /);
});

test('only what the listing lists is served, and no page quotes what a file holds', async () => {
  const d = mkdtempSync(join(tmpdir(), 'flameprof-serve-secret-'));
  try {
    const SECRET = 'SECRET=hunter2';
    mkdirSync(join(d, '.hidden'));
    writeFileSync(join(d, '.hidden', 'creds.prof'), `${SECRET}\n`);
    writeFileSync(join(d, '.hidden', 'creds'), `${SECRET}\n`);
    writeFileSync(join(d, '.secret.prof'), `${SECRET}\n`);
    writeFileSync(join(d, 'notes.md'), `${SECRET}\n`);
    writeFileSync(join(d, 'secrets.txt'), `${SECRET}\n`);
    mkdirSync(join(d, 'node_modules'));
    writeFileSync(join(d, 'node_modules', 'x.prof'), `${SECRET}\n`);
    copyFileSync(join(ROOT, 'samples', 'pipeline.prof'), join(d, 'pipeline.prof'));
    const s = await start([d, '--port', '0']);
    try {
      const listing = await get('/', 'GET', {}, s.url);
      const names = [...listing.body.matchAll(/<td class="name"><a href="([^"]*)">([^<]*)<\/a>/g)].map((m) => m[2]);
      expect(names.sort()).toEqual(['pipeline.prof', 'secrets.txt']);
      for (const path of ['/view/.hidden/creds.prof', '/view/.hidden/creds', '/view/.secret.prof', '/view/notes.md', '/view/node_modules/x.prof', '/diff?before=.secret.prof&after=pipeline.prof']) {
        const r = await get(path, 'GET', {}, s.url);
        expect([path, r.status, r.body.includes('hunter2')]).toEqual([path, 404, false]);
      }
      // A listed file that is no profile: its error names it and says why, never what it holds.
      const txt = await get('/view/secrets.txt', 'GET', {}, s.url);
      expect(txt.status).toBe(422);
      expect(txt.body).toMatch(/<p class="err">secrets\.txt: line 1: expected &quot;stack count&quot; [^<]*got \(not shown\)<\/p>/);
      expect(txt.body).not.toContain('hunter2');
      expect((await get('/', 'GET', {}, s.url)).body).not.toContain('hunter2');
    } finally {
      s.child.kill('SIGTERM');
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a hostile file name is text in the listing and runs nothing', async () => {
  const { page, problems } = await checkedPage(browser);
  await page.goto(base);
  const names = await page.$$eval('td.name a', (as) => as.map((a) => a.textContent));
  expect(names).toContain(HOSTILE);
  expect(await page.$$eval('img', (is) => is.length)).toBe(0);
  await page.click(`a[href="view/${encodeURIComponent(HOSTILE)}"]`);
  await page.waitForSelector('html[data-ready]');
  expect(await page.title()).toBe(HOSTILE);
  expect(problems.filter((p) => !p.startsWith('request:'))).toEqual([]);
  await page.close();
});

/** The listing once `ok` holds of it (a watch sees a file in a few milliseconds), or the last one after 5 s. */
async function listingWhen(ok: (body: string) => boolean, at = base): Promise<string> {
  let body = '';
  for (let i = 0; i < 50; i++) {
    body = (await get('/', 'GET', {}, at)).body;
    if (ok(body)) break;
    await new Promise((d) => setTimeout(d, 100));
  }
  return body;
}

test('a file added while running appears on reload, and a changed one is read again', async () => {
  copyFileSync(join(ROOT, 'samples', 'shared.prof'), join(dir, 'nightly', 'new.prof'));
  const r = { body: await listingWhen((b) => b.includes('nightly/new.prof</a>')) };
  expect(r.body).toMatch(/>nightly\/new\.prof<\/a>.*samples\/shared\.py:6:split_fields/);
  // The newest file is listed first.
  expect(/<td class="name"><a href="[^"]*">([^<]*)<\/a>/.exec(r.body)![1]).toBe('nightly/new.prof');
  writeFileSync(join(dir, 'nightly', 'new.prof'), 'a;b 5\n');
  const again = await get('/view/nightly/new.prof');
  expect(again.status).toBe(200);
  expect(again.body).toContain('"unit":"samples"');
});

test('500 requests, 50 at a time, five rounds: no error, and the memory stays bounded', async () => {
  const paths = ['/', '/view/pipeline.prof', '/view/nightly/after.prof', '/view/nightly/plop.flame', '/diff?before=before.prof&after=nightly/after.prof'];
  const rss = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) * 1024;
  const sizes: number[] = [];
  for (let round = 0; round < 5; round++) {
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < 500) {
          const p = paths[next++ % paths.length];
          statuses.push((await get(p)).status);
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(statuses).toHaveLength(500);
    sizes.push(rss());
  }
  // After the first round has filled the caches, later rounds add little.
  expect(sizes[4] - sizes[1]).toBeLessThan(40 * 2 ** 20);
}, 120000);

test('SIGTERM stops it cleanly; --open starts $BROWSER on the URL; another host warns; a taken port is an error', async () => {
  const opened = join(dir, 'opened.txt');
  const fake = join(outside, 'browser.sh');
  writeFileSync(fake, `#!/bin/sh\necho "$1" > '${opened}'\n`, { mode: 0o755 });
  const s = await start([join(ROOT, 'samples'), '--port', '0', '--open', '--host', '127.0.0.2'], { ...process.env, BROWSER: fake });
  expect(s.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+\/$/);
  for (let i = 0; i < 50 && !existsSync(opened); i++) await new Promise((d) => setTimeout(d, 100));
  expect(readFileSync(opened, 'utf8')).toBe(`${s.url}\n`);
  expect(s.stderr()).toBe('flameprof: warning: listening on 127.0.0.2: the profiles can be read by anyone who reaches this machine there\n');
  const port = new URL(s.url).port;
  const taken = spawnSync(process.execPath, [CLI, 'serve', '--host', '127.0.0.2', '--port', port, ROOT], { encoding: 'utf8' });
  expect([taken.status, taken.stderr]).toEqual([1, `flameprof: port ${port} is in use: choose another with --port (0: any free one)\n`]);
  const code = await new Promise<number | null>((done) => {
    s.child.on('exit', (c) => done(c));
    s.child.kill('SIGTERM');
  });
  expect(code).toBe(0);
  for (const [args, code, message] of [
    [['serve', join(dir, 'nope')], 1, `flameprof: ${join(dir, 'nope')}: no such folder\n`],
    [['serve', join(dir, 'pipeline.prof')], 1, `flameprof: ${join(dir, 'pipeline.prof')}: not a folder\n`],
    [['serve', 'a', 'b'], 2, "flameprof: serve takes one folder, got 2 (see 'flameprof --help')\n"],
  ] as const) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    expect([r.status, r.stderr]).toEqual([code, message]);
  }
  const usage = spawnSync(process.execPath, [CLI, '--port', '80', 'x.prof'], { encoding: 'utf8' });
  expect([usage.status, usage.stderr]).toEqual([2, "flameprof: --port works only with flameprof serve (see 'flameprof --help')\n"]);
});

test('one slow profile stalls neither the listing nor the other reports', async () => {
  const slowDir = mkdtempSync(join(tmpdir(), 'flameprof-slow-'));
  try {
    // 3,000,000 stacks: a few seconds to decode, a few hundred KB on disk.
    const lines = Array.from({ length: 20 }, (_, k) => `main;work${k};leaf${k % 7} 1\n`).join('');
    const { gzipSync } = await import('node:zlib');
    writeFileSync(join(slowDir, 'slow.folded.gz'), gzipSync(Buffer.from(lines.repeat(150000))));
    copyFileSync(join(ROOT, 'samples', 'pipeline.prof'), join(slowDir, 'pipeline.prof'));
    const s = await start([slowDir, '--port', '0']);
    const timed = async (path: string): Promise<{ ms: number; status: number; body: string }> => {
      const t0 = Date.now();
      const r = await httpGet(s.url, path);
      return { ms: Date.now() - t0, status: r.status, body: r.body };
    };
    const slowReport = timed('/view/slow.folded.gz');
    await new Promise((d) => setTimeout(d, 200));
    const other = await timed('/view/pipeline.prof');
    const listing = await timed('/');
    expect([other.status, other.ms < 1500]).toEqual([200, true]);
    // The listing waits up to 1.5 s for summaries by design; "reading…" shows it did not wait for the slow one.
    expect([listing.status, listing.ms < 4500]).toEqual([200, true]);
    expect(listing.body).toMatch(/>slow\.folded\.gz<\/a>.*reading…/);
    const slow = await slowReport;
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThan(other.ms);
    s.child.kill('SIGTERM');
  } finally {
    rmSync(slowDir, { recursive: true, force: true });
  }
}, 60000);
