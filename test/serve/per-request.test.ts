/**
 * `flameprof serve` over a folder of per-request profiles, as the middlewares write them:
 * test/fixtures/make_requests.py (run by the machine's default python3, standard library
 * only) writes real pstats dumps named {method}.{url}.{ts}.{duration}ms.prof, each dump's
 * total time its duration. The real CLI serves them on a loopback port; the groups,
 * percentiles, merges and diffs are checked against what the names say and against the CLI
 * over the same files; Chromium opens the pages.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { checkedPage, launchChromium } from '../helpers/browser';
import { httpGet, type Reply } from '../helpers/http';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const MAKE = join(ROOT, 'test', 'fixtures', 'make_requests.py');
const COUNT = 300;
// make_requests.py's default start: 2025-12-04T08:00:00Z; 300 requests over 3000 s.
const START = 1764835200;
const SPAN = 3000;
const CORRUPT = `GET.api.orders.${START + 1000}.500.33ms.prof`;

let dir: string;
let server: ChildProcess;
let base: string;
let browser: Browser;

const get = (path: string): Promise<Reply> => httpGet(base, path);

const q = encodeURIComponent;

/** The rows of the groups page: key, count, total, p50, p95, max. */
async function groupRows(query = ''): Promise<Map<string, string[]>> {
  const body = (await get(`/groups${query}`)).body;
  const rows = new Map<string, string[]>();
  for (const m of body.matchAll(/<tr><td><input[^>]*><\/td><td class="name">([^<]*)<\/td>((?:<td class="num">[^<]*<\/td>){5})/g)) {
    rows.set(m[1].replace(/&amp;/g, '&'), [...m[2].matchAll(/<td class="num">([^<]*)<\/td>/g)].map((c) => c[1]));
  }
  return rows;
}

/** The group a generated name belongs to, and its duration, worked out here from the name alone. */
function expectedGroup(name: string, foldIds = false): { key: string; ms: number } {
  const m = /^(.*)\.(\d{10}\.\d{3})\.(\d+)ms\.prof$/.exec(name)!;
  const head = foldIds ? m[1].replace(/\.\d+$/, '.{id}') : m[1];
  return { key: `${head}.{ts}.{duration}ms.prof`, ms: Number(m[3]) };
}

const nearestRank = (sorted: number[], p: number): number => sorted[Math.ceil(p * sorted.length) - 1];
const shown = (v: number, unit: string): string => `${Number(v.toPrecision(4))} ${unit}`;

