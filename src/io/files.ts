/**
 * Reading input files, with errors that say which file and what is wrong in one line.
 */
import { closeSync, openSync, readFileSync, readSync, statSync, type Stats } from 'node:fs';
import { FlameprofError, InputError } from '../errors';

/** A profile file's bytes. */
export function readInputFile(path: string): Buffer {
  inputStat(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new FlameprofError(`${path}: ${fsReason(err)}`);
  }
  // Empty bytes would read as empty folded stacks, but an empty *file* is nearly always a
  // profiler that died before writing: say so rather than draw an empty graph.
  if (bytes.length === 0) throw new InputError(`${path}: empty file`);
  return bytes;
}

/**
 * A profile file's bytes as they are read, in pieces of 1 MB, after the same checks as
 * readInputFile (no such file, a directory, an empty file).
 */
export function openInputFile(path: string): AsyncIterable<Uint8Array> {
  const st = inputStat(path);
  if (st.isFile() && st.size === 0) throw new InputError(`${path}: empty file`);
  return readPieces(path);
}

/** An input's stat, or the one line saying why it cannot be one: not there, unreadable, a directory. */
function inputStat(path: string): Stats {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    throw new FlameprofError(`${path}: ${fsReason(err)}`);
  }
  if (st.isDirectory()) throw new FlameprofError(`${path}: is a directory, expected a profile file`);
  return st;
}

/** A file's bytes in pieces of 1 MB (read directly: fs streams cost a small run's start-up time). */
export async function* readPieces(path: string): AsyncGenerator<Uint8Array> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new FlameprofError(`${path}: ${fsReason(err)}`);
  }
  try {
    for (;;) {
      const piece = Buffer.allocUnsafe(1 << 20);
      let n: number;
      try {
        n = readSync(fd, piece);
      } catch (err) {
        throw new FlameprofError(`${path}: ${fsReason(err)}`);
      }
      if (n === 0) return;
      yield piece.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** A file system error in a few plain words. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    default:
      return (err as Error).message;
  }
}
