/**
 * The SVG's frames: one `<g>` per frame, written as bytes (./bytes.ts) into the renderer's
 * buffer, with what every frame of a function or a row repeats encoded once.
 */
import { FrameColumns, GUESSED, FRAME_COLORS, type Frame, type FrameSet } from '../frames/frame-set';
import { formatPercent } from '../model/pynum';
import {
  ByteWriter,
  NUMBER_MAX,
  fragment,
  putAscii,
  putFixed,
  putFixedOf,
  putFragment,
  putFragmentPrefix,
  putNumber,
  putPadded,
  putUint,
  type Fragment,
} from './bytes';
import { Colorizer } from './colour';
import { columnBox, rowY, type Box, type Layout } from './layout';
import type { SvgOptions } from './renderer';
import { CELL_WIDTH, fitLabel, isWide } from './text';
import { escapeXml } from './xml';

/**
 * Frames of both sections written into a scratch buffer and thrown away, before the real
 * ones. The optimizing compiler takes the code paths seen so far as the only ones: with
 * the flame section first, the inverted section's paths (own time, callers) were unseen,
 * and its first frame threw every hot function back to the slow tiers until recompiled,
 * ~15 ms of a fresh process's render. A few dozen frames of each record them all.
 */
export function primeFrames(fw: FrameWriter, flameList: FrameColumns, invertedList: FrameColumns): void {
  const w = new ByteWriter({ chunkSize: 1 << 12, reuse: true });
  for (let round = 0; round < PRIME_ROUNDS; round++) {
    for (const flame of [true, false]) {
      const list = flame ? flameList : invertedList;
      const end = Math.min(list.length, PRIME_FRAMES);
      for (let i = 0; i < end; ) {
        i = fw.writeFrames(w, list, i, end, flame);
        if (w.full) w.take();
      }
    }
  }
}

/**
 * putSix (and integers) once down each path, so that the compiler has seen them all: a path first
 * taken after optimization (a tie, an exponent one off at a power of ten, a small negative)
 * threw putSix back to the slow tiers, twice per fresh render of 145,000 frames.
 */
export function primeNumbers(): void {
  const dv = new DataView(new ArrayBuffer(NUMBER_MAX + 8));
  const values = new Float64Array(1);
  // Feedback is recorded only once a function has run for a while: the first calls teach nothing.
  for (let round = 0; round < 16; round++) {
    for (const v of PRIME_VALUES) {
      values[0] = v;
      putSix(dv, 0, values, 0);
    }
    // Integers of every length: a count of six digits or more first met late did the same to frame.
    for (let n = 7; n < 2 ** 31; n *= 10) putNumber(dv, 0, n);
  }
}

const PRIME_VALUES = [
  3, 0.25, -0.000123456, 1.2345e-9, 4.5e-20, 1e300, 123.4565, 0.099999999, 0.0999999, 99999.9, 0.00000123, 0.0012, 120000.5,
  12.5, 1.5e-7, 3.25e-11,
];

const PRIME_ROUNDS = 2;
const PRIME_FRAMES = 16;


/** What every frame of one function repeats, escaped and encoded once per render. */
export interface FuncBytes {
  /** `"`, then ` data-n="..."` for a name holding ':', then `><title>LABEL ` (the label escaped). */
  readonly head: Fragment;
  /** The name for `<text>`, made when a frame of the function first shows it. */
  name: NameBytes | undefined;
  /** `" height="H" fill="rgb(...)"/></g>\n`, by colour (index into FRAME_COLORS), made on first use. */
  readonly fills: Array<Fragment | undefined>;
  /** The same, then `<text x="` instead of `</g>\n`, for frames that show a label. */
  readonly fillsText: Array<Fragment | undefined>;
  /** With FRAME_MAX, room enough for any frame of the function: head and the longest escaped name. */
  readonly size: number;
}

/** Per section and level (see FrameWriter.row). */
export interface LevelBytes {
  /** `<g class="f" data-l="LEVEL` */
  readonly open: Fragment;
  /** `" y="Y" width="` */
  readonly yWidth: Fragment;
  /** `" y="TEXT_Y">` */
  readonly textY: Fragment;
}

