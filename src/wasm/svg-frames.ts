/**
 * The SVG renderer's per-frame writer, in AssemblyScript, compiled to WebAssembly by the
 * build (scripts/build.js). It writes exactly the bytes of FrameWriter.frame in
 * src/render/svg-frames.ts, which stays the reference and the fallback. The native addon
 * (src/native/svg-frames.c) is this module in C, function for function: change both.
 *
 * Why: a fresh process spends half of a big render warming up JavaScript (its first
 * ~5,000 frames run in the interpreter at 5-8 µs each while the optimizing compiler
 * catches up). WebAssembly is compiled before it runs, so the first frame is as fast as
 * the last.
 *
 * It knows no words: the markup's fragments, the units' words, each ASCII character's
 * escape and every function's label and name (UTF-16) are written into memory by
 * src/render/svg-frames-compiled.ts, which also says where everything is. A function's record
 * is made from its label and name when a frame first needs it. A frame that needs what
 * only JavaScript has (a number out of range, a name with wide characters that must be
 * cut, more room than the buffer has) stops the loop, and the caller writes that frame
 * with the JavaScript writer.
 *
 * Memory (all offsets in bytes; the layout below DATA_END is ours, the rest the caller's):
 * a fragment slot is two u32s, offset and length; fragments may be read up to 7 bytes past
 * their end and are written 8 bytes at a time, so the output must have room past a frame.
 */

/** Digit tables, built by `init`. */
const PAIRS: u32 = 1024; // '00'..'99' as u16
const QUADS: u32 = PAIRS + 200; // '0000'..'9999' as u32
const POW10: u32 = QUADS + 40000; // 1e0..1e20 as f64
const SHA_W: u32 = POW10 + 21 * 8; // SHA-1's message schedule, 80 u32
export const DATA_END: u32 = SHA_W + 80 * 4;

/** What `frame` returns for a frame to be written by the JavaScript writer. */
const SLOW: u32 = 0;

/** Fixed fragments, by slot number (the caller writes them in this order). */
const C_DATA_W = 0;
const C_DASH = 1;
const C_RECT_X = 2;
const C_CUT_END = 3;
const C_CALL = 4;
const C_CALLS = 5;
const C_PRIMITIVE_OPEN = 6;
const C_PRIMITIVE_CLOSE = 7;
const C_COMMA_OWN = 8;
const C_OWN = 9;
const C_CALLS_IT = 10;
const C_ESTIMATED = 11;
const C_SAMPLES = 12;
const C_COMMA = 13;
const C_IN_ITSELF = 14;
const C_IN_ITSELF_OF = 15;
const C_IT_IS_IN = 16;
const C_VIA_CALLER = 17;
const C_UNIT_CUM = 18;
const C_UNIT_END = 19;
const C_UNIT_COMMA = 20;
const C_UNIT_THOSE = 21;
const C_QUOTE = 22;
const C_DATA_N = 23;
const C_TITLE = 24;
const C_SPACE = 25;
const C_TEXT_END = 26;

/** A function's record (FUNC_RECORD bytes), by field offset. */
const F_READY = 0; // u32: 0 until prepared
const F_HEAD = 4; // slot: `"[ data-n]><title>LABEL `
const F_TEXT = 12; // slot: the escaped name, then `</text></g>\n`
const F_CUT = 20; // u32: offset of the cut table (i32 per prefix length), 0 if none
const F_UNITS = 24; // u32: UTF-16 code units of the name
const F_SIZE = 28; // u32: room the function's own fragments may need
const F_SHARE = 32; // f64: where the label's hash falls in a palette, [0, 1)
export const FUNC_RECORD: u32 = 40;

/** Where a function's text is (the caller's table, by function): u32 fields. */
const T_LABEL = 0; // offset of the label's UTF-16 units
const T_LABEL_UNITS = 4;
const T_NAME = 8; // offset of the name's units (often the label's tail)
const T_NAME_UNITS = 12;
const T_DATA_N = 16; // 1 if the name holds a ':' (the frame carries data-n)
export const TEXT_RECORD: u32 = 20;

/** A row's record, by section and level: three slots. */
const L_OPEN = 0;
const L_Y_WIDTH = 8;
const L_TEXT_Y = 16;
export const LEVEL_RECORD: u32 = 24;

