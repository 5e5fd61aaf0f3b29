/**
 * Output files: written to a temporary file and renamed over (no half-written output, ever),
 * chunk by chunk as the renderer hands them out, and where the native addon is, by its
 * write-behind thread while the renderer goes on to the next chunk.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { FlameprofError } from './errors';
import { fsReason } from './flameprof';
import { nativeAddon, type NativeAddon, type NativeWriter } from './native/addon';
import type { ChunkOptions } from './render/bytes';

/**
 * Buffers the renderer rotates through when writing behind: one being filled, three queued or
 * being written. A chunk takes ~0.3 ms to render and ~0.08 ms to write, so the thread keeps
 * up with room to spare; each buffer is 272 KB.
 */
const BEHIND_BUFFERS = 4;

/** Chunks into an open file descriptor, written behind the render where the addon can. */
export class ChunkWriter {
  /** The chunk options to render with: chunks are written while the renderer fills others. */
  readonly chunks: ChunkOptions;
  /** Whether a thread of the addon writes (else each chunk is written before `write` returns). */
  readonly behind: boolean;
  private readonly native: NativeAddon | null;
  private writer: NativeWriter | undefined;
  /** Memory lent to the renderer, freed once the thread is done with every chunk. */
  private lent: ArrayBuffer[] = [];

  constructor(private readonly fd: number) {
    const n = nativeAddon();
    this.native = n;
    // An addon built without threads (Windows) has no writerOpen.
    this.writer = typeof n?.writerOpen === 'function' ? n.writerOpen(fd) : undefined;
    this.behind = this.writer !== undefined;
    // Memory on huge pages for a big render, which Node would free only once the garbage
    // collector and then the event loop got to it: freed here as soon as it can be, so that
    // a caller writing many graphs in a synchronous loop does not pile it up.
    const lend =
      typeof n?.hugeMemory === 'function'
        ? (bytes: number): ArrayBuffer | undefined => {
            const m = n.hugeMemory!(bytes);
            if (m !== undefined) this.lent.push(m);
            return m;
          }
        : undefined;
    this.chunks = { reuse: this.behind ? BEHIND_BUFFERS : true, memory: lend };
  }

  /** Queue (or write) a chunk of what was rendered with `chunks`; throws the error of a failed write. */
  write(chunk: Uint8Array): void {
    if (this.writer !== undefined) {
      throwIfFailed(this.native!.writerPut(this.writer, chunk, BEHIND_BUFFERS - 1));
    } else {
      // writeSync may write less than asked (a full disk on the way to ENOSPC).
      for (let off = 0; off < chunk.length; ) off += writeSync(this.fd, chunk, off);
    }
  }

  /** Wait until every chunk is written, then free what `stop` frees; throws the error of a failed write. */
  finish(): void {
    throwIfFailed(this.stop());
  }

  /**
   * Wait until the thread is done with the file (before it is closed), and free the memory
   * lent to the renderer (whose chunks must not be used after); 0 or a failed write's errno.
   */
  stop(): number {
    const w = this.writer;
    this.writer = undefined;
    const errno = w === undefined ? 0 : this.native!.writerClose(w);
    for (const m of this.lent) this.native!.hugeMemoryFree(m);
    this.lent = [];
    return errno;
  }
}

/** An errno from the addon as the error that fs.writeSync would have thrown. */
function throwIfFailed(errno: number): void {
  if (errno === 0) return;
  const [code, description] = getSystemErrorMap().get(-errno) ?? ['EIO', 'i/o error'];
  throw Object.assign(new Error(`${code}: ${description}, write`), { code, errno: -errno, syscall: 'write' });
}

/**
 * Write what `produce` renders, with the chunk options it is given, to a temporary file beside
 * `path`, and rename it over `path` once it is whole.
 */
export function writeAtomically(path: string, produce: (chunks: ChunkOptions) => Iterable<Uint8Array>): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (err) {
    throw new FlameprofError(`${path}: cannot write: ${fsReason(err)}`);
  }
  const out = new ChunkWriter(fd);
  try {
    try {
      for (const c of produce(out.chunks)) out.write(c);
    } catch (err) {
      // This error says more than any the thread may have met since.
      out.stop();
      throw err;
    }
    out.finish();
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
  } catch (err) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    // Only the file system's errors are about writing; a renderer's error keeps its own words.
    if (typeof (err as NodeJS.ErrnoException).code !== 'string') throw err;
    throw new FlameprofError(`${path}: cannot write: ${fsReason(err)}`);
  }
}
