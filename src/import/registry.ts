/**
 * Every input format, as one list: which importer reads an input (told from its content,
 * never its name: profiles arrive on stdin and under any name), what --input-format accepts,
 * and which files `flameprof serve` lists. Adding a format is one module and one line here.
 */
import { InputError, inFile } from '../errors';
import { fromSources, type Profile } from '../model/profile';
import { foldedImporter } from './folded';
import { firstNonBlank, isBinary, SNIFF_BYTES, textStart, type Importer, type ReadSettings } from './importer';
import { plopImporter } from './plop';
import { pprofImporter } from './pprof';
import { pstatsImporter } from './pstats';
import { pyinstrumentImporter } from './pyinstrument';
import { speedscopeImporter } from './speedscope';

/**
 * In the order they are asked: the first whose sniff says yes reads the input (pstats takes
 * any binary data after pprof; folded stacks take any text).
 */
export const IMPORTERS = [pprofImporter, pstatsImporter, speedscopeImporter, pyinstrumentImporter, plopImporter, foldedImporter] as const satisfies readonly Importer[];

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
    const reader = chosen(bytes, settings);
    return { ...fromSources(warningsNamed(reader.read(bytes, settings), name), [name]), format: reader.name };
  } catch (err) {
    throw named(err, name);
  }
}

/**
 * `readInput` of bytes that come in pieces (a file's, standard input's), unpacked as they come
 * when gzipped: a text format reads them as they come (TextSink), so that a gigabyte of folded
 * stacks costs the memory of its distinct stacks; a pstats dump is gathered whole.
 */
export async function readInputStream(source: AsyncIterable<Uint8Array>, name: string, settings: InputSettings): Promise<Profile> {
  try {
    const pieces = source[Symbol.asyncIterator]();
    // The start, to tell gzip by its magic number and then the format by the first bytes.
    let head = await gather(pieces, 2, []);
    let rest: AsyncIterator<Uint8Array> = pieces;
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      // Loaded only for gzip: node:stream costs every other start-up time.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { Readable } = require('node:stream') as typeof import('node:stream');
      const unpacked = Readable.from(prepend(head, pieces)).pipe(zlib().createGunzip());
      rest = unpacked[Symbol.asyncIterator]();
      head = new Uint8Array(0);
    }
    head = await gather(rest, SNIFF_BYTES + 4, [head]);
    if (head.length === 0) throw new InputError('empty input');
    const reader = chosen(head, settings);
    let profile: Profile;
    if (reader.stream !== undefined) {
      const sink = reader.stream(settings);
      const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
      sink.write(text.decode(head, { stream: true }));
      for (let r = await rest.next(); !r.done; r = await rest.next()) sink.write(text.decode(r.value, { stream: true }));
      sink.write(text.decode());
      profile = sink.end();
    } else {
      const all = [head];
      let size = head.length;
      for (let r = await rest.next(); !r.done; r = await rest.next()) {
        size += r.value.length;
        if (size > MAX_GUNZIPPED) throw new InputError(`a dump bigger than ${MAX_GUNZIPPED / 2 ** 20} MB`);
        all.push(r.value);
      }
      profile = reader.read(Buffer.concat(all), settings);
    }
    return { ...fromSources(warningsNamed(profile, name), [name]), format: reader.name };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' || (err as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
      throw named(new InputError(`broken gzip data (${(err as Error).message.replace(/^.*?: /, '')})`), name);
    }
    throw named(err, name);
  }
}

/** The importer for these first bytes: the one `settings` names, or the first whose sniff says yes. */
function chosen(head: Uint8Array, settings: InputSettings): Importer {
  if (settings.inputFormat !== 'auto') return importer(settings.inputFormat as ImporterName);
  const found: Importer = importer(detectFormat(head));
  if (found.json !== true && looksLikeJson(head)) {
    throw new InputError(`not a profile flameprof reads: this is JSON text of another kind (flameprof reads ${IMPORTERS.map((i) => i.describe).join(', ')})`);
  }
  return found;
}

/** More pieces of `pieces` after `got`, until `n` bytes or the end: one array. */
async function gather(pieces: AsyncIterator<Uint8Array>, n: number, got: Uint8Array[]): Promise<Uint8Array> {
  let size = got.reduce((a, b) => a + b.length, 0);
  while (size < n) {
    const r = await pieces.next();
    if (r.done) break;
    got.push(r.value);
    size += r.value.length;
  }
  return got.length === 1 ? got[0] : Buffer.concat(got);
}

async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
}

/** An error of reading `name`, named: a script given where a profile goes says how to profile it. */
function named(err: unknown, name: string): unknown {
  if (err instanceof InputError && !err.message.startsWith(`${name}: `) && /\.pyw?$/i.test(name)) {
    return new InputError(`${name}: a Python script, not a profile: to profile it, run flameprof -r ${name}`);
  }
  return inFile(name, err);
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
    return zlib().gunzipSync(bytes, { maxOutputLength: MAX_GUNZIPPED });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw new InputError(`gzip data that unpacks to more than ${MAX_GUNZIPPED / 2 ** 20} MB`);
    throw new InputError(`broken gzip data (${e.message.replace(/^.*?: /, '')})`);
  }
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const zlib = (): typeof import('node:zlib') => require('node:zlib');

/** Warnings of a reader name the file they are about. */
function warningsNamed(p: Profile, name: string): Profile {
  if (p.kind !== 'sampled' || !p.warnings || p.warnings.length === 0) return p;
  return { ...p, warnings: p.warnings.map((w) => `${name}: ${w}`) };
}