const INT_MAX: f64 = 2147483647;
/** Most a frame writes besides its function's fragments (FRAME_MAX in svg-frames.ts). */
const FRAME_MAX: u32 = 1024 + 12 * 25 + 320;

// Set by `configure`, per render.
let width: f64 = 0;
let total: f64 = 0;
let pad: f64 = 0;
let cellPx: f64 = 0;
let samples: bool = false;
let constants: u32 = 0;
let fills: u32 = 0;
let funcs: u32 = 0;
let flameLevels: u32 = 0;
let invLevels: u32 = 0;
/** 128 slots: each ASCII character as escapeXml escapes it, encoded. */
let asciiEscapes: u32 = 0;
/** TEXT_RECORD per function: where its label and name are. */
let texts: u32 = 0;
/** Room for a label's UTF-8 to be hashed: 3 bytes a unit of the longest, and 72 more. */
let scratch: u32 = 0;
/** Next free byte for the fragments of functions (`prepare`), 8-aligned. */
let heap: u32 = 0;

// Set by `section`: the columns being written (see FrameColumns).
let cLevel: u32 = 0;
let cFunc: u32 = 0;
let cColor: u32 = 0;
let cX: u32 = 0;
let cW: u32 = 0;
let cCc: u32 = 0;
let cNc: u32 = 0;
let cTt: u32 = 0;
let cCt: u32 = 0;

// Results of `writeFrames`.
let outPos: u32 = 0;

export function init(): void {
  for (let n: u32 = 0; n < 100; n++) store<u16>(PAIRS + n * 2, (48 + n / 10) | ((48 + (n % 10)) << 8));
  for (let n: u32 = 0; n < 10000; n++) {
    store<u32>(QUADS + n * 4, <u32>load<u16>(PAIRS + (n / 100) * 2) | (<u32>load<u16>(PAIRS + (n % 100) * 2) << 16));
  }
  let p: f64 = 1;
  for (let k: u32 = 0; k <= 20; k++) {
    store<f64>(POW10 + k * 8, p);
    p *= 10; // exact up to 1e22
  }
}

/**
 * What a render holds constant: the scale (width over total), the text's padding and cell
 * width, whether counts are samples, and where the caller
 * put the fixed fragments, the fills ([colour class][palette index][with text] slots, after
 * the four palette lengths), the function records and the row records of each section.
 */
export function configure(
  width_: f64,
  total_: f64,
  pad_: f64,
  cellPx_: f64,
  samples_: bool,
  constants_: u32,
  fills_: u32,
  funcs_: u32,
  flameLevels_: u32,
  invLevels_: u32,
  asciiEscapes_: u32,
  texts_: u32,
  scratch_: u32,
  heap_: u32,
): void {
  width = width_;
  total = total_;
  pad = pad_;
  cellPx = cellPx_;
  samples = samples_;
  constants = constants_;
  fills = fills_;
  funcs = funcs_;
  flameLevels = flameLevels_;
  invLevels = invLevels_;
  asciiEscapes = asciiEscapes_;
  texts = texts_;
  scratch = scratch_;
  heap = heap_;
}

/**
 * A function's record (FuncBytes in svg-frames.ts), from its label and name as UTF-16 code
 * units: the escaped label for `<title>`, the escaped name for `<text>` with the bytes of
 * its every prefix, and its colour's share. Here because the same in JavaScript, five
 * thousand times in a fresh process, cost ~10 µs a function; and made here when a frame
 * first needs it, rather than by a call from JavaScript, which cost ~4 µs more.
 */
