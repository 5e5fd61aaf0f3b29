/**
 * Output files: written to a temporary file beside the target and renamed over it once
 * whole, so that a failed run never leaves a half-written or clobbered file.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FlameprofError } from '../errors';
import { fsReason } from './files';

/** Write every chunk to `fd`; writeSync may write less than asked (a disk filling up). */
function writeAll(fd: number, chunks: Iterable<Uint8Array>): void {
  for (const chunk of chunks) {
    for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off);
  }
}

/**
 * Write `chunks` to a temporary file beside `path`, and rename it over `path` once it is
 * whole. The chunks may be views of one reused buffer: each is written before the next is asked for.
 */
export function writeAtomically(path: string, chunks: Iterable<Uint8Array>): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (err) {
    throw new FlameprofError(`${path}: cannot write: ${fsReason(err)}`);
  }
  try {
    writeAll(fd, chunks);
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

class ClosedPipe extends Error {}

/** Stream chunks with backpressure; a reader that goes away (`| head`) ends us quietly. */
export async function writeStream(out: NodeJS.WritableStream, chunks: Iterable<Uint8Array>): Promise<void> {
  let closed = false;
  const onError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') closed = true;
  };
  out.on('error', onError);
  try {
    for (const c of chunks) {
      if (closed) throw new ClosedPipe();
      if (!out.write(c)) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            out.off('drain', done);
            out.off('error', done);
            out.off('close', done);
            resolve();
          };
          out.once('drain', done);
          out.once('error', done);
          out.once('close', done);
        });
      }
    }
  } catch (err) {
    if (!(err instanceof ClosedPipe)) throw err;
  }
}
