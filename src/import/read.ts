/**
 * One input's bytes -> a profile, by the importer its format names (told from the content
 * unless the caller says).
 */
import { InputError, inFile } from '../errors';
import type { Profile, SampledProfile } from '../model/profile';
import type { InputFormat, Options } from '../options';
import { decodeText, detectFormat, looksLikeJson } from './detect';
import { readFolded } from './folded';
import { readPlop } from './plop';
import { readPstats } from './pstats';

/** How to read an input: its format ('auto': told from the content) and what to do with bad lines. */
export type ReadOptions = Partial<Pick<Options, 'inputFormat' | 'skipBadLines'>>;

/**
 * Read one input's bytes into a profile. `name` is used in error messages and warnings only.
 * `how` is the input format, or the options that say how to read (see `ReadOptions`).
 * Errors are `FlameprofError`s whose message starts with `name: `.
 */
export function readProfile(bytes: Uint8Array, name: string, how: InputFormat | ReadOptions = 'auto'): Profile {
  const opts = typeof how === 'string' ? { inputFormat: how } : how;
  const skipBadLines = opts.skipBadLines ?? false;
  try {
    const auto = !opts.inputFormat || opts.inputFormat === 'auto';
    if (auto && looksLikeJson(bytes)) {
      throw new InputError('not a profile: this is JSON text (flameprof reads pstats dumps, folded stacks and plop files)');
    }
    const format = auto ? detectFormat(bytes) : opts.inputFormat;
    switch (format) {
      case 'pstats':
        return readPstats(bytes);
      case 'folded':
        return named(readFolded(decodeText(bytes), { skipBadLines }), name);
      case 'plop':
        return named(readPlop(decodeText(bytes), { skipBadLines }), name);
      default:
        throw new InputError(`unknown input format '${String(format)}'`);
    }
  } catch (err) {
    throw inFile(name, err);
  }
}

/** Warnings of a reader name the file they are about. */
function named(p: SampledProfile, name: string): SampledProfile {
  if (!p.warnings || p.warnings.length === 0) return p;
  return { ...p, warnings: p.warnings.map((w) => `${name}: ${w}`) };
}
