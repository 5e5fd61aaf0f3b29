/**
 * Writing output: files never half-written nor clobbered, streams whose failures are told.
 *
 * A regular file (or a new one) is written to a temporary file beside it, created
 * exclusively under an unpredictable name without following links, then renamed over it
 * once whole, keeping the old file's permission bits. A symlink's target is what gets
 * replaced; devices and FIFOs are written straight into. SIGINT, SIGTERM or SIGHUP while
 * writing remove the temporary file, then end us by the same signal.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  lstatSync,
  openSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FlameprofError } from '../errors';
import { fsReason } from './files';

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** A signal that arrived while writing: the write stops at the next chunk. */
class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(signal);
  }
}

/**
 * Write `chunks` to `path` (see the module comment). The chunks may be views of one reused
 * buffer: each is written before the next is asked for. Resolves once the file is in place;
 * rejects with a FlameprofError naming `path` if it cannot be written, or with the
 * renderer's own error.
 */
export async function writeOutput(path: string, chunks: Iterable<Uint8Array>): Promise<void> {
  const target = followLinks(path);
  const st = statOrUndefined(target, path);
  if (st?.isDirectory()) throw new FlameprofError(`${path}: cannot write: is a directory`);
  if (st !== undefined && !st.isFile()) {
    await guarded(undefined, (stop) => writeInto(path, target, chunks, stop));
    return;
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomName()}.tmp`);
  await guarded(tmp, async (stop) => {
    let fd: number;
    try {
      fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
    } catch (err) {
      throw new FlameprofError(`${path}: cannot write: ${folderReason(err, dirname(path))}`);
    }
    try {
      if (st !== undefined) keepOwnership(fd, st);
      await writeAll(fd, chunks, stop, path);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(tmp, target);
    } catch (err) {
      throw new FlameprofError(`${path}: cannot write: ${fsReason(err)}`);
    }
  });
}

/** 16 random hex digits, with node:crypto loaded only by runs that write a file. */
function randomName(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('node:crypto') as typeof import('node:crypto')).randomBytes(8).toString('hex');
}

/** The file a path names once its symlinks are followed (the path itself if it is none). */
function followLinks(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let st: Stats;
    try {
      st = lstatSync(p);
    } catch {
      return p;
    }
    if (!st.isSymbolicLink()) return p;
    p = resolve(dirname(p), readlinkSync(p));
  }
  throw new FlameprofError(`${path}: cannot write: too many levels of symbolic links`);
}

/** Why a file in `folder` cannot be made: naming the folder when it is the folder that is missing. */
function folderReason(err: unknown, folder: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `the folder ${folder} does not exist`;
  if (code === 'ENOTDIR') return `${folder} is not a folder`;
  return fsReason(err);
}

function statOrUndefined(target: string, path: string): Stats | undefined {
  try {
    return statSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FlameprofError(`${path}: cannot write: ${folderReason(err, dirname(path))}`);
  }
}

/** The replacement keeps the old file's permission bits, and its owner where we may set it. */
function keepOwnership(fd: number, st: Stats): void {
  fchmodSync(fd, st.mode & 0o7777);
  if (process.getuid?.() === 0) {
    try {
      fchownSync(fd, st.uid, st.gid);
    } catch {
      // a file system without owners
    }
  }
}

/** A device or FIFO: written into as it is (opening a FIFO waits for its reader). */
async function writeInto(path: string, target: string, chunks: Iterable<Uint8Array>, stop: () => void): Promise<void> {
  let fd: number;
  try {
    fd = openSync(target, constants.O_WRONLY | constants.O_NOFOLLOW);
  } catch (err) {
    throw new FlameprofError(`${path}: cannot write: ${fsReason(err)}`);
  }
  try {
    await writeAll(fd, chunks, stop, path);
  } finally {
    closeSync(fd);
  }
}

/**
 * Every chunk, with a turn of the event loop between chunks so that a signal's handler
 * can run; writeSync may write less than asked (a disk filling up).
 */
async function writeAll(fd: number, chunks: Iterable<Uint8Array>, stop: () => void, path: string): Promise<void> {
  for (const chunk of chunks) {
    try {
      for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
    } catch (err) {
      throw new FlameprofError(`${path}: cannot write: ${fsReason(err)}`);
    }
    await new Promise<void>((done) => setImmediate(done));
    stop();
  }
}

/**
 * Run `write` with SIGINT, SIGTERM and SIGHUP caught: on one, the write stops, `tmp` (if any)
 * is removed, and the signal is raised again with its default action, so that we end as
 * any program killed by it does (exit status 128 + n). On an error, `tmp` is removed too.
 */
async function guarded(tmp: string | undefined, write: (stop: () => void) => Promise<void>): Promise<void> {
  let caught: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    caught ??= sig;
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  const stop = (): void => {
    if (caught !== undefined) throw new Interrupted(caught);
  };
  try {
    await write(stop);
  } catch (err) {
    if (tmp !== undefined) {
      try {
        unlinkSync(tmp);
      } catch {
        // never created, or already renamed
      }
    }
    if (!(err instanceof Interrupted)) throw err;
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal);
  }
  if (caught !== undefined) {
    process.kill(process.pid, caught);
    // The default action ends us before this promise settles.
    await new Promise(() => {});
  }
}

/**
 * Stream chunks, each once the one before it is written (the stream's own backpressure). A
 * reader that goes away (`| head`) ends us quietly; any other failure (a full disk behind
 * `>`) is a FlameprofError naming standard output.
 */
export async function writeStream(out: NodeJS.WritableStream, chunks: Iterable<Uint8Array>, name = 'standard output'): Promise<void> {
  let failed: NodeJS.ErrnoException | null | undefined;
  // The write's callback has its error; the stream emits it as 'error' too, which must be heard.
  const onError = (err: NodeJS.ErrnoException): void => {
    failed ??= err;
  };
  out.on('error', onError);
  try {
    for (const c of chunks) {
      await new Promise<void>((done) => {
        out.write(c, (err) => {
          failed ??= err;
          done();
        });
      });
      if (failed) break;
    }
    // An error is emitted after the write's callback has run.
    await new Promise<void>((done) => setImmediate(done));
  } finally {
    out.off('error', onError);
  }
  if (failed && failed.code !== 'EPIPE') throw new FlameprofError(`${name}: cannot write: ${fsReason(failed)}`);
}