export interface NameBytes {
  /** The escaped name, then `</text></g>\n`. */
  readonly text: Fragment;
  /**
   * When every code unit of the name is a character one cell wide, the bytes of the escaped
   * name's first k characters at [k], so a name cut to fit its box is a prefix of `text`;
   * otherwise undefined, and `fitLabel` cuts it.
   */
  readonly cut: Int32Array | undefined;
}

/**
 * More than a frame writes besides its function's bytes: ~250 bytes of markup, a dozen
 * numbers of at most NUMBER_MAX bytes, a fill, and a percentage that is long only for
 * absurd shares (`formatPercent` of 1e300 spells out 300 digits).
 */
export const FRAME_MAX = 1024 + 12 * NUMBER_MAX + 320;

/** Slots of a frame's coordinates (FrameWriter.coords). */
const X = 0;
const W = 1;
const RAW_W = 2;
const TEXT_X = 3;
const AVAIL = 4;


/** A function's head (FuncBytes.head), around its escaped label. */
const QUOTE = '"';
const DATA_N = ' data-n="';
const TITLE = '><title>';
const SPACE = ' ';

const DATA_W = fragment('" data-w="');
const DASH = fragment(' &#8212; ');
const RECT_X = fragment('</title><rect x="');
const CUT_END = fragment('..</text></g>\n');
const G_END_TEXT = fragment('</text></g>\n');

/** Per frame set being rendered (a render is 100,000s of frames of a few 1,000 functions). */
export class FrameWriter {
  private readonly funcs: Array<FuncBytes | undefined> = [];
  private readonly colors: Colorizer;
  private readonly fillBytes = new Map<string, Fragment>();
  private readonly box: Box = { x: 0, y: 0, w: 0, rawW: 0 };
  private readonly flameRows: Array<LevelBytes | undefined> = [];
  private readonly invertedRows: Array<LevelBytes | undefined> = [];
  private readonly scratch = new DataView(new ArrayBuffer(NUMBER_MAX + 8));
  private readonly total: number;
  private readonly samples: boolean;
  readonly details: Details;
  /** Between a frame's left edge and its label. */
  readonly pad: number;
  /** One cell, as `fitLabel` computes it. */
  readonly cellPx: number;

  /** The frame's coordinates and the room for its label, by the slots X, Y, ... (see putFixedOf for why). */
  private readonly coords = new Float64Array(5);

  constructor(
    private readonly frames: FrameSet,
    readonly opts: SvgOptions,
    private readonly layout: Layout,
    unit: string,
  ) {
    this.colors = new Colorizer(opts.colors);
    this.total = frames.total;
    this.samples = frames.unit === 'samples' || frames.fromStacks === true;
    this.details = details(unit);
    this.pad = opts.rowHeight / 6;
    this.cellPx = opts.fontSize * CELL_WIDTH;
  }

  func(i: number): FuncBytes {
    return this.funcs[i] ?? this.makeFunc(i);
  }

  private makeFunc(i: number): FuncBytes {
    const fn = this.frames.funcs[i];
    const head = fragment(`${QUOTE}${nameLength(fn.key.name)}${TITLE}${escapeXml(fn.label)}${SPACE}`);
    // Escaping makes at most 6 bytes of a code unit (`&quot;`).
    const fb: FuncBytes = { head, name: undefined, fills: [], fillsText: [], size: head.length + 6 * fn.key.name.length + 16 };
    this.funcs[i] = fb;
    return fb;
  }

  /**
   * Frames `from` to `to` of a section, until the writer is full: returns where it stopped.
   * The loop lives here rather than in the generator, which is not optimized as well and
   * would be compiled anew for each section.
   */
  writeFrames(w: ByteWriter, list: FrameColumns, from: number, to: number, flame: boolean): number {
    let i = from;
    while (i < to) {
      const fb = this.func(list.func[i]);
      w.ensure(FRAME_MAX + fb.size);
      w.pos = this.frame(w.dv, w.pos, list, i++, flame, fb);
      if (w.full) break;
    }
    return i;
  }

