/**
 * Output written as bytes into one reusable buffer, handed out in chunks.
 *
 * Text is encoded once (constants per process, names per function), integers go out by a
 * digit loop and coordinates as fixed-point decimals, straight into a buffer: several times
 * faster than building strings and encoding them.
 *
 * The `put*` functions take the buffer's DataView and a position and return the new
 * position, so that a renderer's per-frame code keeps both in locals. They never check for
 * room, and may write garbage past their end (a fragment up to 3 bytes, as it goes out four
 * bytes at a time; a coordinate the trailing zeros it dropped): call `ByteWriter.ensure`
 * with an upper bound of what follows first.
 */

export interface ChunkOptions {
  /** A chunk is handed out once it holds this many bytes (at the end of the frame or line that passes it). */
  readonly chunkSize?: number;
  /**
   * Hand out views of one buffer that the next chunk overwrites, instead of a fresh copy of
   * each chunk: for a consumer that is done with a chunk before it asks for the next (a
   * synchronous write). New memory for every chunk costs as much again as writing it.
   */
  readonly reuse?: boolean;
}

/**
 * 256 KiB: a quarter of the system calls of 64 KiB chunks makes writing 10 MB ~25 % faster
 * (3.1 against 4.3 ms), and the buffer still fits in a core's cache.
 */
export const DEFAULT_CHUNK_SIZE = 1 << 18;

/** Room past the chunk size, so that growing is for outsized frames and lines only. */
const SLACK = 1 << 14;

function chunkLimit(opts: ChunkOptions): number {
  return Math.max(1, opts.chunkSize ?? DEFAULT_CHUNK_SIZE);
}

const encoder = new TextEncoder();

/** `s` as UTF-8 (lone surrogates become U+FFFD, as every Node writer does). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

const decoder = new TextDecoder();

/** Chunks back into one string (small outputs and tests). */
export function decodeChunks(chunks: Iterable<Uint8Array>): string {
  let s = '';
  for (const c of chunks) s += decoder.decode(c, { stream: true });
  return s + decoder.decode();
}

export class ByteWriter {
  /** Write at `pos` through `dv` (or `buf`) after `ensure`; both change when the buffer grows. */
  buf: Uint8Array;
  dv: DataView;
  pos = 0;
  /** A chunk is handed out once `pos` reaches this. */
  readonly limit: number;
  private readonly reuse: boolean;

  constructor(opts: ChunkOptions = {}) {
    this.limit = chunkLimit(opts);
    this.reuse = opts.reuse === true;
    this.buf = new Uint8Array(this.limit + SLACK);
    this.dv = new DataView(this.buf.buffer);
  }

  /** Time to hand out a chunk. */
  get full(): boolean {
    return this.pos >= this.limit;
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(n);
  }

  private grow(n: number): void {
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n + SLACK));
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.dv = new DataView(bigger.buffer);
  }

  /** What has been written since the last chunk; the next chunk starts over at the beginning. */
  take(): Uint8Array {
    const n = this.pos;
    this.pos = 0;
    return this.reuse ? this.buf.subarray(0, n) : this.buf.slice(0, n);
  }

  /** Any text, encoded now (for what is written once per render, not per frame). */
  text(s: string): void {
    this.ensure(s.length * 3);
    this.pos += encoder.encodeInto(s, this.buf.subarray(this.pos)).written;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

/**
 * Encoded text to be written four bytes at a time: a copy call costs as much as ~20 bytes
 * stored one by one, and most of a frame is short pieces between numbers.
 */
export interface Fragment {
  /** The bytes as 32-bit words, the last one padded. */
  readonly words: Int32Array;
  readonly length: number;
}

/** Whether this machine stores words little-endian: fragments are words as the machine stores them. */
const NATIVE_LE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Fragments are views of shared pools, so that thousands of names per render are not
 * thousands of ArrayBuffers: each costs more to allocate and collect than the name itself.
 */
const POOL_WORDS = 1 << 16;
let pool = new Int32Array(POOL_WORDS);
let poolBytes = new Uint8Array(pool.buffer);
let poolUsed = 0;

export function fragment(text: string): Fragment {
  // Room for the longest encoding (3 bytes per UTF-16 unit), in whole words.
  const most = (text.length * 3 + 3) >> 2;
  if (poolUsed + most > pool.length) {
    pool = new Int32Array(Math.max(POOL_WORDS, most));
    poolBytes = new Uint8Array(pool.buffer);
    poolUsed = 0;
  }
  const length = encoder.encodeInto(text, poolBytes.subarray(poolUsed * 4, (poolUsed + most) * 4)).written;
  const n = (length + 3) >> 2;
  const words = pool.subarray(poolUsed, poolUsed + n);
  poolUsed += n;
  return { words, length };
}

export function putFragment(dv: DataView, pos: number, f: Fragment): number {
  const words = f.words;
  for (let k = 0; k < words.length; k++) dv.setInt32(pos + k * 4, words[k], NATIVE_LE);
  return pos + f.length;
}

/** The first `n` bytes of a fragment (a name cut to fit its box). */
export function putFragmentPrefix(dv: DataView, pos: number, f: Fragment, n: number): number {
  const words = f.words;
  const end = (n + 3) >> 2;
  for (let k = 0; k < end; k++) dv.setInt32(pos + k * 4, words[k], NATIVE_LE);
  return pos + n;
}

/** A string known to be ASCII (numbers from the slow paths): one byte per code unit. */
export function putAscii(dv: DataView, pos: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) dv.setUint8(pos + i, s.charCodeAt(i));
  return pos + n;
}

