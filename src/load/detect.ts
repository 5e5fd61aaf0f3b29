/**
 * Which reader an input needs, told from its bytes (never from the file name: profiles
 * arrive on stdin and under any name).
 *
 * - pstats dumps are binary marshal data: a Python 3 dump starts with 0xFB, a Python 2
 *   one with `{(` followed by the key tuple's length as a little-endian int32, whose zero
 *   bytes no text file has;
 * - a plop `.plop` file is a Python literal dict: text whose first character is `{`;
 * - anything else that is text is folded stacks (flamegraph.pl input, our --format=log,
 *   plop's `.flame`), and so is an empty or blank input: it renders as an empty graph.
 */
export type DetectedFormat = 'pstats' | 'folded' | 'plop';

/** How much of the start of the input is looked at. */
const SNIFF = 4096;

export function detectFormat(bytes: Uint8Array): DetectedFormat {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 byte order mark
  if (!looksLikeText(bytes, i)) return 'pstats';
  // The only text a marshal dump can be: an empty dict ("{0" in Python 2).
  if (bytes.length === 2 && bytes[0] === 0x7b && bytes[1] === 0x30) return 'pstats';
  while (i < bytes.length && isBlank(bytes[i])) i++;
  return bytes[i] === 0x7b ? 'plop' : 'folded';
}

function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c;
}

/**
 * Text means: no control characters but blanks, and valid UTF-8 as far as we look (a
 * multi-byte character cut off at the end of the window is fine).
 */
function looksLikeText(bytes: Uint8Array, start: number): boolean {
  const end = Math.min(bytes.length, start + SNIFF);
  for (let i = start; i < end; ) {
    const b = bytes[i];
    if (b < 0x80) {
      if ((b < 0x20 && !isBlank(b)) || b === 0x7f) return false;
      i++;
      continue;
    }
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return false;
    for (let k = 1; k <= n; k++) {
      if (i + k >= bytes.length) return true;
      if (i + k >= end) break;
      if ((bytes[i + k] & 0xc0) !== 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

/** Text inputs as a string: UTF-8 (a byte order mark is dropped), undecodable bytes as U+FFFD. */
export function decodeText(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: false }).decode(bytes);
}
