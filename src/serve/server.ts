/**
 * `flameprof serve DIR`: a local web server over a folder of profiles, as plop's viewer is.
 * `/` lists them (newest first), `/view/PATH` is a profile's HTML report, `/diff?before=
 * PATH&after=PATH` the comparison of two. Node's own http module: three routes need no
 * framework. Decoding and rendering run on worker threads (./worker.ts); summaries and
 * reports are cached by path, size and modification time.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isAbsolute, join, relative, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FlameprofError } from '../errors';
import { PROFILE_FILE } from '../import/registry';
import { reportPolicy } from '../render/html';
import { errorPage, listingPage, listingScriptHash, withoutContent, type ListingEntry } from './listing';
import type { ServeReply, ServeRequest, Summary } from './worker';

export interface ServeOptions {
  /** The folder served, sub-folders included. Default: the current folder. */
  readonly dir: string;
  /** Default 8888; 0 for any free port. */
  readonly port: number;
  /** Default 127.0.0.1: the profiles are visible only to this machine. */
  readonly host: string;
  /** How long the listing waits for summaries being read before it shows them as "reading". Default 1500 ms. */
  readonly listingWait?: number;
}

export interface Serving {
  readonly url: string;
  close(): Promise<void>;
}

const CACHE_REPORTS = 8;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

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
  const summaries = new Map<string, { stamp: string; summary?: Summary; error?: string; pending?: Promise<void> }>();
  const reports = new Map<string, { stamp: string; html: Promise<ServeReply> }>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, errorPage(500, 'internal error', String(err))));
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
    if (path === '/') return send(res, 200, await listing(), listingScriptHash());
    if (path.startsWith('/view/')) {
      const file = safePath(path.slice('/view/'.length), true);
      if (typeof file === 'number') return refuse(res, file);
      return sendReport(res, [file], () => pool.run({ op: 'report', path: file.full, name: file.name }));
    }
    if (path === '/diff') {
      const before = safePath(query.get('before') ?? '', false);
      const after = safePath(query.get('after') ?? '', false);
      if (typeof before === 'number') return refuse(res, before);
      if (typeof after === 'number') return refuse(res, after);
      return sendReport(res, [before, after], () =>
        pool.run({ op: 'diff', before: { path: before.full, name: before.name }, after: { path: after.full, name: after.name } }),
      );
    }
    return refuse(res, 404);
  }

  function refuse(res: ServerResponse, status: number): void {
    send(res, status, errorPage(status, status === 403 ? 'forbidden' : 'not found', status === 403 ? 'That path is outside the served folder.' : 'No such page or profile.'));
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
  function safePath(given: string, encoded: boolean): Safe | number {
    if (encoded && /%(2f|5c|00)/i.test(given)) return 403;
    let rel: string;
    try {
      rel = encoded ? decodeURIComponent(given) : given;
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

  async function sendReport(res: ServerResponse, files: Safe[], job: () => Promise<ServeReply>): Promise<void> {
    const key = files.map((f) => f.full).join('\0');
    const stamp = files.map((f) => `${f.stat.size}:${f.stat.mtimeMs}`).join(',');
    let cached = reports.get(key);
    if (cached === undefined || cached.stamp !== stamp) {
      cached = { stamp, html: job() };
      reports.set(key, cached);
      // Oldest first out: Map keeps insertion order.
      while (reports.size > CACHE_REPORTS) reports.delete(reports.keys().next().value as string);
    }
    const reply = await cached.html;
    if (!reply.ok) {
      reports.delete(key);
      return send(res, 422, errorPage(422, 'cannot show this profile', withoutContent(reply.error)));
    }
    const html = reply.html!;
    send(res, 200, Buffer.from(html.buffer, html.byteOffset, html.length), undefined, reportPolicy());
  }

  async function listing(): Promise<string> {
    const files = walk(root);
    const waits: Array<Promise<void>> = [];
    for (const f of files) {
      const stamp = `${f.stat.size}:${f.stat.mtimeMs}`;
      let s = summaries.get(f.full);
      if (s === undefined || s.stamp !== stamp) {
        const entry: { stamp: string; summary?: Summary; error?: string; pending?: Promise<void> } = { stamp };
        entry.pending = pool.run({ op: 'summary', path: f.full, name: f.name }).then((r) => {
          if (r.ok) entry.summary = r.summary;
          else entry.error = r.error;
          entry.pending = undefined;
        });
        summaries.set(f.full, entry);
        s = entry;
      }
      if (s.pending !== undefined) waits.push(s.pending);
    }
    // Wait a little for new files, but never long: a slow one shows as "reading".
    if (waits.length > 0) await Promise.race([Promise.all(waits), new Promise((done) => setTimeout(done, opts.listingWait ?? 1500))]);
    const entries: ListingEntry[] = files
      .sort((a, b) => b.stat.mtimeMs - a.stat.mtimeMs || (a.name < b.name ? -1 : 1))
      .map((f) => {
        const s = summaries.get(f.full)!;
        return { name: f.name, size: f.stat.size, mtimeMs: f.stat.mtimeMs, summary: s.summary, error: s.error };
      });
    return listingPage(opts.dir, entries, entries.filter((e) => e.summary === undefined && e.error === undefined).length);
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
    close: () => closeAll(server, pool),
  };
}

/** Whether the listing lists a path (relative, `/`-separated): nothing hidden, a profile's name. */
function listed(rel: string): boolean {
  const parts = rel.split('/');
  return parts.every((p) => !p.startsWith('.') && p !== 'node_modules') && PROFILE_FILE.test(parts[parts.length - 1]);
}

/**
 * Profiles under `root`, sub-folders too, each folder once (links can make loops); symlinks
 * are followed only where they stay inside, and hidden files and folders and node_modules are
 * skipped.
 */
function walk(root: string): Array<{ full: string; name: string; stat: Stats }> {
  const out: Array<{ full: string; name: string; stat: Stats }> = [];
  const seen = new Set<string>();
  const visit = (dir: string, depth: number): void => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (depth > 32 || seen.has(real)) return;
    seen.add(real);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const full = join(dir, n);
      let stat: Stats;
      let target = full;
      try {
        if (lstatSync(full).isSymbolicLink()) {
          target = realpathSync(full);
          if (target !== root && !target.startsWith(root + sep)) continue;
        }
        stat = statSync(target);
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if (!n.startsWith('.') && n !== 'node_modules') visit(full, depth + 1);
      } else if (stat.isFile() && listed(n)) out.push({ full: target, name: relative(root, full).split(sep).join('/'), stat });
    }
  };
  visit(root, 0);
  return out;
}