/** '00' to '99' as little-endian 16-bit words: two digits per store. */
const PAIRS = Uint16Array.from({ length: 100 }, (_, n) => (48 + ((n / 10) | 0)) | ((48 + (n % 10)) << 8));

/**
 * '0000' to '9999' as little-endian 32-bit words: four digits per store and per division,
 * which halves the steps of the nine-decimal coordinates and of the slow tiers' work too
 * (a fresh process runs its first ~10,000 frames there). 40 KB, built at first load.
 */
const QUADS = Uint32Array.from(
  { length: 10000 },
  (_, n) => PAIRS[(n / 100) | 0] | (PAIRS[n % 100] << 16),
);

/** Decimal digits of an integer in [0, 2^31). */
function digitCount(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/** `width` digits of `n` (in [0, 2^31)), zero-padded on the left. */
export function putPadded(dv: DataView, pos: number, n: number, width: number): number {
  let p = pos + width;
  while (p - pos >= 4) {
    const q = (n / 10000) | 0;
    p -= 4;
    dv.setUint32(p, QUADS[n - q * 10000], true);
    n = q;
  }
  if (p - pos >= 2) {
    const q = (n / 100) | 0;
    p -= 2;
    dv.setUint16(p, PAIRS[n - q * 100], true);
    n = q;
  }
  if (p > pos) dv.setUint8(pos, 48 + n);
  return pos + width;
}

/** An integer in [0, 2^31) (the caller checks). */
export function putUint(dv: DataView, pos: number, n: number): number {
  return putPadded(dv, pos, n, digitCount(n));
}

const INT_MAX = 0x7fffffff;

/** A number as `String(n)` writes it, fast for the non-negative integers that counts are. */
export function putNumber(dv: DataView, pos: number, n: number): number {
  // -0 passes too, and goes out as "0", as String(-0) says.
  if (n >= 0 && n <= INT_MAX && (n | 0) === n) return putUint(dv, pos, n);
  return putAscii(dv, pos, String(n));
}

/**
 * Decimals of coordinates: within 5e-10 px of the exact value, where the reference
 * comparison needs 1e-6 px and zooming into a 1 px frame magnifies errors ~1,000 times.
 */
export const DECIMALS = 9;
const SCALE = 10 ** DECIMALS;

/**
 * A pixel coordinate, to `DECIMALS` decimals with trailing zeros dropped (`4`, `12.5`,
 * `3.141592654`). Values out of the fast range (negative, huge, NaN) as `String(v)`.
 */
export function putFixed(dv: DataView, pos: number, v: number): number {
  if (!(v >= 0 && v < INT_MAX)) return putAscii(dv, pos, String(v));
  const whole = Math.floor(v);
  return putDecimal(dv, pos, whole, Math.round((v - whole) * SCALE));
}

/**
 * `putFixed` of `values[i]`. Hot code passes its doubles in a Float64Array: a double
 * passed to a function that the compiler does not inline is boxed, one allocation per
 * number per frame, and the garbage collector then costs as much as the formatting.
 */
export function putFixedOf(dv: DataView, pos: number, values: Float64Array, i: number): number {
  const v = values[i];
  if (!(v >= 0 && v < INT_MAX)) return putAscii(dv, pos, String(v));
  const whole = Math.floor(v);
  return putDecimal(dv, pos, whole, Math.round((v - whole) * SCALE));
}

/** `whole` then `frac` / SCALE as decimals, trailing zeros dropped (both in [0, 2^31), frac at most SCALE). */
function putDecimal(dv: DataView, pos: number, whole: number, frac: number): number {
  if (frac >= SCALE) {
    whole++;
    frac = 0;
  }
  pos = putUint(dv, pos, whole);
  if (frac === 0) return pos;
  dv.setUint8(pos, 46); // '.'
  // All the decimals, then back over the trailing zeros (frac is not 0: a digit stops it).
  let end = putPadded(dv, pos + 1, frac, DECIMALS);
  while (dv.getUint8(end - 1) === 48) end--;
  return end;
}

/** Upper bound of what one `putFixed` or `putNumber` writes (`String` of any double). */
export const NUMBER_MAX = 25;