  /**
   * `<g class="f" data-l data-w?><title>LABEL P% &#8212; details</title><rect/>[<text/>]</g>`.
   * data-w (the unclamped width) only where the width was clamped to 1 px: the viewer takes
   * width + 1 otherwise. The dash is a character reference, keeping frames of ASCII names ASCII.
   */
  frame(dv: DataView, pos: number, fs: FrameColumns, i: number, flame: boolean, fb: FuncBytes): number {
    const box = columnBox(fs, i, flame, this.layout, this.opts, this.total, this.box);
    const lb = this.row(fs.level[i], flame);
    const c = this.coords;
    c[X] = box.x;
    c[W] = box.w;
    c[RAW_W] = box.rawW;
    c[TEXT_X] = box.x + this.pad;
    const avail = box.w - this.pad - 2;
    c[AVAIL] = avail;
    const cells = Math.floor(avail / this.cellPx);
    pos = putFragment(dv, pos, lb.open);
    if (box.w !== box.rawW - 1) {
      pos = putFragment(dv, pos, DATA_W);
      pos = putFixedOf(dv, pos, c, RAW_W);
    }
    pos = putFragment(dv, pos, fb.head);
    pos = putShare(dv, pos, fs, i, flame, this.total);
    pos = putFragment(dv, pos, DASH);
    const paint = this.opts.paint;
    // A differential graph's tooltips and fills are its own (render/diff.ts).
    if (paint !== undefined) pos = putFragment(dv, pos, fragment(escapeXml(paint.details(flame, i))));
    else pos = putDetails(dv, pos, fs, i, flame, this.samples, this.details);
    pos = putFragment(dv, pos, RECT_X);
    pos = putFixedOf(dv, pos, c, X);
    pos = putFragment(dv, pos, lb.yWidth);
    pos = putFixedOf(dv, pos, c, W);
    const text = cells >= 3;
    const fill = paint === undefined ? this.fill(fs.color[i], fs.func[i], fb, text) : this.fillFragment(paint.fill(flame, i), text);
    if (!text) return putFragment(dv, pos, fill);
    pos = putFragment(dv, pos, fill);
    pos = putFixedOf(dv, pos, c, TEXT_X);
    pos = putFragment(dv, pos, lb.textY);
    return this.putName(dv, pos, fs.func[i], fb, cells);
  }

  /**
   * A row's fixed bytes: y and the text's y depend on the section and level only, so they
   * are formatted once per row rather than twice per frame.
   */
  row(level: number, flame: boolean): LevelBytes {
    const rows = flame ? this.flameRows : this.invertedRows;
    return rows[level] ?? this.makeRow(rows, level, flame);
  }

  private makeRow(rows: Array<LevelBytes | undefined>, level: number, flame: boolean): LevelBytes {
    const [open, yWidth, textY] = this.rowTexts(level, flame);
    const lb: LevelBytes = { open: fragment(open), yWidth: fragment(yWidth), textY: fragment(textY) };
    rows[level] = lb;
    return lb;
  }

  /** A level's LevelBytes as text, in their order (all ASCII). */
  private rowTexts(level: number, flame: boolean): [string, string, string] {
    const y = rowY(level, flame, this.layout, this.opts);
    const num = (v: number): string => {
      const end = putFixed(this.scratch, 0, v);
      return String.fromCharCode(...new Uint8Array(this.scratch.buffer, 0, end));
    };
    return [`<g class="f" data-l="${level}`, `" y="${num(y)}" width="`, `" y="${num(y + this.opts.rowHeight / 2)}">`];
  }

  private fill(c: number, func: number, fb: FuncBytes, text: boolean): Fragment {
    const fills = text ? fb.fillsText : fb.fills;
    let bytes = fills[c];
    if (bytes === undefined) {
      const fn = this.frames.funcs[func];
      bytes = this.fillFragment(this.colors.fill(fn.label, FRAME_COLORS[c], fn.key.file), text);
      fills[c] = bytes;
    }
    return bytes;
  }

  /**
   * `" height="H" fill="FILL"/>`, then `<text x="` for a frame that shows a label, else the
   * end of the frame. A few dozen colours for 1,000s of functions: made once each.
   */
  private fillFragment(fill: string, text: boolean): Fragment {
    const key = text ? `t${fill}` : fill;
    let bytes = this.fillBytes.get(key);
    if (bytes === undefined) {
      bytes = fragment(this.fillText(fill, text));
      this.fillBytes.set(key, bytes);
    }
    return bytes;
  }