/** Paths in the shell's order (LC_ALL=C): by bytes. */
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Poll until `ok` holds (a watch sees a change within milliseconds; a summary takes a batch). */
async function until<T>(what: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  let v = await what();
  for (let i = 0; i < 100 && !ok(v); i++) {
    await new Promise((d) => setTimeout(d, 100));
    v = await what();
  }
  return v;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flameprof-requests-'));
  const made = spawnSync('python3', [MAKE, dir, String(COUNT), '--span', String(SPAN)], { encoding: 'utf8' });
  expect([made.status, made.stderr]).toEqual([0, '']);
  // A dump cut short, named like its group's members: skipped by merges and counted.
  writeFileSync(join(dir, CORRUPT), Buffer.from([0xfb, 0x01, 0x02]));
  const child = spawn(process.execPath, [CLI, 'serve', dir, '--port', '0'], { env: { ...process.env, NODE_OPTIONS: '' } });
  server = child;
  base = await new Promise<string>((done, fail) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /at (http:\/\/\S+) /.exec(out);
      if (m) done(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}`)));
  });
  // Every summary read: the progress line says so.
  await until(
    () => get('/groups'),
    (r) => r.body.includes(`id="progress">${COUNT + 1} profiles<`),
  );
  browser = await launchChromium();
}, 120000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('groups: one per endpoint (ids apart, then folded), with counts, totals and nearest-rank percentiles from the names', async () => {
  const names = readdirSync(dir);
  for (const fold of [false, true]) {
    const want = new Map<string, number[]>();
    for (const n of names) {
      const g = expectedGroup(n, fold);
      want.set(g.key, [...(want.get(g.key) ?? []), g.ms]);
    }
    const rows = await groupRows(fold ? '?ids=1' : '');
    expect([...rows.keys()].sort()).toEqual([...want.keys()].sort());
    expect(rows.size).toBe(fold ? 5 : 7);
    for (const [key, ms] of want) {
      ms.sort((a, b) => a - b);
      const corrupt = key === expectedGroup(CORRUPT, fold).key ? 33 : 0;
      // Each generated dump's total time is its duration; the corrupt one adds none.
      const total = ms.reduce((a, b) => a + b, 0) - corrupt;
      expect([key, rows.get(key)]).toEqual([
        key,
        [String(ms.length), shown(total / 1000, 's'), shown(nearestRank(ms, 0.5), 'ms'), shown(nearestRank(ms, 0.95), 'ms'), shown(ms[ms.length - 1], 'ms')],
      ]);
    }
  }
  const page = (await get('/groups')).body;
  expect(page).toMatch(/GET\.api\.orders\.\{ts\}\.\{duration\}ms\.prof<\/td>.*<span class="err">1 unreadable<\/span>/);
});

test('a merged group as a folded log is byte for byte the CLI\'s over the same files, the corrupt one skipped and counted', async () => {
  const pattern = '^GET\\.api\\.orders\\.';
  const r = await get(`/merge?match=${q(pattern)}&format=log`);
  const files = readdirSync(dir).filter((n) => new RegExp(pattern).test(n) && n !== CORRUPT).sort(byBytes);
  expect([r.status, r.headers['content-type'], r.headers['x-flameprof-merged'], r.headers['x-flameprof-skipped']]).toEqual([200, 'text/plain; charset=utf-8', String(files.length), '1']);
  const ours = cli(['--format=log', ...files.map((f) => join(dir, f))]);
  expect(ours.status).toBe(0);
  expect(r.body).toBe(ours.stdout);
  // The CLI's folder merge is the same (leaving the corrupt one out by its time); over the corrupt file it stops, naming it.
  const folder = cli([dir, '--files', `${pattern}(?!${START + 1000}\\.500\\.)`, '--format=log']);
  expect([folder.status, folder.stdout === ours.stdout]).toEqual([0, true]);
  const all = cli([dir, '--files', pattern, '--format=log']);
  expect([all.status, all.stdout]).toEqual([1, '']);
  expect(all.stderr).toMatch(new RegExp(`^flameprof: ${join(dir, CORRUPT).replace(/[.]/g, '\\.')}: [^\\n]+\\n$`));
  // The report says how many were merged and what was skipped.
  const html = await get(`/merge?match=${q(pattern)}`);
  expect(html.status).toBe(200);
  expect(html.body).toContain(`${files.length} profiles merged; 1 could not be read and were skipped (${CORRUPT}: `);
});

test('the slowest N of a group, and a time window, choose the files merged', async () => {
  const pattern = '^GET\\.api\\.search\\.';
  const members = readdirSync(dir).filter((n) => new RegExp(pattern).test(n));
  // Equal durations: the first by path.
  const slowest = [...members].sort((a, b) => expectedGroup(b).ms - expectedGroup(a).ms || byBytes(a, b)).slice(0, 5).sort(byBytes);
  const r = await get(`/merge?match=${q(pattern)}&slowest=5&format=log`);
  expect([r.status, r.headers['x-flameprof-merged']]).toEqual([200, '5']);
  expect(r.body).toBe(cli(['--format=log', ...slowest.map((f) => join(dir, f))]).stdout);
  const report = await get(`/merge?match=${q(pattern)}&slowest=5`);
  expect(report.body).toContain(`<title>the slowest 5 of ${members.length} profiles matching ${pattern}</title>`);
  // Modification times are the requests' ends: the first half hour, by ISO time or epoch seconds.
  const middle = START + SPAN / 2;
  const early = members.filter((n) => statSync(join(dir, n)).mtimeMs < middle * 1000).sort(byBytes);
  expect(early.length).toBeGreaterThan(10);
  for (const until of [new Date(middle * 1000).toISOString(), String(middle)]) {
    const w = await get(`/merge?match=${q(pattern)}&until=${q(until)}&format=log`);
    expect([w.status, w.headers['x-flameprof-merged']]).toEqual([200, String(early.length)]);
    expect(w.body).toBe(cli(['--format=log', ...early.map((f) => join(dir, f))]).stdout);
  }
});

test('a diff of one group in two time windows is the CLI\'s diff of the two sets of files', async () => {
  const pattern = '^POST\\.api\\.orders\\.';
  const middle = new Date((START + SPAN / 2) * 1000).toISOString();
  const members = readdirSync(dir).filter((n) => new RegExp(pattern).test(n)).sort(byBytes);
  const before = members.filter((n) => statSync(join(dir, n)).mtimeMs < Date.parse(middle));
  const after = members.filter((n) => statSync(join(dir, n)).mtimeMs >= Date.parse(middle));
  const r = await get(`/diff?before=${q(pattern)}&before_until=${q(middle)}&after_since=${q(middle)}&format=log`);
  expect([r.status, r.headers['x-flameprof-merged']]).toEqual([200, String(members.length)]);
  const side = (files: string[]): string[] => files.flatMap((f, i) => (i === 0 ? [join(dir, f)] : ['+', join(dir, f)]));
  const ours = cli(['diff', ...side(before), ...side(after), '--format=log']);
  expect(ours.status).toBe(0);
  expect(r.body).toBe(ours.stdout);
  // Two groups compared: the report.
  const two = await get(`/diff?before=${q('^GET\\.api\\.orders\\.')}&after=${q(pattern)}`);
  expect([two.status, two.body.includes('<html')]).toEqual([200, true]);
});

test('bad input: a bad regex, time, number or choice is a 400 with one line; nothing matching is a 404', async () => {
  const cases: Array<[string, number, string]> = [
    ['/merge?match=(&format=log', 400, "match: '(' is not a regular expression: Unterminated group\n"],
    ['/merge?match=x&since=yesterday&format=log', 400, "since: 'yesterday' is not a time (ISO 8601 such as 2026-12-04T10:00:00Z, or seconds since the epoch)\n"],
    ['/merge?match=x&slowest=0&format=log', 400, "slowest: '0' is not a whole number from 1 to 1000000\n"],
    ['/merge?match=x&format=png', 400, ''],
    ['/diff?after=x&format=log', 400, 'before: a regular expression is needed\n'],
    ['/groups?sort=fastest', 400, ''],
    ['/?match=%5B', 400, ''],
    ['/merge?match=nothing-like-this&format=log', 404, 'No profile matches nothing-like-this.\n'],
  ];
  for (const [path, status, text] of cases) {
    const r = await get(path);
    expect([path, r.status]).toEqual([path, status]);
    if (text !== '') expect(r.body).toBe(text);
    else expect(r.body).toMatch(/<p class="err">[^<\n]+<\/p>/);
  }
  // The server is still there.
  expect((await get('/groups')).status).toBe(200);
});

test('a file added and one removed while it runs: the groups follow without a restart', async () => {
  const newName = `GET.api.fresh.${START + 5000}.250.12ms.prof`;
  const some = readdirSync(dir).find((n) => n.startsWith('GET.health.'))!;
  const healthBefore = (await groupRows()).get('GET.health.{ts}.{duration}ms.prof')![0];
  copyFileSync(join(dir, some), join(dir, newName));
  unlinkSync(join(dir, some));
  const rows = await until(groupRows, (r) => r.get('GET.api.fresh.{ts}.{duration}ms.prof')?.[1] !== undefined && r.get('GET.health.{ts}.{duration}ms.prof')?.[0] !== healthBefore);
  expect(rows.get('GET.api.fresh.{ts}.{duration}ms.prof')!.slice(0, 2)).toEqual(['1', shown(Number(expectedGroup(some).ms) / 1000, 's')]);
  expect(rows.get('GET.health.{ts}.{duration}ms.prof')![0]).toBe(String(Number(healthBefore) - 1));
  // A sub-folder made while it runs is walked, its profiles a group of their own.
  mkdirSync(join(dir, 'later'));
  copyFileSync(join(dir, newName), join(dir, 'later', newName));
  const later = await until(groupRows, (r) => r.has(`later/GET.api.fresh.{ts}.{duration}ms.prof`));
  expect(later.get(`later/GET.api.fresh.{ts}.{duration}ms.prof`)?.[0]).toBe('1');
});

test('pages stay small: the listing a page of 200 at a time, newest first or slowest first', async () => {
  const first = await get('/');
  const rows = (b: string): string[] => [...b.matchAll(/<td class="name"><a href="[^"]*">([^<]*)<\/a>/g)].map((m) => m[1]);
  expect(rows(first.body)).toHaveLength(200);
  expect(first.body).toContain('page 1 of 2');
  const second = await get('/?page=2');
  const all = (readdirSync(dir, { recursive: true }) as string[]).filter((n) => n.endsWith('.prof'));
  expect(rows(first.body).length + rows(second.body).length).toBe(all.length);
  const newest = [...all].sort((a, b) => statSync(join(dir, b)).mtimeMs - statSync(join(dir, a)).mtimeMs)[0];
  expect(rows(first.body)[0]).toBe(newest);
  const slow = rows((await get(`/?match=${q('^GET\\.api\\.search\\.')}&sort=slowest`)).body);
  const ms = slow.map((n) => expectedGroup(n).ms);
  expect(ms).toEqual([...ms].sort((a, b) => b - a));
  for (const r of [first, second]) expect(Buffer.byteLength(r.body)).toBeLessThan(1 << 20);
});

test('in Chromium: two groups compared, a group against itself in time, a merged SVG; no page error, nothing fetched outside', async () => {
  const { page, problems } = await checkedPage(browser);
  const outside: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(base)) outside.push(r.url());
  });
  await page.goto(`${base}groups`);
  const boxes = page.locator('input.pick');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.click('#compare');
  await page.waitForSelector('html[data-ready]');
  expect(page.url()).toMatch(/\/diff\?before=.+&after=.+/);
  await page.goto(`${base}groups`);
  await page.click('text=older vs newer half >> nth=0');
  await page.waitForSelector('html[data-ready]');
  expect(page.url()).toMatch(/before_until=.+after_since=/);
  await page.goto(`${base}merge?match=${q('^GET\\.health\\.')}&format=svg`);
  // The SVG's own script ran under the server's policy: it shows its controls.
  await page.waitForSelector('#controls');
  expect(problems.filter((p) => !p.startsWith('request:'))).toEqual([]);
  expect(outside).toEqual([]);
  await page.close();
}, 60000);
