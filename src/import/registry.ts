/**
 * Every input format, as one list: which importer reads an input (told from its content,
 * never its name: profiles arrive on stdin and under any name), what --input-format accepts,
 * and which files `flameprof serve` lists. Adding a format is one module and one line here.
 */
import { gunzipSync } from 'node:zlib';
import { InputError, inFile } from '../errors';
import { fromSources, type Profile } from '../model/profile';
import { foldedImporter } from './folded';
import { firstNonBlank, isBinary, textStart, type Importer, type ReadSettings } from './importer';
import { plopImporter } from './plop';
import { pstatsImporter } from './pstats';

/** In the order they are asked: the first whose sniff says yes reads the input (folded stacks take any text). */
export const IMPORTERS = [pstatsImporter, plopImporter, foldedImporter] as const satisfies readonly Importer[];

export type ImporterName = (typeof IMPORTERS)[number]['name'];
/** An input format, or 'auto': told from the content. */
export type InputFormat = 'auto' | ImporterName;
export const INPUT_FORMATS: readonly InputFormat[] = ['auto', ...IMPORTERS.map((i) => i.name)];

/** File names `flameprof serve` lists: every importer's endings, and `.gz` of them. */
export const PROFILE_FILE = new RegExp(`(${IMPORTERS.flatMap((i) => i.extensions.map((e) => e.replace(/\./g, '\\.'))).join('|')})(\\.gz)?$`, 'i');

/** The importer called `name`. */
export function importer(name: ImporterName): Importer {
  return IMPORTERS.find((i) => i.name === name)!;
}

/** Which importer reads these bytes (gunzipped). */
export function detectFormat(bytes: Uint8Array): ImporterName {
  return IMPORTERS.find((i) => i.sniff(bytes))!.name;
}

export interface InputSettings extends ReadSettings {
  readonly inputFormat: InputFormat;
}

/**
 * One input's bytes as a profile, read by the importer `settings.inputFormat` names or the
 * one its content calls for. `name` is where it came from ('stdin' for standard input): errors
 * and warnings start with it, and the profile's `sources` hold it.
 */
export function readInput(bytes: Uint8Array, name: string, settings: InputSettings): Profile {
  try {
    bytes = gunzipped(bytes);
    const auto = settings.inputFormat === 'auto';
    if (auto && looksLikeJson(bytes)) {
      throw new InputError(`not a profile: this is JSON text (flameprof reads ${IMPORTERS.map((i) => i.describe).join(', ')})`);
    }
    const profile = importer(auto ? detectFormat(bytes) : (settings.inputFormat as ImporterName)).read(bytes, settings);
    return fromSources(named(profile, name), [name]);
  } catch (err) {
    // A script given where a profile goes: say how to profile it.
    if (err instanceof InputError && /\.pyw?$/i.test(name)) throw new InputError(`${name}: a Python script, not a profile: to profile it, run flameprof -r ${name}`);
    throw inFile(name, err);
  }
}

/**
 * JSON (a speedscope file, a Chrome trace...) is text that would otherwise be read as a plop
 * dict or folded stacks and fail with a confusing message. plop keys are tuples, never
 * strings, so `{"` or a leading `[` cannot be plop.
 */
export function looksLikeJson(bytes: Uint8Array): boolean {
  // A marshalled list starts with '[' too, but holds NUL bytes.
  if (isBinary(bytes, 0)) return false;
  const start = textStart(bytes);
  const first = firstNonBlank(bytes, start);
  if (first === 0x5b /* [ */) return true;
  if (first !== 0x7b /* { */) return false;
  let i = start;
  while (bytes[i] !== 0x7b) i++;
  return firstNonBlank(bytes, i + 1) === 0x22 /* " */;
}

/**
 * A gzip-compressed input (`app.prof.gz`, common on CI) as the bytes it holds, told by its
 * magic number; anything else as it is. What it may unpack to is bounded, against a small
 * file that unpacks to gigabytes.
 */
export const MAX_GUNZIPPED = 1 << 30;

export function gunzipped(bytes: Uint8Array): Uint8Array {
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
function named(p: Profile, name: string): Profile {
  if (p.kind !== 'sampled' || !p.warnings || p.warnings.length === 0) return p;
  return { ...p, warnings: p.warnings.map((w) => `${name}: ${w}`) };
}