function prepare(func: u32): void {
  const rec = funcs + func * FUNC_RECORD;
  const text = texts + func * TEXT_RECORD;
  const label = load<u32>(text, T_LABEL);
  const labelUnits = load<u32>(text, T_LABEL_UNITS);
  const name = load<u32>(text, T_NAME);
  const nameUnits = load<u32>(text, T_NAME_UNITS);
  const dataN = load<u32>(text, T_DATA_N) != 0;
  let at = heap;
  let pos = putSlot(at, constant(C_QUOTE));
  if (dataN) {
    pos = putSlot(pos, constant(C_DATA_N));
    pos = putUint(pos, nameUnits);
    pos = putSlot(pos, constant(C_QUOTE));
  }
  pos = putSlot(pos, constant(C_TITLE));
  pos = putEscaped(pos, label, labelUnits);
  pos = putSlot(pos, constant(C_SPACE));
  const headLength = pos - at;
  store<u32>(rec, at, F_HEAD);
  store<u32>(rec, headLength, F_HEAD + 4);
  at = fragmentEnd(pos);
  pos = putEscaped(at, name, nameUnits);
  pos = putSlot(pos, constant(C_TEXT_END));
  store<u32>(rec, at, F_TEXT);
  store<u32>(rec, pos - at, F_TEXT + 4);
  at = fragmentEnd(pos);
  store<u32>(rec, cutTable(at, name, nameUnits) ? at : 0, F_CUT);
  heap = fragmentEnd(at + (nameUnits + 1) * 4);
  store<u32>(rec, nameUnits, F_UNITS);
  // Escaping makes at most 6 bytes of a code unit (`&quot;`).
  store<u32>(rec, headLength + 6 * nameUnits + 16, F_SIZE);
  store<f64>(rec, labelShare(scratch, putUtf8(scratch, label, labelUnits) - scratch), F_SHARE);
  store<u32>(rec, 1, F_READY);
}

/** Past a fragment ending at `pos`, with the 8 bytes that `putBytes` may read beyond it. */
@inline
function fragmentEnd(pos: u32): u32 {
  return ((pos + 7) & ~7) + 8;
}

/**
 * The bytes of the escaped name's first k characters at [k] (NameBytes.cut), at `at`;
 * false, and no table, if a unit is a surrogate or a wide character (fitLabel measures).
 */
function cutTable(at: u32, name: u32, units: u32): bool {
  let bytes: u32 = 0;
  store<u32>(at, 0);
  for (let k: u32 = 0; k < units; k++) {
    const c = <u32>load<u16>(name + k * 2);
    if ((c >= 0xd800 && c <= 0xdfff) || isWide(c)) return false;
    bytes += c < 0x80 ? load<u32>(asciiEscapes + c * 8, 4) : c < 0x800 ? 2 : 3;
    store<u32>(at + (k + 1) * 4, bytes);
  }
  return true;
}

/** layout.ts's isWide (test/svg-compiled.test.ts compares them at every code point). */
export function isWide(c: u32): bool {
  return (
    c >= 0x1100 &&
    (c <= 0x115f ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd))
  );
}

/**
 * UTF-16 units as escapeXml then UTF-8 make them: ASCII by the caller's table (escapeXml's
 * own output), lone surrogates and U+FFFE/U+FFFF as U+FFFD (xml.ts's INVALID).
 */
