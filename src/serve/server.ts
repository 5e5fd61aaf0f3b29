/**
 * `flameprof serve DIR`: a local web server over a folder of profiles, as plop's viewer is,
 * for thousands of per-request profiles. `/` lists them (a page at a time), `/groups` groups
 * them by name (./groups.ts), `/view/PATH` is one profile's report, `/merge?match=REGEX` the
 * report (or SVG, or folded log) of all that match, `/diff?before=REGEX&after=REGEX` the
 * comparison of two such merges (or of one in two time windows). Node's own http module: five
 * routes need no framework. What the folder holds is the catalog's (./catalog.ts); decoding,
 * merging and rendering run on worker threads (./pool.ts); pages are cached by what they read.
 */
import { createHash } from 'node:crypto';
import { realpathSync, statSync, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isAbsolute, join, sep } from 'node:path';
import { FlameprofError } from '../errors';
import { byPath, listed } from '../io/folder';
import { reportPolicy } from '../render/html';
import { regexProblem } from '../render/search';
import { svgPolicy } from '../render/svg';
import { Catalog, type Entry } from './catalog';
import { groupOf, groupsOf, type Group } from './groups';
import { errorPage, GROUP_SORTS, groupsPage, listingPage, PAGE_ROWS, pageScriptHash, type GroupSort, type Progress } from './pages';
import { WorkerPool } from './pool';
import type { FileRef, ServeFormat, ServeReply } from './worker';

export interface ServeOptions {
  /** The folder served, sub-folders included. Default: the current folder. */
  readonly dir: string;
  /** Default 8888; 0 for any free port. */
  readonly port: number;
  /** Default 127.0.0.1: the profiles are visible only to this machine. */
  readonly host: string;
  /** How long the listing waits for its page's summaries before it shows them as "reading". Default 1500 ms. */
  readonly listingWait?: number;
}

export interface Serving {
  readonly url: string;
  close(): Promise<void>;
}

const CACHE_PAGES = 8;
/** How many of a group's slowest profiles its "slowest" link merges. */
const SLOWEST = 20;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** A request the server refuses with 400: one line saying why. */
class BadRequest extends Error {}