  /** fillFragment's text (ASCII). */
  private fillText(fill: string, text: boolean): string {
    return `" height="${this.opts.rowHeight - 1}" fill="${fill}"/>${text ? '<text x="' : '</g>\n'}`;
  }

  /** The name, or as much of it as fits in `cells`, then the end of the frame. */
  private putName(dv: DataView, pos: number, func: number, fb: FuncBytes, cells: number): number {
    const name = this.frames.funcs[func].key.name;
    const nb = this.name(func, fb);
    if (nb.cut !== undefined) {
      if (name.length <= cells) return putFragment(dv, pos, nb.text);
      pos = putFragmentPrefix(dv, pos, nb.text, nb.cut[cells - 2]);
      return putFragment(dv, pos, CUT_END);
    }
    const label = fitLabel(name, this.coords[AVAIL], this.opts.fontSize);
    if (label === name) return putFragment(dv, pos, nb.text);
    // A cut name with wide characters or surrogate pairs: rare enough to encode per frame.
    pos = putFragment(dv, pos, fragment(escapeXml(label)));
    return putFragment(dv, pos, G_END_TEXT);
  }

  /** The name's bytes for `<text>`, made when a frame of the function first shows it. */
  name(func: number, fb: FuncBytes = this.func(func)): NameBytes {
    return fb.name ?? this.makeName(this.frames.funcs[func].key.name, fb);
  }

  private makeName(name: string, fb: FuncBytes): NameBytes {
    let cut: Int32Array | undefined = new Int32Array(name.length + 1);
    for (let k = 0; k < name.length; k++) {
      const c = name.charCodeAt(k);
      // Surrogates (two units, one character) and wide characters: fitLabel counts them.
      if ((c >= 0xd800 && c <= 0xdfff) || isWide(c)) {
        cut = undefined;
        break;
      }
      cut[k + 1] = cut[k] + escapedLength(c);
    }
    fb.name = { text: fragment(`${escapeXml(name)}</text></g>\n`), cut };
    return fb.name;
  }
}


/** Each ASCII character as escapeXml escapes it, encoded (`&` is 5 bytes: `&amp;`). */
const ASCII_ESCAPES: readonly Fragment[] = Array.from({ length: 128 }, (_, c) => fragment(escapeXml(String.fromCharCode(c))));

/** Bytes of one UTF-16 code unit (not a surrogate) once escaped by escapeXml and encoded. */
function escapedLength(c: number): number {
  // Above ASCII only U+FFFE and U+FFFF are replaced, by U+FFFD: three bytes either way.
  return c < 0x80 ? ASCII_ESCAPES[c].length : c < 0x800 ? 2 : 3;
}

/**
 * The viewer takes a frame's name from the end of its label; only a name that holds a ':'
 * needs its length spelled out (rare, so it costs nothing per frame in practice).
 */
function nameLength(name: string): string {
  return name.includes(':') ? `${DATA_N}${name.length}${QUOTE}` : '';
}

/**
 * The reference's tooltip (`label P%`), then what the numbers are. In the flame section the
 * percentage is cumulative time; in the inverted one, own time, as flameprof shows them.
 * The same writers as the SVG's `<title>`s (which escape the label and spell the dash as a
 * character reference), as text.
 */
export function tooltip(f: Frame, section: 'flame' | 'inverted', frames: Pick<FrameSet, 'funcs' | 'total' | 'unit' | 'fromStacks'>, unit: string): string {
  const buf = new Uint8Array(FRAME_MAX);
  const dv = new DataView(buf.buffer);
  const flame = section === 'flame';
  const one = FrameColumns.from([f]);
  const share = putShare(dv, 0, one, 0, flame, frames.total);
  const end = putDetails(dv, share, one, 0, flame, frames.unit === 'samples' || frames.fromStacks === true, details(unit));
  const ascii = (from: number, to: number): string => String.fromCharCode(...buf.subarray(from, to));
  return `${frames.funcs[f.func].label} ${ascii(0, share)} — ${ascii(share, end)}`;
}

