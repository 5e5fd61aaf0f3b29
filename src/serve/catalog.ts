/**
 * What `flameprof serve` knows of its folder: every profile's path, size, time and group, and
 * its summary once a worker has read it. Built once in the background, then kept current: a
 * watch on each folder sees files come, go and change; a slow rescan catches what a watch
 * misses (network file systems). Summaries are read in small batches, a page's own first.
 */
import { watch, type FSWatcher } from 'node:fs';
import { lstat, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { findProfiles, listed, type FoundFile } from '../io/folder';
import { groupOf, type Member } from './groups';
import type { WorkerPool } from './pool';
import type { Summary } from './worker';

/** One profile of the folder. */
export class Entry implements FoundFile, Member {
  /** The group's key (ids not folded), and the request's duration when the name carries one. */
  readonly key: string;
  readonly nameDurationMs: number | undefined;
  summary: Summary | undefined = undefined;
  error: string | undefined = undefined;
  /** In a batch being read (a page's rows are queued twice: first, and in their turn). */
  reading = false;

  constructor(
    readonly rel: string,
    readonly full: string,
    readonly size: number,
    readonly mtimeMs: number,
  ) {
    const g = groupOf(rel);
    this.key = g.key;
    this.nameDurationMs = g.durationMs;
  }

  /** From the name, else the profile's total when that is a time. */
  get durationMs(): number | undefined {
    return this.nameDurationMs ?? (this.summary?.unit === 'seconds' ? this.summary.total * 1000 : undefined);
  }

  get total(): number | undefined {
    return this.summary?.total;
  }

  get unit(): 'seconds' | 'samples' | undefined {
    return this.summary?.unit;
  }

  get unreadable(): boolean {
    return this.error !== undefined;
  }

  get read(): boolean {
    return this.summary !== undefined || this.error !== undefined;
  }
}

/** Profiles per summary job: small enough that a page's request waits behind one batch at most. */
const BATCH = 32;

/** The least time between rescans, and the rescan's own duration times this. */
const RESCAN_MS = 15000;
const RESCAN_FACTOR = 20;

export class Catalog {
  private readonly entries = new Map<string, Entry>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly queue = new Fifo<Entry>();
  private readonly urgent = new Fifo<Entry>();
  private readonly touched = new Set<string>();
  /** Paths a watch reported while a walk was under way: what the walk saw of them may be older. */
  private readonly lookedDuringWalk = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private inFlight = 0;
  private touchTimer: NodeJS.Timeout | undefined;
  private rescanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private closed = false;
  /** Changes when a profile comes, goes or changes (not when a summary arrives). */
  filesVersion = 0;
  /** Changes on any change, summaries included. */
  version = 0;
  /** Whether the first walk of the folder has finished. */
  walked = false;

  constructor(
    private readonly root: string,
    private readonly pool: WorkerPool,
  ) {}

  /** Starts the first walk; the promise settles when it has finished. */
  start(): Promise<void> {
    return this.rescan();
  }

  all(): IterableIterator<Entry> {
    return this.entries.values();
  }

  get size(): number {
    return this.entries.size;
  }

  get(rel: string): Entry | undefined {
    return this.entries.get(rel);
  }

  /** Profiles whose summaries are not read yet. */
  get pending(): number {
    let n = 0;
    for (const e of this.entries.values()) if (!e.read) n++;
    return n;
  }

  /** Waits, at most `ms`, until these entries have summaries: they are read before the others. */
  async settle(entries: readonly Entry[], ms: number): Promise<void> {
    const waiting = (): Entry[] => entries.filter((e) => !e.read && this.entries.get(e.rel) === e);
    const todo = waiting();
    if (todo.length === 0) return;
    for (const e of todo) this.urgent.push(e);
    this.pump();
    const deadline = Date.now() + ms;
    while (waiting().length > 0 && Date.now() < deadline) {
      await new Promise<void>((done) => {
        const timer = setTimeout(finish, deadline - Date.now());
        function finish(): void {
          clearTimeout(timer);
          done();
        }
        this.listeners.add(finish);
      });
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    clearTimeout(this.touchTimer);
    clearTimeout(this.rescanTimer);
  }

  /** Walks the folder and brings the catalog in line with it (one walk at a time). */
  private rescan(): Promise<void> {
    this.scanning ??= this.walk().finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async walk(): Promise<void> {
    const t0 = Date.now();
    this.lookedDuringWalk.clear();
    const folders = new Set<string>();
    const found = await findProfiles(this.root, (full, rel) => {
      folders.add(full);
      this.watchFolder(full, rel);
    });
    if (this.closed) return;
    const seen = new Set<string>();
    for (const f of found) {
      seen.add(f.rel);
      if (!this.lookedDuringWalk.has(f.rel)) this.put(f);
    }
    for (const rel of [...this.entries.keys()]) if (!seen.has(rel) && !this.lookedDuringWalk.has(rel)) this.drop(rel);
    for (const [full, w] of this.watchers) {
      if (!folders.has(full)) {
        w.close();
        this.watchers.delete(full);
      }
    }
    this.walked = true;
    this.changed();
    clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => void this.rescan(), Math.max(RESCAN_MS, RESCAN_FACTOR * (Date.now() - t0)));
    this.rescanTimer.unref();
  }

  /** A profile found (again): a new or changed one is to be read. */
  private put(f: FoundFile): void {
    const old = this.entries.get(f.rel);
    if (old !== undefined && old.size === f.size && old.mtimeMs === f.mtimeMs && old.full === f.full) return;
    const entry = new Entry(f.rel, f.full, f.size, f.mtimeMs);
    this.entries.set(f.rel, entry);
    this.queue.push(entry);
    this.filesVersion++;
    this.pump();
  }

  /** Whether there was such a profile. */
  private drop(rel: string): boolean {
    if (!this.entries.delete(rel)) return false;
    this.filesVersion++;
    return true;
  }

  /** Whether profiles are known under the folder `rel`. */
  private holdsFolder(rel: string): boolean {
    for (const k of this.entries.keys()) if (k.startsWith(`${rel}/`)) return true;
    return false;
  }

  private watchFolder(full: string, rel: string): void {
    if (this.watchers.has(full) || this.closed) return;
    try {
      const w = watch(full, { persistent: false }, (_event, name) => this.touch(rel, name === null ? undefined : String(name)));
      // A folder removed, or a watch refused (too many): the rescan still sees it.
      w.on('error', () => {
        w.close();
        this.watchers.delete(full);
      });
      this.watchers.set(full, w);
    } catch {
      // No watch to be had here: the rescan keeps it current.
    }
  }

  /** A watch saw `name` in the folder `rel` change: look at it soon (events come in bursts). */
  private touch(rel: string, name: string | undefined): void {
    if (name === undefined) {
      void this.rescan();
      return;
    }
    this.touched.add(rel === '' ? name : `${rel}/${name}`);
    this.touchTimer ??= setTimeout(() => {
      this.touchTimer = undefined;
      void this.look([...this.touched]);
      this.touched.clear();
    }, 50);
  }

  private async look(rels: string[]): Promise<void> {
    let walk = false;
    for (const rel of rels) {
      if (rel.split('/').some((p) => p.startsWith('.') || p === 'node_modules')) continue;
      const full = join(this.root, ...rel.split('/'));
      if (this.scanning !== undefined) this.lookedDuringWalk.add(rel);
      let found: FoundFile | 'folder' | undefined;
      try {
        let target = full;
        if ((await lstat(full)).isSymbolicLink()) target = await realpath(full);
        if (target === this.root || target.startsWith(this.root + sep)) {
          const s = await stat(target);
          if (s.isDirectory()) found = 'folder';
          else if (s.isFile() && listed(rel)) found = { rel, full: target, size: s.size, mtimeMs: s.mtimeMs };
        }
      } catch {
        // Gone (or unreadable): no longer listed.
      }
      if (typeof found === 'object') this.put(found);
      // A new folder (or one moved in) is walked to find what it holds; one gone takes what was under it.
      else if (!this.drop(rel)) walk ||= found === 'folder' ? !this.watchers.has(full) : this.holdsFolder(rel);
    }
    if (walk) await this.rescan();
    this.changed();
  }

  /** Keeps one batch of summaries in flight per worker; a page's own entries first. */
  private pump(): void {
    while (this.inFlight < this.pool.size && !this.closed) {
      const batch: Entry[] = [];
      for (const q of [this.urgent, this.queue]) {
        while (batch.length < BATCH && q.size > 0) {
          const e = q.shift();
          if (!e.read && !e.reading && this.entries.get(e.rel) === e) {
            e.reading = true;
            batch.push(e);
          }
        }
      }
      if (batch.length === 0) return;
      this.inFlight++;
      void this.pool.run({ op: 'summaries', files: batch.map((e) => ({ path: e.full, name: e.rel })) }).then((r) => {
        this.inFlight--;
        batch.forEach((e, i) => {
          e.reading = false;
          const s = r.ok ? r.summaries![i] : r.error;
          if (typeof s === 'string') e.error = s;
          else e.summary = { ...s, top: intern(s.top) };
        });
        this.changed();
        this.pump();
      });
    }
  }

  private changed(): void {
    this.version++;
    const now = [...this.listeners];
    this.listeners.clear();
    for (const l of now) l();
  }

  /** The profiles `keep` keeps, in no particular order. */
  select(keep: (e: Entry) => boolean): Entry[] {
    const out: Entry[] = [];
    for (const e of this.entries.values()) if (keep(e)) out.push(e);
    return out;
  }
}

/** Top functions' labels, one string each: thousands of profiles of one endpoint share a few. */
const labels = new Map<string, string>();
function intern(label: string): string {
  const known = labels.get(label);
  if (known !== undefined) return known;
  if (labels.size > 100000) labels.clear();
  labels.set(label, label);
  return label;
}

/** First in, first out: Array#shift copies a long array at every call, and 100,000 profiles queue at the start. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T {
    const item = this.items[this.head++];
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}
