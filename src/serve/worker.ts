/**
 * `flameprof serve`'s worker thread: decodes profiles and renders reports off the server's
 * thread, so that one huge or slow dump never stalls the listing or other requests.
 * Messages: a ServeJob in, a ServeReply out (pages as bytes, transferred).
 */
import { statSync, type Stats } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { FlameprofError, InputError } from '../errors';
import { exactStats } from '../frames/exact';
import type { ImporterName } from '../import/registry';
import { fsReason, readPieces } from '../io/files';
import { funcKey, funcLabel, type Profile } from '../model/profile';
import { ProfileMerger } from '../import/merge';
import { buildFrames, diffProfiles, readProfileStream, renderToString } from '../pipeline';

/** A profile to read: its real path (checked by the server) and its name under the served folder. */
export interface FileRef {
  readonly path: string;
  readonly name: string;
}

/** The outputs the server asks for: the report, or a merge's SVG or folded log. */
export type ServeFormat = 'html' | 'svg' | 'log';

/**
 * What the server asks for: summaries of a batch of profiles for the listing; the merge of
 * some profiles drawn (one for /view); the diff of two merges. With `skipBad`, a profile that
 * cannot be read or merged is skipped and named in the reply; without, it fails the job.
 */
export type ServeRequest =
  | { readonly op: 'summaries'; readonly files: readonly FileRef[] }
  | { readonly op: 'draw'; readonly files: readonly FileRef[]; readonly format: ServeFormat; readonly title: string; readonly skipBad: boolean }
  | {
      readonly op: 'diff';
      readonly before: readonly FileRef[];
      readonly after: readonly FileRef[];
      readonly format: ServeFormat;
      readonly title: string;
      readonly skipBad: boolean;
    };

export type ServeJob = ServeRequest & { readonly id: number };

export interface Summary {
  /** The importer that read it. */
  readonly kind: ImporterName;
  /** Seconds (pstats: the sum of own times; sampled times) or samples. */
  readonly total: number;
  readonly unit: 'seconds' | 'samples';
  /** The function with the most own time, and that time. */
  readonly top: string;
  readonly topOwn: number;
}

export type ServeReply =
  | {
      readonly id: number;
      readonly ok: true;
      /** 'summaries': a summary or the reason it could not be read, per file. */
      readonly summaries?: ReadonlyArray<Summary | string>;
      readonly body?: Uint8Array;
      /** 'draw' and 'diff': how many profiles were merged, and the ones skipped with why. */
      readonly merged?: number;
      readonly skipped?: readonly string[];
    }
  | { readonly id: number; readonly ok: false; readonly error: string };

// Its own ArrayBuffer per report (a small Buffer shares Node's pool, which cannot be transferred).
const encoder = new TextEncoder();

/** How often a file that changes while it is read is read again. */
const READ_TRIES = 3;

/**
 * A profile file read as it comes (see readProfileStream), read again if it changed while it
 * was read (a profiler still writing it).
 */
export async function loadStable(path: string, name: string): Promise<Profile> {
  for (let attempt = 0; attempt < READ_TRIES; attempt++) {
    let before;
    try {
      before = statSync(path);
    } catch (err) {
      throw new InputError(`${name}: ${fsReason(err)}`);
    }
    if (before.size === 0) throw new InputError(`${name}: empty file`);
    let read = 0;
    const counted = (async function* () {
      for await (const piece of readPieces(path)) {
        read += piece.length;
        yield piece;
      }
    })();
    let profile: Profile;
    try {
      profile = await readProfileStream(counted, name);
    } catch (err) {
      if (!changed(path, before, read)) throw err;
      continue;
    }
    if (!changed(path, before, read)) return profile;
  }
  throw new InputError(`${name}: kept changing while it was read`);
}

function changed(path: string, before: Stats, read: number): boolean {
  try {
    const after = statSync(path);
    return before.size !== after.size || before.mtimeMs !== after.mtimeMs || read !== after.size;
  } catch {
    return true;
  }
}