function send(res: ServerResponse, status: number, body: string | Buffer, scriptHash?: string, policy?: string): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
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

async function closeAll(server: Server, pool: WorkerPool): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((done) => server.close(() => done()));
  await pool.close();
}

/**
 * Two worker threads, each job to the one with fewer waiting: one slow dump holds up one of
 * them, and the other keeps answering. A job whose worker dies is answered with the error.
 */
class WorkerPool {
  private readonly workers: Array<{ worker: Worker; waiting: Map<number, (r: ServeReply) => void> } | undefined> = [undefined, undefined];
  private next = 1;

  run(job: ServeRequest): Promise<ServeReply> {
    const id = this.next++;
    const slot = this.pick();
    return new Promise((done) => {
      slot.waiting.set(id, done);
      slot.worker.postMessage({ ...job, id });
    });
  }

  private pick(): { worker: Worker; waiting: Map<number, (r: ServeReply) => void> } {
    let best = -1;
    for (let i = 0; i < this.workers.length; i++) {
      const w = this.workers[i];
      if (w === undefined) return this.start(i);
      if (best < 0 || w.waiting.size < this.workers[best]!.waiting.size) best = i;
    }
    return this.workers[best]!;
  }

  private start(i: number): { worker: Worker; waiting: Map<number, (r: ServeReply) => void> } {
    const worker = new Worker(workerFile());
    const slot = { worker, waiting: new Map<number, (r: ServeReply) => void>() };
    worker.on('message', (r: ServeReply) => {
      const done = slot.waiting.get(r.id);
      slot.waiting.delete(r.id);
      done?.(r);
    });
    // A worker that dies (out of memory on a huge dump) fails its jobs; the next job starts a new one.
    const fail = (why: string): void => {
      if (this.workers[i] === slot) this.workers[i] = undefined;
      for (const [id, done] of slot.waiting) done({ id, ok: false, error: why });
      slot.waiting.clear();
    };
    worker.on('error', (err) => fail(`the profile could not be read: ${err.message}`));
    worker.on('exit', (code) => fail(`the reader stopped (exit ${code})`));
    worker.unref();
    this.workers[i] = slot;
    return slot;
  }

  async close(): Promise<void> {
    const all = this.workers.splice(0, this.workers.length, undefined, undefined);
    await Promise.all(all.map((w) => w?.worker.terminate()));
  }
}

/** The worker's script: beside this file in dist/ (the bundle's serve-worker.js, or tsc's worker.js). */
function workerFile(): string {
  const { existsSync } = require('node:fs') as typeof import('node:fs');
  for (const f of [join(__dirname, 'serve-worker.js'), join(__dirname, 'worker.js'), join(__dirname, '..', '..', 'dist', 'serve-worker.js')]) {
    if (existsSync(f)) return f;
  }
  throw new FlameprofError("the server's worker script is missing (dist/serve-worker.js): run npm run build");
}
