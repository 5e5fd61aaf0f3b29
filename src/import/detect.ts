/**
 * Which reader an input needs, told from its bytes (never from the file name: profiles
 * arrive on stdin and under any name).
 *
 * - A pstats dump is one marshalled dict: its first byte is 0xFB (`{` flagged as a
 *   reference, Python 3.4+) or `{` (Python 2 and old Python 3), and as binary data it
 *   holds NUL bytes early on (every length and int is little-endian int32), except for an
 *   empty dict, `{0`;
 * - a plop `.plop` file is a Python literal dict: text whose first character is `{`;
 * - other text is folded stacks (flamegraph.pl input, our --format=log, plop's `.flame`),
 *   also when empty or blank: it renders as an empty graph;
 * - other binary data (NUL bytes, or not UTF-8) goes to the pstats reader, which says
 *   what it is not.
 */
export type DetectedFormat = 'pstats' | 'folded' | 'plop';

/** How much of the start of the input is looked at. */
const SNIFF = 4096;

export function detectFormat(bytes: Uint8Array): DetectedFormat {
  if (bytes[0] === 0xfb) return 'pstats';
  if (bytes[0] === 0x7b) {
    if (bytes.length === 2 && bytes[1] === 0x30) return 'pstats';
    return isBinary(bytes, 0) ? 'pstats' : 'plop';
  }
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 byte order mark
  if (isBinary(bytes, i)) return 'pstats';
  while (i < bytes.length && isBlank(bytes[i])) i++;
  return bytes[i] === 0x7b ? 'plop' : 'folded';
}

/**
 * JSON (a speedscope file, a Chrome trace...) is text that would otherwise be read as a plop
 * dict or folded stacks and fail with a confusing message. plop keys are tuples, never
 * strings, so `{"` or a leading `[` cannot be plop.
 */
export function looksLikeJson(bytes: Uint8Array): boolean {
  // A marshalled list starts with '[' too, but holds NUL bytes.
  if (isBinary(bytes, 0)) return false;
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && isBlank(bytes[i])) i++;
  if (bytes[i] === 0x5b /* [ */) return true;
  if (bytes[i] !== 0x7b /* { */) return false;
  i++;
  while (i < bytes.length && isBlank(bytes[i])) i++;
  return bytes[i] === 0x22 /* " */;
}

function isBlank(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c;
}

/**
 * Binary means a NUL byte or bytes that are not UTF-8, as far as we look (a multi-byte
 * character cut off at the end of the window is fine). Other control characters can be in
 * a text file's names: the text readers escape them in messages and the SVG.
 */
function isBinary(bytes: Uint8Array, start: number): boolean {
  const end = Math.min(bytes.length, start + SNIFF);
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
