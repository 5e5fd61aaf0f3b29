/**
 * `flameprof serve`'s worker thread: decodes profiles and renders reports off the server's
 * thread, so that one huge or slow dump never stalls the listing or other requests.
 * Messages: a ServeJob in, a ServeReply out (reports as bytes, transferred).
 */
import { statSync, type Stats } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { FlameprofError, InputError } from '../errors';
import { exactStats } from '../frames/exact';
import type { ImporterName } from '../import/registry';
import { fsReason, readPieces } from '../io/files';
import { funcKey, funcLabel, type Profile } from '../model/profile';
import { buildFrames, diffProfiles, readProfileStream, renderToString } from '../pipeline';

/** What the server asks for: a listing's summary, a report, or the diff of two profiles (paths checked by the server). */
export type ServeRequest =
  | { readonly op: 'summary'; readonly path: string; readonly name: string }
  | { readonly op: 'report'; readonly path: string; readonly name: string }
  | { readonly op: 'diff'; readonly before: { path: string; name: string }; readonly after: { path: string; name: string } };

export type ServeJob = ServeRequest & { readonly id: number };

export interface Summary {
  /** The importer that read it. */
  readonly kind: ImporterName;
  /** Seconds (pstats: the sum of own times) or samples. */
  readonly total: number;
  readonly unit: 'seconds' | 'samples';
  /** The function with the most own time, and that time. */
  readonly top: string;
  readonly topOwn: number;
}

export type ServeReply =
  | { readonly id: number; readonly ok: true; readonly summary?: Summary; readonly html?: Uint8Array }
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

async function summarize(path: string, name: string): Promise<Summary> {
  const profile = await loadStable(path, name);
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
    unit: profile.kind === 'callgraph' ? 'seconds' : 'samples',
    top: top < 0 ? '' : funcLabel(profile.kind === 'callgraph' ? funcKey(profile, top) : profile.funcs[top]),
    topOwn: top < 0 ? 0 : exact.tt[top],
  };
}

export async function handle(job: ServeJob): Promise<ServeReply> {
  try {
    if (job.op === 'summary') return { id: job.id, ok: true, summary: await summarize(job.path, job.name) };
    // Titled by the path under the served folder, which the listing shows.
    if (job.op === 'report') {
      const frames = buildFrames(await loadStable(job.path, job.name));
      return { id: job.id, ok: true, html: encoder.encode(renderToString(frames, { format: 'html', title: job.name })) };
    }
    const diff = diffProfiles(await loadStable(job.before.path, job.before.name), await loadStable(job.after.path, job.after.name));
    const html = renderToString(diff, { format: 'html', title: `${job.before.name} -> ${job.after.name}` });
    return { id: job.id, ok: true, html: encoder.encode(html) };
  } catch (err) {
    // Bad input is the user's to read; anything else is a bug, reported the same way here.
    const message = err instanceof FlameprofError ? err.message : `internal error: ${(err as Error).message}`;
    return { id: job.id, ok: false, error: message };
  }
}

if (parentPort !== null) {
  const port = parentPort;
  port.on('message', (job: ServeJob) => {
    void handle(job).then((reply) => port.postMessage(reply, reply.ok && reply.html !== undefined ? [reply.html.buffer as ArrayBuffer] : []));
  });
}