function putEscaped(pos: u32, s: u32, units: u32): u32 {
  for (let k: u32 = 0; k < units; k++) {
    const c = <u32>load<u16>(s + k * 2);
    if (c < 0x80) {
      pos = putSlot(pos, asciiEscapes + c * 8);
    } else if (c == 0xfffe || c == 0xffff) {
      pos = putCodePoint(pos, 0xfffd);
    } else {
      const pair = surrogatePair(s, k, units);
      if (pair != 0) k++;
      pos = putCodePoint(pos, pair != 0 ? pair : c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
    }
  }
  return pos;
}

/** UTF-16 units as UTF-8, lone surrogates as U+FFFD (as node:crypto and TextEncoder take strings). */
function putUtf8(pos: u32, s: u32, units: u32): u32 {
  for (let k: u32 = 0; k < units; k++) {
    const c = <u32>load<u16>(s + k * 2);
    if (c < 0x80) {
      pos = putByte(pos, c);
    } else {
      const pair = surrogatePair(s, k, units);
      if (pair != 0) k++;
      pos = putCodePoint(pos, pair != 0 ? pair : c >= 0xd800 && c <= 0xdfff ? 0xfffd : c);
    }
  }
  return pos;
}

/** The code point of a surrogate pair at unit k, or 0. */
@inline
function surrogatePair(s: u32, k: u32, units: u32): u32 {
  const c = <u32>load<u16>(s + k * 2);
  if (c < 0xd800 || c > 0xdbff || k + 1 >= units) return 0;
  const d = <u32>load<u16>(s + (k + 1) * 2);
  if (d < 0xdc00 || d > 0xdfff) return 0;
  return 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
}

/** A code point of U+0080 or above, in UTF-8. */
function putCodePoint(pos: u32, c: u32): u32 {
  if (c < 0x800) {
    pos = putByte(pos, 0xc0 | (c >> 6));
  } else {
    if (c < 0x10000) {
      pos = putByte(pos, 0xe0 | (c >> 12));
    } else {
      pos = putByte(pos, 0xf0 | (c >> 18));
      pos = putByte(pos, 0x80 | ((c >> 12) & 0x3f));
    }
    pos = putByte(pos, 0x80 | ((c >> 6) & 0x3f));
  }
  return putByte(pos, 0x80 | (c & 0x3f));
}

/** `labelShare` of UTF-16 units (for the frames that JavaScript writes). */
export function labelShare16(label: u32, units: u32): f64 {
  return labelShare(scratch, putUtf8(scratch, label, units) - scratch);
}

/** Where the section's columns are. */
export function section(level: u32, func: u32, color: u32, x: u32, w: u32, cc: u32, nc: u32, tt: u32, ct: u32): void {
  cLevel = level;
  cFunc = func;
  cColor = color;
  cX = x;
  cW = w;
  cCc = cc;
  cNc = nc;
  cTt = tt;
  cCt = ct;
}

export function position(): u32 {
  return outPos;
}

/**
 * Frames `from` to `to` of the current section, written from `pos` until `pos` reaches
 * `limit` or a frame needs JavaScript; never past `end`. Returns the next frame to write;
 * `position` is where its bytes go.
 */
export function writeFrames(from: u32, to: u32, flame: bool, pos: u32, limit: u32, end: u32): u32 {
  let i = from;
  while (i < to && pos < limit) {
    const next = frame(pos, i, flame, end);
    if (next == SLOW) break;
    pos = next;
    i++;
  }
  outPos = pos;
  return i;
}

/** One frame, as FrameWriter.frame writes it; SLOW if it must not be done here. */
function frame(pos: u32, i: u32, flame: bool, end: u32): u32 {
  const func = load<u32>(cFunc + i * 4);
  const rec = funcs + func * FUNC_RECORD;
  if (load<u32>(rec, F_READY) == 0) prepare(func);
  if (<u64>pos + FRAME_MAX + load<u32>(rec, F_SIZE) > <u64>end) return SLOW;

  const level = load<i32>(cLevel + i * 4);
  const x = (load<f64>(cX + i * 8) * width) / total;
  const rawW = (load<f64>(cW + i * 8) * width) / total;
  const w = Math.max(1, rawW - 1);
  const textX = x + pad;
  const avail = w - pad - 2;
  const cells = Math.floor(avail / cellPx);
  const row = (flame ? flameLevels : invLevels) + <u32>level * LEVEL_RECORD;
  const ct = load<f64>(cCt + i * 8);
  const tt = load<f64>(cTt + i * 8);
  const color = <u32>load<u8>(cColor + i);

  pos = putSlot(pos, row + L_OPEN);
  if (w != rawW - 1) {
    pos = putSlot(pos, constant(C_DATA_W));
    pos = putFixed(pos, rawW);
    if (pos == 0) return SLOW;
  }
  pos = putSlot(pos, rec + F_HEAD);
  pos = putShare(pos, flame ? ct : tt);
  if (pos == 0) return SLOW;
  pos = putSlot(pos, constant(C_DASH));
  pos = putDetails(pos, i, flame, level, color, ct, tt);
  if (pos == 0) return SLOW;
  pos = putSlot(pos, constant(C_RECT_X));
  pos = putFixed(pos, x);
  if (pos == 0) return SLOW;
  pos = putSlot(pos, row + L_Y_WIDTH);
  pos = putFixed(pos, w);
  if (pos == 0) return SLOW;
  const text = !(cells < 3);
  pos = putSlot(pos, fill(color, load<f64>(rec, F_SHARE), text));
  if (!text) return pos;
  pos = putFixed(pos, textX);
  if (pos == 0) return SLOW;
  pos = putSlot(pos, row + L_TEXT_Y);
  return putName(pos, rec, cells);
}

@inline
function constant(k: u32): u32 {
  return constants + k * 8;
}

/**
 * Where a label falls in a palette (Colorizer.share): the first 32 bits of the SHA-1 of its
 * `len` UTF-8 bytes at `msg`, over 2^32. The padding is written after the message: leave
 * 72 bytes of room there. Here rather than node:crypto, whose loading and per-call checks
 * cost a fresh process ~7 ms for 500 labels.
 */
export function labelShare(msg: u32, len: u32): f64 {
  let n = len;
  store<u8>(msg + n++, 0x80);
  while ((n & 63) != 56) store<u8>(msg + n++, 0);
  const bits = <u64>len * 8;
  store<u32>(msg + n, bswap<u32>(<u32>(bits >> 32)));
  store<u32>(msg + n + 4, bswap<u32>(<u32>bits));
  n += 8;
  let h0: u32 = 0x67452301;
  let h1: u32 = 0xefcdab89;
  let h2: u32 = 0x98badcfe;
  let h3: u32 = 0x10325476;
  let h4: u32 = 0xc3d2e1f0;
  for (let block: u32 = 0; block < n; block += 64) {
    for (let t: u32 = 0; t < 16; t++) store<u32>(SHA_W + t * 4, bswap<u32>(load<u32>(msg + block + t * 4)));
    for (let t: u32 = 16; t < 80; t++) {
      const x = load<u32>(SHA_W + (t - 3) * 4) ^ load<u32>(SHA_W + (t - 8) * 4) ^ load<u32>(SHA_W + (t - 14) * 4) ^ load<u32>(SHA_W + (t - 16) * 4);
      store<u32>(SHA_W + t * 4, rotl<u32>(x, 1));
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t: u32 = 0; t < 80; t++) {
      let f: u32;
      let k: u32;
      if (t < 20) {
        f = (b & c) | (~b & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = b ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (b & c) | (b & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d;
        k = 0xca62c1d6;
      }
      const next = rotl<u32>(a, 5) + f + e + k + load<u32>(SHA_W + t * 4);
      e = d;
      d = c;
      c = rotl<u32>(b, 30);
      b = a;
      a = next;
    }
    h0 += a;
    h1 += b;
    h2 += c;
    h3 += d;
    h4 += e;
  }
  return <f64>h0 / 4294967296;
}

/** The fill slot for a colour class and a label's share of the palette (Colorizer.fill). */
function fill(color: u32, share: f64, text: bool): u32 {
  const length = load<u32>(fills + color * 4);
  const index = <u32>Math.floor(<f64>length * share);
  return fills + 16 + ((color * 8 + index) * 2 + (text ? 1 : 0)) * 8;
}

/** The name whole, or cut to `cells` with "..": as putName in svg-frames.ts. */
function putName(pos: u32, rec: u32, cells: f64): u32 {
  const units = <f64>load<u32>(rec, F_UNITS);
  const cut = load<u32>(rec, F_CUT);
  if (cut == 0) {
    // Wide characters: fitLabel measures them, unless the box is wide enough for anything.
    if (units * 2 <= cells) return putSlot(pos, rec + F_TEXT);
    return SLOW;
  }
  if (units <= cells) return putSlot(pos, rec + F_TEXT);
  const n = load<u32>(cut + (<u32>cells - 2) * 4);
  pos = putBytes(pos, load<u32>(rec, F_TEXT), n);
  return putSlot(pos, constant(C_CUT_END));
}

@inline
function putSlot(pos: u32, slot: u32): u32 {
  return putBytes(pos, load<u32>(slot), load<u32>(slot, 4));
}

/** `n` bytes from `src`, 8 at a time (up to 7 more are read and written past the end). */
@inline
function putBytes(pos: u32, src: u32, n: u32): u32 {
  for (let k: u32 = 0; k < n; k += 8) store<u64>(pos + k, load<u64>(src + k));
  return pos + n;
}

@inline
function putByte(pos: u32, b: u32): u32 {
  store<u8>(pos, b);
  return pos + 1;
}

/**
 * The tooltip's percentage (putShare): Python's '{:.2%}', the exact value of x * 100 (a
 * double) rounded half to even. Near a tie the exact product decides, where the
 * JavaScript writer calls formatPercent. 0 out of range.
 */
function putShare(pos: u32, v: f64): u32 {
  const x = v / total;
  const pct = x * 100;
  const m = pct * 100;
  if (!(m >= 0 && m < 1e9)) return 0;
  const whole = Math.floor(m);
  let d = m - whole - 0.5;
  if (d > -1e-6 && d < 1e-6) {
    d += productError(pct, 100, m);
    if (d == 0) d = whole % 2 == 0 ? -1 : 1;
  }
  const n = <u32>(d > 0 ? whole + 1 : whole);
  const cents = n % 100;
  pos = putUint(pos, (n - cents) / 100);
  pos = putByte(pos, 46); // '.'
  pos = putPadded(pos, cents, 2);
  return putByte(pos, 37); // '%'
}

/** putDetails: what the numbers are; 0 where a number is off the fast paths. */
function putDetails(pos: u32, i: u32, flame: bool, level: i32, color: u32, ct: f64, tt: f64): u32 {
  if (samples) {
    pos = putSix(pos, flame ? ct : tt);
    if (pos == 0) return 0;
    pos = putSlot(pos, constant(C_SAMPLES));
    if (flame) {
      pos = putSlot(pos, constant(C_COMMA));
      pos = putSix(pos, tt);
      if (pos == 0) return 0;
      return putSlot(pos, constant(C_IN_ITSELF));
    }
    if (level != 0) return putSlot(pos, constant(C_VIA_CALLER));
    pos = putSlot(pos, constant(C_IN_ITSELF_OF));
    pos = putSix(pos, ct);
    if (pos == 0) return 0;
    return putSlot(pos, constant(C_IT_IS_IN));
  }
  if (flame) {
    pos = putCalls(pos, i);
    if (pos == 0) return 0;
    pos = putSlot(pos, constant(C_COMMA_OWN));
    pos = putTimes(pos, tt, ct);
    if (pos == 0) return 0;
    pos = putSlot(pos, constant(C_UNIT_END));
    return color == 1 ? putSlot(pos, constant(C_ESTIMATED)) : pos; // 1: GUESSED
  }
  if (level == 0) {
    pos = putSlot(pos, constant(C_OWN));
    pos = putTimes(pos, tt, ct);
    if (pos == 0) return 0;
    pos = putSlot(pos, constant(C_UNIT_COMMA));
    return putCalls(pos, i);
  }
  pos = putSlot(pos, constant(C_CALLS_IT));
  pos = putCalls(pos, i);
  if (pos == 0) return 0;
  pos = putSlot(pos, constant(C_COMMA_OWN));
  pos = putTimes(pos, tt, ct);
  if (pos == 0) return 0;
  return putSlot(pos, constant(C_UNIT_THOSE));
}

function putCalls(pos: u32, i: u32): u32 {
  const nc = load<f64>(cNc + i * 8);
  const cc = load<f64>(cCc + i * 8);
  pos = putCount(pos, nc);
  if (pos == 0) return 0;
  pos = putSlot(pos, constant(nc == 1 ? C_CALL : C_CALLS));
  if (cc == nc) return pos;
  pos = putSlot(pos, constant(C_PRIMITIVE_OPEN));
  pos = putCount(pos, cc);
  if (pos == 0) return 0;
  return putSlot(pos, constant(C_PRIMITIVE_CLOSE));
}

function putTimes(pos: u32, tt: f64, ct: f64): u32 {
  pos = putSix(pos, tt);
  if (pos == 0) return 0;
  pos = putSlot(pos, constant(C_UNIT_CUM));
  return putSix(pos, ct);
}

/** putNumber's fast path: an integer in [0, 2^31). */
function putCount(pos: u32, n: f64): u32 {
  if (!(n >= 0 && n <= INT_MAX) || Math.floor(n) != n) return 0;
  return putUint(pos, <u32>n);
}

/**
 * putSix: 6 significant digits as `String(Number(x.toPrecision(6)))`. Near a tie the
 * exact product decides, where the JavaScript writer calls toPrecision. 0 off the range
 * (and within rounding of a power of ten).
 */
function putSix(pos: u32, x: f64): u32 {
  if (Math.floor(x) == x) return putCount(pos, x);
  const a = Math.abs(x);
  if (!(a >= 1e-15 && a < 999999.5)) return 0;
  let e: i32;
  if (a >= 1e-6) {
    e =
      a >= 1
        ? a >= 1e3
          ? a >= 1e5 ? 5 : a >= 1e4 ? 4 : 3
          : a >= 100 ? 2 : a >= 10 ? 1 : 0
        : a >= 1e-3
          ? a >= 0.1 ? -1 : a >= 0.01 ? -2 : -3
          : a >= 1e-4 ? -4 : a >= 1e-5 ? -5 : -6;
  } else {
    e = -7;
    for (let p: f64 = 1e-7; a < p && e > -15; p /= 10) e--;
  }
  let m = a * pow10(5 - e);
  if (m < 99999.5) {
    if (m > 99999.49) return 0;
    e--;
    m = a * pow10(5 - e);
  } else if (m > 999999.49) {
    if (m < 999999.51) return 0;
    e++;
    m = a * pow10(5 - e);
  }
  if (!(m >= 99999.51 && m <= 999999.49) || e > 5) return 0;
  const whole = Math.floor(m);
  let d = m - whole - 0.5;
  if (d > -1e-6 && d < 1e-6) {
    // Near a tie: toPrecision rounds the exact value, half up; m is a rounded product.
    d += productError(a, pow10(5 - e), m);
    if (d == 0) d = 1;
  }
  let n = <u32>(d > 0 ? whole + 1 : whole);
  let len: i32 = 6;
  while (n % 10 == 0) {
    n /= 10;
    len--;
  }
  if (x < 0) pos = putByte(pos, 45); // '-'
  if (e < -6) {
    // d.ddddde-N
    const p = <u32>pow10(len - 1);
    const first = n / p;
    pos = putByte(pos, 48 + first);
    if (len > 1) {
      pos = putByte(pos, 46);
      pos = putPadded(pos, n - first * p, len - 1);
    }
    pos = putByte(pos, 101); // 'e'
    pos = putByte(pos, 45);
    return putUint(pos, <u32>-e);
  }
  if (e < 0) {
    // 0.000ddd
    pos = putByte(pos, 48);
    pos = putByte(pos, 46);
    for (let z = -e - 1; z > 0; z--) pos = putByte(pos, 48);
    return putPadded(pos, n, len);
  }
  if (len <= e + 1) {
    // ddd000
    pos = putPadded(pos, n, len);
    for (let z = e + 1 - len; z > 0; z--) pos = putByte(pos, 48);
    return pos;
  }
  // dd.ddd
  const p = <u32>pow10(len - e - 1);
  const hi = n / p;
  pos = putPadded(pos, hi, e + 1);
  pos = putByte(pos, 46);
  return putPadded(pos, n - hi * p, len - e - 1);
}

/**
 * What rounding took from a product: a * b == p + productError(a, b, p) exactly, for
 * p = a * b without overflow (Dekker's product, with Veltkamp's split; no fused multiply-add
 * in WebAssembly 1.0). The sign of `d + productError(...)` is exact too: a rounded sum is
 * zero only when the exact one is.
 */
function productError(a: f64, b: f64, p: f64): f64 {
  const SPLIT: f64 = 134217729; // 2^27 + 1
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

@inline
function pow10(k: i32): f64 {
  return load<f64>(POW10 + <u32>k * 8);
}

/** putFixed: a coordinate to nine decimals, trailing zeros dropped; 0 out of [0, 2^31). */
function putFixed(pos: u32, v: f64): u32 {
  if (!(v >= 0 && v < INT_MAX)) return 0;
  let whole = Math.floor(v);
  // Math.round, which rounds halves up (f64.nearest would round them to even).
  const scaled = (v - whole) * 1e9;
  let frac = Math.floor(scaled);
  if (scaled - frac >= 0.5) frac += 1;
  if (frac >= 1e9) {
    whole += 1;
    frac = 0;
  }
  pos = putUint(pos, <u32>whole);
  if (frac == 0) return pos;
  store<u8>(pos, 46); // '.'
  let end = putPadded(pos + 1, <u32>frac, 9);
  while (load<u8>(end - 1) == 48) end--;
  return end;
}

function digitCount(n: u32): u32 {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

function putUint(pos: u32, n: u32): u32 {
  return putPadded(pos, n, digitCount(n));
}

/** `width` digits of `n`, zero-padded on the left. */
function putPadded(pos: u32, n: u32, width: i32): u32 {
  let p = pos + <u32>width;
  while (p - pos >= 4) {
    const q = n / 10000;
    p -= 4;
    store<u32>(p, load<u32>(QUADS + (n - q * 10000) * 4));
    n = q;
  }
  if (p - pos >= 2) {
    const q = n / 100;
    p -= 2;
    store<u16>(p, load<u16>(PAIRS + (n - q * 100) * 2));
    n = q;
  }
  if (p > pos) store<u8>(pos, 48 + n);
  return pos + <u32>width;
}
