/**
 * One input's bytes -> a profile, by the importer its format names (told from the content
 * unless the caller says).
 */
import { gunzipSync } from 'node:zlib';
import { InputError, inFile } from '../errors';
import type { Profile, SampledProfile } from '../model/profile';
import { DEFAULT_OPTIONS, type InputFormat, type Options } from '../options';
import { decodeText, detectFormat, looksLikeJson } from './detect';
import { readFolded } from './folded';
import { readPlop } from './plop';
import { readPstats } from './pstats';

/** How to read an input: its format ('auto': told from the content) and what to do with bad lines. */
export type ReadOptions = Partial<Pick<Options, 'inputFormat' | 'skipBadLines' | 'maxDepth'>>;

/**
 * Read one input's bytes into a profile. `name` is used in error messages and warnings only.
 * `how` is the input format, or the options that say how to read (see `ReadOptions`).
 * Errors are `FlameprofError`s whose message starts with `name: `.
 */
export function readProfile(bytes: Uint8Array, name: string, how: InputFormat | ReadOptions = 'auto'): Profile {
  const opts = typeof how === 'string' ? { inputFormat: how } : how;
  const text = { skipBadLines: opts.skipBadLines ?? false, maxDepth: opts.maxDepth ?? DEFAULT_OPTIONS.maxDepth };
  try {
    bytes = gunzipped(bytes);
    const auto = !opts.inputFormat || opts.inputFormat === 'auto';
    if (auto && looksLikeJson(bytes)) {
      throw new InputError('not a profile: this is JSON text (flameprof reads pstats dumps, folded stacks and plop files)');
    }
    const format = auto ? detectFormat(bytes) : opts.inputFormat;
    switch (format) {
      case 'pstats':
        return readPstats(bytes);
      case 'folded':
        return named(readFolded(decodeText(bytes), text), name);
      case 'plop':
        return named(readPlop(decodeText(bytes), text), name);
      default:
        throw new InputError(`unknown input format '${String(format)}'`);
    }
  } catch (err) {
    throw inFile(name, err);
  }
}

/**
 * A gzip-compressed input (`app.prof.gz`, common on CI) as the bytes it holds, told by its
 * magic number; anything else as it is. What it may unpack to is bounded, against a small
 * file that unpacks to gigabytes.
 */
export const MAX_GUNZIPPED = 1 << 30;

function gunzipped(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_GUNZIPPED });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw new InputError(`gzip data that unpacks to more than ${MAX_GUNZIPPED / 2 ** 20} MB`);
    throw new InputError(`broken gzip data (${e.message.replace(/^.*?: /, '')})`);
  }
}

/** Warnings of a reader name the file they are about. */
function named(p: SampledProfile, name: string): SampledProfile {
  if (!p.warnings || p.warnings.length === 0) return p;
  return { ...p, warnings: p.warnings.map((w) => `${name}: ${w}`) };
}