/**
 * The tooltip's percentage, as pynum's formatPercent (Python's '{:.2%}') writes it: from
 * one exact scaling to hundredths, unless within rounding noise of a tie (Python rounds
 * those half to even on the exact value: formatPercent knows how).
 */
function putShare(dv: DataView, pos: number, fs: FrameColumns, i: number, flame: boolean, total: number): number {
  const x = (flame ? fs.ct[i] : fs.tt[i]) / total;
  const v = x * 100;
  const m = v * 100;
  if (m >= 0 && m < 1e9) {
    const whole = Math.floor(m);
    const d = m - whole - 0.5;
    if (d < -1e-6 || d > 1e-6) {
      const n = d > 0 ? whole + 1 : whole;
      const cents = n % 100;
      pos = putUint(dv, pos, (n - cents) / 100);
      dv.setUint8(pos++, 46); // '.'
      pos = putPadded(dv, pos, cents, 2);
      dv.setUint8(pos, 37); // '%'
      return pos + 1;
    }
  }
  return putAscii(dv, pos, formatPercent(x));
}

/** The fixed words of the tooltip details for one unit. */
export interface Details {
  readonly unitCum: Fragment;
  readonly unitEnd: Fragment;
  readonly unitComma: Fragment;
  readonly unitThose: Fragment;
}

export function details(unit: string): Details {
  return {
    unitCum: fragment(` ${unit}, cumulative `),
    unitEnd: fragment(` ${unit}`),
    unitComma: fragment(` ${unit}, `),
    unitThose: fragment(` ${unit} in those calls`),
  };
}

const CALL = fragment(' call');
const CALLS = fragment(' calls');
const PRIMITIVE_OPEN = fragment(' (');
const PRIMITIVE_CLOSE = fragment(' primitive)');
const COMMA_OWN = fragment(', own ');
const OWN = fragment('own ');
const CALLS_IT = fragment('calls it: ');
const ESTIMATED = fragment(' (estimated by call share)');
const COMMA = fragment(', ');
const IN_ITSELF = fragment(' in the function itself');
const IN_ITSELF_OF = fragment(' in the function itself, of ');
const IT_IS_IN = fragment(' it is in');
const VIA_CALLER = fragment(' via this caller');

/**
 * The tooltip after the dash: what the numbers are. Numbers and fixed words only, never
 * profile text: frames write it unescaped.
 */
function putDetails(dv: DataView, pos: number, fs: FrameColumns, i: number, flame: boolean, samples: boolean, d: Details): number {
  const level = fs.level[i];
  if (samples) {
    // Whole stacks: sample counts (or a pstats dump's estimated seconds), and no call counts.
    pos = putSix(dv, pos, flame ? fs.ct : fs.tt, i);
    pos = putFragment(dv, pos, d.unitEnd);
    if (flame) {
      pos = putFragment(dv, pos, COMMA);
      pos = putSix(dv, pos, fs.tt, i);
      return putFragment(dv, pos, IN_ITSELF);
    }
    if (level !== 0) return putFragment(dv, pos, VIA_CALLER);
    pos = putFragment(dv, pos, IN_ITSELF_OF);
    pos = putSix(dv, pos, fs.ct, i);
    return putFragment(dv, pos, IT_IS_IN);
  }
  if (flame) {
    pos = putCalls(dv, pos, fs, i);
    pos = putFragment(dv, pos, COMMA_OWN);
    pos = putTimes(dv, pos, fs, i, d);
    pos = putFragment(dv, pos, d.unitEnd);
    return fs.color[i] === GUESSED ? putFragment(dv, pos, ESTIMATED) : pos;
  }
  if (level === 0) {
    pos = putFragment(dv, pos, OWN);
    pos = putTimes(dv, pos, fs, i, d);
    pos = putFragment(dv, pos, d.unitComma);
    return putCalls(dv, pos, fs, i);
  }
  pos = putFragment(dv, pos, CALLS_IT);
  pos = putCalls(dv, pos, fs, i);
  pos = putFragment(dv, pos, COMMA_OWN);
  pos = putTimes(dv, pos, fs, i, d);
  return putFragment(dv, pos, d.unitThose);
}

