/**
 * Reading input files, with errors that say which file and what is wrong in one line.
 */
import { readFileSync, statSync } from 'node:fs';
import { FlameprofError, InputError } from '../errors';

/** A profile file's bytes. */
export function readInputFile(path: string): Buffer {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    throw new FlameprofError(`${path}: ${fsReason(err)}`);
  }
  if (st.isDirectory()) throw new FlameprofError(`${path}: is a directory, expected a profile file`);
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