export async function serve(opts: ServeOptions): Promise<Serving> {
  let root: string;
  try {
    root = realpathSync(opts.dir);
    if (!statSync(root).isDirectory()) throw new FlameprofError(`${opts.dir}: not a folder`);
  } catch (err) {
    if (err instanceof FlameprofError) throw err;
    throw new FlameprofError(`${opts.dir}: no such folder`);
  }
  const pool = new WorkerPool();
  const catalog = new Catalog(root, pool);
  const walked = catalog.start();
  const pages = new Map<string, Promise<ServeReply>>();
  const progress = (): Progress => ({ dir: opts.dir, total: catalog.size, pending: catalog.pending, walked: catalog.walked });

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof BadRequest) return refuse(res, 400, 'bad request', err.message, req.url);
      refuse(res, 500, 'internal error', String(err), req.url);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, errorPage(405, 'method not allowed', 'Only GET and HEAD are served.'));
    }
    // A page of another site must not reach us through a name that resolves here (DNS rebinding).
    const hostHeader = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
    if (LOOPBACK.has(opts.host) && !LOOPBACK.has(hostHeader)) return send(res, 403, errorPage(403, 'forbidden', 'Unknown Host.'));
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    if (path === '/' || path === '/groups') {
      // A small folder is walked at once; a big one shows how far the walk has got.
      await Promise.race([walked, new Promise((done) => setTimeout(done, opts.listingWait ?? 1500).unref())]);
      return send(res, 200, path === '/' ? await listing(query) : groups(query), pageScriptHash());
    }
    if (path.startsWith('/view/')) {
      const file = safePath(path.slice('/view/'.length));
      if (typeof file === 'number') return refuse(res, file);
      const stamp = `${file.stat.size}:${file.stat.mtimeMs}`;
      return sendDrawn(res, 'html', `view\0${file.full}\0${stamp}`, () => pool.run({ op: 'draw', files: [{ path: file.full, name: file.name }], format: 'html', title: file.name, skipBad: false }));
    }
    if (path === '/merge') {
      const format = formatParam(query);
      await walked;
      const match = regexParam(query, 'match') ?? /(?:)/;
      const slowest = intParam(query, 'slowest', 1, 1000000);
      const window = windowParam(query, 'since', 'until');
      const files = chosen(match, window, slowest);
      if (files.length === 0) return refuse(res, 404, 'not found', `No profile matches ${query.get('match') ?? ''}.`, req.url);
      // Says what was chosen: "the slowest 20 of 600 profiles matching RE, since T".
      const of = slowest === undefined ? files.length : chosen(match, window).length;
      const title =
        (of > files.length ? `the slowest ${files.length} of ` : '') +
        `${of} profile${of === 1 ? '' : 's'} matching ${query.get('match') || '(all)'}` +
        ['since', 'until'].map((k) => (query.get(k) ? `, ${k} ${query.get(k)}` : '')).join('');
      return sendDrawn(res, format, key('merge', format, files), () => pool.run({ op: 'draw', files, format, title, skipBad: true }));
    }
    if (path === '/diff') {
      const format = formatParam(query);
      await walked;
      const before = regexParam(query, 'before', true)!;
      const after = regexParam(query, 'after') ?? before;
      const b = chosen(before, windowParam(query, 'before_since', 'before_until'));
      const a = chosen(after, windowParam(query, 'after_since', 'after_until'));
      for (const [side, files] of [['before', b], ['after', a]] as const) {
        if (files.length === 0) return refuse(res, 404, 'not found', `No profile matches the ${side} side.`, req.url);
      }
      const title = `${query.get('before')} (${b.length}) -> ${query.get('after') ?? query.get('before')} (${a.length})`;
      return sendDrawn(res, format, key('diff', format, b, '->', a), () => pool.run({ op: 'diff', before: b, after: a, format, title, skipBad: true }));
    }
    return refuse(res, 404);
  }

  function refuse(res: ServerResponse, status: number, title?: string, message?: string, url?: string): void {
    title ??= status === 403 ? 'forbidden' : 'not found';
    message ??= status === 403 ? 'That path is outside the served folder.' : 'No such page or profile.';
    // A folded log was asked for: the error is one line of text too.
    if (url !== undefined && /[?&]format=log(&|$)/.test(url)) return sendText(res, status, `${message}\n`);
    send(res, status, errorPage(status, title, message));
  }

  interface Safe {
    readonly full: string;
    readonly name: string;
    readonly stat: Stats;
  }

  /**
   * A path under the root, or the status to refuse it with: `..` and absolute paths, NUL,
   * encoded separators, and symlinks that lead outside are refused (403); what is not there, or
   * not listed (hidden, or not named as a profile), 404.
   */
  function safePath(given: string): Safe | number {
    if (/%(2f|5c|00)/i.test(given)) return 403;
    let rel: string;
    try {
      rel = decodeURIComponent(given);
    } catch {
      return 404;
    }
    if (rel === '' || rel.includes('\0') || rel.includes('\\') || isAbsolute(rel) || rel.split('/').some((s) => s === '..' || s === '.')) return 403;
    // Only what the listing lists: a profile's name, in no hidden folder nor node_modules.
    if (!listed(rel)) return 404;
    const full = join(root, ...rel.split('/'));
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      return 404;
    }
    if (real !== root && !real.startsWith(root + sep)) return 403;
    let stat: Stats;
    try {
      stat = statSync(real);
    } catch {
      return 404;
    }
    if (!stat.isFile()) return 404;
    return { full: real, name: rel, stat };
  }

  /** The listed profiles that match, in the window, the slowest `slowest` of them: in path order, the order merges add them in. */
  function chosen(match: RegExp, window: [number, number], slowest?: number): FileRef[] {
    let entries = catalog.select((e) => match.test(e.rel) && e.mtimeMs >= window[0] && e.mtimeMs < window[1]);
    if (slowest !== undefined && entries.length > slowest) entries = entries.sort((x, y) => (y.durationMs ?? -1) - (x.durationMs ?? -1) || byPath(x, y)).slice(0, slowest);
    return entries.sort(byPath).map((e) => ({ path: e.full, name: e.rel }));
  }

  /** A cache key for a page drawn from these files as they are now. */
  function key(...parts: Array<string | readonly FileRef[]>): string {
    const h = createHash('sha256');
    for (const p of parts) {
      if (typeof p === 'string') h.update(`${p}\0`);
      else for (const f of p) h.update(`${f.path}\0${catalog.get(f.name)?.size}:${catalog.get(f.name)?.mtimeMs}\0`);
    }
    return h.digest('base64');
  }

  async function sendDrawn(res: ServerResponse, format: ServeFormat, cacheKey: string, job: () => Promise<ServeReply>): Promise<void> {
    let reply = pages.get(cacheKey);
    if (reply === undefined) {
      reply = job();
      pages.set(cacheKey, reply);
      // Oldest first out: Map keeps insertion order.
      while (pages.size > CACHE_PAGES) pages.delete(pages.keys().next().value as string);
    }
    const r = await reply;
    if (!r.ok) {
      pages.delete(cacheKey);
      if (format === 'log') return sendText(res, 422, `${r.error}\n`);
      return send(res, 422, errorPage(422, 'cannot show this profile', r.error));
    }
    const body = Buffer.from(r.body!.buffer, r.body!.byteOffset, r.body!.length);
    if (r.merged !== undefined) res.setHeader('X-Flameprof-Merged', r.merged);
    if (r.skipped !== undefined) res.setHeader('X-Flameprof-Skipped', r.skipped.length);
    if (format === 'log') return sendText(res, 200, body);
    if (format === 'svg') return send(res, 200, body, undefined, svgPolicy(), 'image/svg+xml');
    send(res, 200, body, undefined, reportPolicy());
  }

  /** The listing: the profiles that match, newest (or slowest, or by path) first, a page at a time. */
  let sorted: { key: string; entries: Entry[] } | undefined;
  async function listing(query: URLSearchParams): Promise<string> {
    const matchText = query.get('match') ?? '';
    const match = regexParam(query, 'match');
    const sort = choiceParam(query, 'sort', ['newest', 'slowest', 'path'] as const, 'newest');
    const page = intParam(query, 'page', 1, 1e9) ?? 1;
    // Slowest first changes as summaries arrive; the others only as files do.
    const cacheKey = `${sort === 'slowest' ? `v${catalog.version}` : `f${catalog.filesVersion}`}\0${sort}\0${matchText}`;
    if (sorted?.key !== cacheKey) {
      const entries = catalog.select((e) => match === undefined || match.test(e.rel));
      if (sort === 'newest') entries.sort((a, b) => b.mtimeMs - a.mtimeMs || byPath(a, b));
      if (sort === 'slowest') entries.sort((a, b) => (b.durationMs ?? -1) - (a.durationMs ?? -1) || byPath(a, b));
      if (sort === 'path') entries.sort(byPath);
      sorted = { key: cacheKey, entries };
    }
    const all = sorted.entries;
    const rows = all.slice((page - 1) * PAGE_ROWS, page * PAGE_ROWS);
    // Wait a little for this page's new files, but never long: a slow one shows as "reading".
    await catalog.settle(rows, opts.listingWait ?? 1500);
    return listingPage(progress(), { match: matchText, sort, page, matching: all.length, rows });
  }

  /** All groups, computed again only when something changed. */
  let grouped: { key: string; groups: Group[] } | undefined;
  function groups(query: URLSearchParams): string {
    const matchText = query.get('match') ?? '';
    const match = regexParam(query, 'match');
    const ids = query.get('ids') === '1';
    const sort = choiceParam(query, 'sort', GROUP_SORTS, 'total');
    const page = intParam(query, 'page', 1, 1e9) ?? 1;
    const cacheKey = `${catalog.version}\0${ids}`;
    if (grouped?.key !== cacheKey) grouped = { key: cacheKey, groups: groupsOf(catalog.all(), ids ? (e) => groupOf(e.rel, true).key : (e) => (e as Entry).key) };
    const all = grouped.groups.filter((g) => match === undefined || match.test(g.key));
    const by: Record<GroupSort, (g: Group) => number | string> = {
      total: (g) => -(g.seconds || g.samples),
      count: (g) => -g.count,
      p95: (g) => -(g.p95 ?? -1),
      max: (g) => -(g.max ?? -1),
      newest: (g) => -g.newest.mtimeMs,
      name: (g) => g.key,
    };
    const f = by[sort];
    all.sort((a, b) => {
      const x = f(a);
      const y = f(b);
      return x < y ? -1 : x > y ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
    });
    return groupsPage(progress(), { match: matchText, ids, sort, page, matching: all.length, groups: all.slice((page - 1) * PAGE_ROWS, page * PAGE_ROWS), slowest: SLOWEST });
  }

  await new Promise<void>((done, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      fail(new FlameprofError(err.code === 'EADDRINUSE' ? `port ${opts.port} is in use: choose another with --port (0: any free one)` : `cannot listen on ${opts.host}:${opts.port}: ${err.message}`)),
    );
    server.listen(opts.port, opts.host, () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/`,
    close: async () => {
      catalog.close();
      await closeAll(server, pool);
    },
  };
}

/** A regular expression from the query (JavaScript's, case-sensitive), undefined when absent or empty. */
function regexParam(query: URLSearchParams, name: string, required = false): RegExp | undefined {
  const source = query.get(name) ?? '';
  if (source === '') {
    if (required) throw new BadRequest(`${name}: a regular expression is needed`);
    return undefined;
  }
  try {
    return new RegExp(source);
  } catch (err) {
    throw new BadRequest(`${name}: '${source}' is not a regular expression: ${regexProblem(err)}`);
  }
}

/** A time from the query: ISO 8601 (UTC unless it says) or seconds since the epoch. */
function timeParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name) ?? '';
  if (text === '') return undefined;
  const t = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || !/[T ]\d/.test(text) ? text : `${text}Z`);
  if (!Number.isFinite(t)) throw new BadRequest(`${name}: '${text}' is not a time (ISO 8601 such as 2026-12-04T10:00:00Z, or seconds since the epoch)`);
  return t;
}

/** A time window [since, until) of modification times, open where not given. */
function windowParam(query: URLSearchParams, since: string, until: string): [number, number] {
  return [timeParam(query, since) ?? -Infinity, timeParam(query, until) ?? Infinity];
}

function intParam(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const text = query.get(name) ?? '';
  if (text === '') return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new BadRequest(`${name}: '${text}' is not a whole number from ${min} to ${max}`);
  return n;
}

function choiceParam<T extends string>(query: URLSearchParams, name: string, choices: readonly T[], fallback: T): T {
  const text = query.get(name) ?? '';
  if (text === '') return fallback;
  if (!(choices as readonly string[]).includes(text)) throw new BadRequest(`${name}: '${text}' is not one of ${choices.join(', ')}`);
  return text as T;
}

function formatParam(query: URLSearchParams): ServeFormat {
  return choiceParam(query, 'format', ['html', 'svg', 'log'] as const, 'html');
}

function send(res: ServerResponse, status: number, body: string | Buffer, scriptHash?: string, policy?: string, type = 'text/html; charset=utf-8'): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', bytes.length);
  res.setHeader(
    'Content-Security-Policy',
    policy ??
      `default-src 'none'; script-src ${scriptHash === undefined ? "'none'" : `'${scriptHash}'`}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
  res.end(res.req.method === 'HEAD' ? undefined : bytes);
}

/** Plain text: a folded log, or the one line saying why there is none. */
function sendText(res: ServerResponse, status: number, body: string | Buffer): void {
  send(res, status, body, undefined, "default-src 'none'", 'text/plain; charset=utf-8');
}

async function closeAll(server: Server, pool: WorkerPool): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
  await pool.close();
}