/** `N calls` or `1 call`, then ` (M primitive)` when that differs. */
function putCalls(dv: DataView, pos: number, fs: FrameColumns, i: number): number {
  const nc = fs.nc[i];
  const cc = fs.cc[i];
  pos = putNumber(dv, pos, nc);
  pos = putFragment(dv, pos, nc === 1 ? CALL : CALLS);
  if (cc === nc) return pos;
  pos = putFragment(dv, pos, PRIMITIVE_OPEN);
  pos = putNumber(dv, pos, cc);
  return putFragment(dv, pos, PRIMITIVE_CLOSE);
}

/** `TT s, cumulative CT` (the unit after CT is the caller's). */
function putTimes(dv: DataView, pos: number, fs: FrameColumns, i: number, d: Details): number {
  pos = putSix(dv, pos, fs.tt, i);
  pos = putFragment(dv, pos, d.unitCum);
  return putSix(dv, pos, fs.ct, i);
}

/**
 * 6 significant digits of `values[i]` (an array and an index: a double passed to a call the
 * compiler does not inline is boxed, see putFixedOf), exactly as `String(Number(x.toPrecision(6)))` writes
 * them (three conversions, twice per frame). From 1e-15 to 1e6 the digits come from one
 * scaling by a power of ten (held exactly) and the point or exponent is placed by hand;
 * within rounding noise of a tie or of a power of ten, and outside that range, the slow way
 * decides.
 */
function putSix(dv: DataView, pos: number, values: Float64Array, i: number): number {
  const x = values[i];
  if (Number.isInteger(x)) return putNumber(dv, pos, x);
  const a = x < 0 ? -x : x;
  if (!(a >= 1e-15 && a < 999999.5)) return putAscii(dv, pos, slowNum(x));
  // The decimal exponent, by comparison; one off at a power of ten is corrected below.
  let e: number;
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
    for (let p = 1e-7; a < p && e > -15; p /= 10) e--;
  }
  let m = a * POW10[5 - e]; // six digits before the point
  if (m < 99999.5) {
    if (m > 99999.49) return putAscii(dv, pos, slowNum(x));
    e--;
    m = a * POW10[5 - e];
  } else if (m > 999999.49) {
    if (m < 999999.51) return putAscii(dv, pos, slowNum(x));
    e++;
    m = a * POW10[5 - e];
  }
  if (!(m >= 99999.51 && m <= 999999.49) || e > 5) return putAscii(dv, pos, slowNum(x));
  const whole = Math.floor(m);
  const d = m - whole - 0.5;
  if (d > -1e-6 && d < 1e-6) return putAscii(dv, pos, slowNum(x));
  // Six digits (100000 to 999999), less their trailing zeros: `len` digits.
  let n = d > 0 ? whole + 1 : whole;
  let len = 6;
  while (n % 10 === 0) {
    n /= 10;
    len--;
  }
  if (x < 0) dv.setUint8(pos++, 45); // '-'
  if (e < -6) {
    // d.ddddde-N
    const p = POW10[len - 1];
    const first = Math.floor(n / p);
    dv.setUint8(pos++, 48 + first);
    if (len > 1) {
      dv.setUint8(pos++, 46);
      pos = putPadded(dv, pos, n - first * p, len - 1);
    }
    dv.setUint8(pos++, 101); // 'e'
    dv.setUint8(pos++, 45);
    return putUint(dv, pos, -e);
  }
  if (e < 0) {
    // 0.000ddd
    dv.setUint8(pos++, 48);
    dv.setUint8(pos++, 46);
    for (let z = -e - 1; z > 0; z--) dv.setUint8(pos++, 48);
    return putPadded(dv, pos, n, len);
  }
  if (len <= e + 1) {
    // ddd000
    pos = putPadded(dv, pos, n, len);
    for (let z = e + 1 - len; z > 0; z--) dv.setUint8(pos++, 48);
    return pos;
  }
  // dd.ddd
  const p = POW10[len - e - 1];
  const hi = Math.floor(n / p);
  pos = putPadded(dv, pos, hi, e + 1);
  dv.setUint8(pos++, 46);
  return putPadded(dv, pos, n - hi * p, len - e - 1);
}

function slowNum(x: number): string {
  return String(Number(x.toPrecision(6)));
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20];
