/**
 * What every input format provides, as speedscope's importers and inferno's collapsers do: a
 * name, a cheap sniff of its first bytes, and a reader into the model. `registry.ts` lists
 * them; detection, --input-format, and the files `flameprof serve` lists all come from there.
 */
import type { Profile } from '../model/profile';

/** How to read an input, past its format. */
export interface ReadSettings {
  /** Skip malformed lines of text inputs (counted in a warning) instead of failing on the first. */
  readonly skipBadLines: boolean;
  /** Fail at a stack deeper than this many frames. */
  readonly maxDepth: number;
  /** pprof: the sample type to read (default: the profile's default, else its last). */
  readonly sampleType?: string;
}

/**
 * A text format read as it comes, in pieces of any size (a gigabyte of folded stacks in a
 * gzip file never becomes one string): memory grows with what the profile holds, not with
 * the text.
 */
export interface TextSink {
  write(text: string): void;
  /** The profile, once the text has all come. */
  end(): Profile;
}

export interface Importer {
  /** What --input-format calls it. */
  readonly name: string;
  /** What it is, in a few words (--help, messages). */
  readonly describe: string;
  /** Endings of the file names `flameprof serve` lists as this format (lower case; `.gz` of them too). */
  readonly extensions: readonly string[];
  /**
   * Whether `head` (the start of the input, at most SNIFF_BYTES, gunzipped) is of this format.
   * Importers are asked in the registry's order; the first that says yes reads the input.
   */
  sniff(head: Uint8Array): boolean;
  /** The profile in `bytes`; errors are InputErrors saying what is wrong (the caller adds the file name). */
  read(bytes: Uint8Array, settings: ReadSettings): Profile;
  /** For text formats: a reader of the text in pieces, which `read` uses too. */
  stream?(settings: ReadSettings): TextSink;
  /** It reads JSON (other JSON is refused by name rather than misread as plop or folded text). */
  readonly json?: boolean;
}

/** Read all of a text at once through a format's sink (what `read` does for text formats). */
export function readWhole(sink: TextSink, bytes: Uint8Array): Profile {
  sink.write(decodeText(bytes));
  return sink.end();
}

/** How much of the start of an input a sniff sees. */
export const SNIFF_BYTES = 4096;

/** Where text starts: past a UTF-8 byte order mark. */
export function textStart(bytes: Uint8Array): number {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** The first byte past blanks from `i`, or -1. */
export function firstNonBlank(bytes: Uint8Array, i: number): number {
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x0c)) i++;
  return i < bytes.length ? bytes[i] : -1;
}

/**
 * Binary means a NUL byte or bytes that are not UTF-8, as far as we look (a multi-byte
 * character cut off at the end of the window is fine). Other control characters can be in
 * a text file's names: the text readers escape them in messages and the SVG.
 */
export function isBinary(bytes: Uint8Array, start: number): boolean {
  const end = Math.min(bytes.length, start + SNIFF_BYTES);
  for (let i = start; i < end; ) {
    const b = bytes[i];
    if (b < 0x80) {
      if (b === 0) return true;
      i++;
      continue;
    }
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return true;
    for (let k = 1; k <= n; k++) {
      if (i + k >= bytes.length) return false;
      if (i + k >= end) break;
      if ((bytes[i + k] & 0xc0) !== 0x80) return true;
    }
    i += n + 1;
  }
  return false;
}

/** Text inputs as a string: UTF-8 (a byte order mark is dropped), undecodable bytes as U+FFFD. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
}