async function summarize(file: FileRef): Promise<Summary> {
  const profile = await loadStable(file.path, file.name);
  const kind = profile.format as ImporterName;
  const exact = exactStats(profile);
  let top = -1;
  let total = 0;
  for (let i = 0; i < exact.tt.length; i++) {
    total += exact.tt[i];
    if (top < 0 || exact.tt[i] > exact.tt[top]) top = i;
  }
  return {
    kind,
    total,
    unit: profile.kind === 'callgraph' ? 'seconds' : (profile.unit ?? 'samples'),
    top: top < 0 ? '' : funcLabel(profile.kind === 'callgraph' ? funcKey(profile, top) : profile.funcs[top]),
    topOwn: top < 0 ? 0 : exact.tt[top],
  };
}

/** Bad input's message; anything else is a bug, reported the same way here. Never what the file holds. */
function reason(err: unknown): string {
  return withoutContent(err instanceof FlameprofError ? err.message : `internal error: ${(err as Error).message}`);
}

/**
 * A reader's message without what it quotes of the file (the readers quote a bad line or
 * value as a JSON string): a page never shows a file's content, which may not be a profile
 * at all.
 */
export function withoutContent(message: string): string {
  return message.replace(/"(?:[^"\\]|\\.)*"/g, (q) => (q === '"stack count"' ? q : '(not shown)'));
}

/**
 * The files read one at a time and merged in the order given (so that sums agree to the last
 * bit with the CLI's over the same files); with `skipBad`, those that cannot be read or
 * merged are skipped and named.
 */
async function merge(files: readonly FileRef[], skipBad: boolean): Promise<{ profile: Profile; skipped: string[]; merged: number }> {
  const merger = new ProfileMerger();
  const skipped: string[] = [];
  for (const f of files) {
    try {
      const p = await loadStable(f.path, f.name);
      const why = merger.refusal(p);
      if (why !== undefined) throw new InputError(`${f.name}: ${why}`);
      merger.add(p);
    } catch (err) {
      if (!skipBad || !(err instanceof FlameprofError)) throw err;
      skipped.push(reason(err));
    }
  }
  if (merger.count === 0) throw new InputError(`none of the ${files.length} profiles could be read (${skipped[0]})`);
  return { profile: merger.result(), skipped, merged: merger.count };
}

/** A line under the title saying how many were merged and what was skipped, when more than one was asked for. */
function mergedLine(asked: number, merged: number, skipped: readonly string[]): string | undefined {
  if (asked <= 1) return undefined;
  const more = skipped.length === 0 ? '' : `; ${skipped.length} could not be read and were skipped (${skipped[0]}${skipped.length > 1 ? ', …' : ''})`;
  return `${merged} profiles merged${more}`;
}

export async function handle(job: ServeJob): Promise<ServeReply> {
  try {
    if (job.op === 'summaries') {
      const summaries: Array<Summary | string> = [];
      for (const f of job.files) summaries.push(await summarize(f).catch(reason));
      return { id: job.id, ok: true, summaries };
    }
    if (job.op === 'draw') {
      const m = await merge(job.files, job.skipBad);
      const subtitle = mergedLine(job.files.length, m.merged, m.skipped);
      const text = renderToString(buildFrames(m.profile), { format: job.format, title: job.title, subtitle });
      return { id: job.id, ok: true, body: encoder.encode(text), merged: m.merged, skipped: m.skipped };
    }
    const before = await merge(job.before, job.skipBad);
    const after = await merge(job.after, job.skipBad);
    const skipped = [...before.skipped, ...after.skipped];
    const subtitle = job.before.length + job.after.length > 2 ? `${before.merged} profiles before, ${after.merged} after${skipped.length > 0 ? `; ${skipped.length} skipped (${skipped[0]})` : ''}` : undefined;
    const text = renderToString(diffProfiles(before.profile, after.profile), { format: job.format, title: job.title, subtitle });
    return { id: job.id, ok: true, body: encoder.encode(text), merged: before.merged + after.merged, skipped };
  } catch (err) {
    return { id: job.id, ok: false, error: reason(err) };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (job: ServeJob) => {
    void handle(job).then((reply) => port.postMessage(reply, reply.ok && reply.body !== undefined ? [reply.body.buffer as ArrayBuffer] : []));
  });
}
