/**
 * A decoder for Python's `marshal` format, as far as pstats dumps need it and a little
 * beyond: every data type code of Python 2.7 and Python 3 (marshal versions 0 to 4).
 *
 * The input is untrusted. Every length, count and index is checked against the bytes that
 * are left and against the reference tables before it is used, nesting is bounded, and
 * nothing is allocated ahead of the bytes that would fill it, so a hostile file costs at most
 * time and memory proportional to its size. Anything wrong ends in a `MarshalError` naming
 * the byte offset and what was expected there.
 */
import { MarshalError } from '../errors';

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PyBytes
  | PyTuple
  | PyList
  | PyDict
  | PySet
  | PyComplex
  | PyCode
  | PySingleton;

/** Python 3 `bytes` (type `s`). In Python 2 data `s` is text and decodes to a string. */
export interface PyBytes {
  readonly type: 'bytes';
  readonly data: Uint8Array;
}
export interface PyTuple {
  readonly type: 'tuple';
  readonly items: PyValue[];
}
export interface PyList {
  readonly type: 'list';
  readonly items: PyValue[];
}
/** Dict entries in stream order; keys may be tuples, so no JS Map keyed by value. */
export interface PyDict {
  readonly type: 'dict';
  readonly entries: Array<[PyValue, PyValue]>;
}
export interface PySet {
  readonly type: 'set' | 'frozenset';
  readonly items: PyValue[];
}
export interface PyComplex {
  readonly type: 'complex';
  readonly real: number;
  readonly imag: number;
}
/**
 * A code object, of which only what names it is kept. The pure-Python `profile` module puts
 * one in a key: the code that `profile.run` executes.
 */
export interface PyCode {
  readonly type: 'code';
  readonly filename: string;
  readonly name: string;
  readonly firstlineno: number;
}
export interface PySingleton {
  readonly type: 'StopIteration' | 'Ellipsis';
}

export interface Decoded {
  readonly value: PyValue;
  /** Which Python wrote the data, told from the codes it uses. */
  readonly pythonVersion: 2 | 3;
  /** Offset just past the object (a dump holds one object; trailing bytes are an error for callers to judge). */
  readonly end: number;
}

/** pstats needs a depth of 4; CPython allows 2000. Deep enough for any real data. */
export const MAX_DEPTH = 200;
/** A 'l' integer with more 15-bit digits than this is rejected rather than built slowly. */
const MAX_LONG_DIGITS = 2000;
const FLAG_REF = 0x80;

const PY3_ONLY_CODES = new Set(['a', 'A', 'z', 'Z', ')', 'r']);

/** Which string semantics to apply; auto-detected by `decodeMarshal`. */
type Dialect = 2 | 3;

class Reader {
  pos = 0;
  /** Python 3: objects flagged FLAG_REF, in the order they started. */
  readonly refs: Array<PyValue | typeof PENDING> = [];
  /** Python 2: interned strings (`t`), referenced by `R`. */
  readonly interned: string[] = [];
  depth = 0;
  sawPy2Evidence = false;
  sawPy3Evidence = false;
  sawUnicode = false;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    readonly dialect: Dialect,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Malformed data: `expected` says what should have been at `at`. */
  fail(expected: string, at = this.pos): never {
    throw new MarshalError(at, `bad marshal data at byte ${at}: expected ${expected}`);
  }

  /** The input ends (or a length points) past what is left. */
  truncated(what: string, at = this.pos): never {
    throw new MarshalError(at, `truncated at byte ${at} while reading ${what}`);
  }

  need(n: number, what: string): void {
    if (n > this.buf.length - this.pos) this.truncated(what);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A length or count, checked against what is left: each unit needs `unitBytes` bytes. */
  count(what: string, unitBytes: number, small = false): number {
    const at = this.pos;
    const n = small ? this.u8(`the length of ${what}`) : this.i32(`the length of ${what}`);
    if (n < 0) this.fail(`a non-negative length of ${what}, got ${n}`, at);
    if (n * unitBytes > this.buf.length - this.pos) this.truncated(`${what} of length ${n}`, at);
    return n;
  }

  bytes(n: number): Uint8Array {
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

const PENDING = Symbol('pending');

/**
 * Decode one marshalled object from `buf`, telling Python 2 from Python 3 data.
 * Python 2 byte strings become Latin-1 text; Python 3 text keeps lone surrogates.
 */
export function decodeMarshal(buf: Uint8Array): Decoded {
  if (buf.length === 0) throw new MarshalError(0, 'empty file');
  // Marshal version 3+ (Python 3.4+) flags the outermost object for reference: a sure sign.
  if (buf[0] & FLAG_REF) return run(buf, 3);
  const first = run(buf, 2);
  if (first.pythonVersion === 3) return run(buf, 3);
  // Python 3.0-3.3 wrote no flags: text as 'u' (and 't' for interned UTF-8), never 'R' or
  // text as 's'. If that is what we saw, read 't' again as UTF-8, unless it is not UTF-8:
  // then only Python 2 (whose 't' is bytes) can have written it.
  if (!first.sawPy2Evidence && first.sawUnicode) {
    try {
      return run(buf, 3);
    } catch (err) {
      if (err instanceof MarshalError) return first;
      throw err;
    }
  }
  return first;
}

function run(buf: Uint8Array, dialect: Dialect): Decoded & { sawPy2Evidence: boolean; sawUnicode: boolean } {
  const r = new Reader(buf, dialect);
  const value = readObject(r);
  const py3 = dialect === 3 || r.sawPy3Evidence;
  return { value, pythonVersion: py3 ? 3 : 2, end: r.pos, sawPy2Evidence: r.sawPy2Evidence, sawUnicode: r.sawUnicode };
}

function readObject(r: Reader): PyValue {
  const start = r.pos;
  const code = r.u8('a marshal type code');
  if (r.depth >= MAX_DEPTH) r.fail(`nesting deeper than ${MAX_DEPTH} levels`, start);
  r.depth++;
  const value = readTyped(r, code, start);
  r.depth--;
  return value;
}

function readTyped(r: Reader, code: number, start: number): PyValue {
  const flag = (code & FLAG_REF) !== 0;
  const ch = String.fromCharCode(code & ~FLAG_REF);
  if (flag || PY3_ONLY_CODES.has(ch)) r.sawPy3Evidence = true;

  // Reserve a reference slot before reading: indices follow the order objects start.
  let slot = -1;
  const reserve = (): void => {
    if (flag) {
      slot = r.refs.length;
      r.refs.push(PENDING);
    }
  };
  const done = <T extends PyValue>(v: T): T => {
    if (slot >= 0) r.refs[slot] = v;
    return v;
  };

  switch (ch) {
    case 'N':
      return null;
    case 'T':
      return true;
    case 'F':
      return false;
    case 'S':
      return { type: 'StopIteration' };
    case '.':
      return { type: 'Ellipsis' };
    case '0':
      return r.fail('an object, found the end-of-dict marker outside a dict', start);
    case 'i':
      reserve();
      return done(r.i32('an int32'));
    case 'I': {
      reserve();
      r.need(8, 'an int64');
      const v = new DataView(r.buf.buffer, r.buf.byteOffset + r.pos, 8).getBigInt64(0, true);
      r.pos += 8;
      return done(narrow(v));
    }
    case 'l':
      reserve();
      return done(readLong(r));
    case 'g':
      reserve();
      return done(r.f64('a binary float'));
    case 'f':
      reserve();
      return done(readTextFloat(r));
    case 'y': {
      reserve();
      const real = r.f64('the real part of a complex');
      const imag = r.f64('the imaginary part of a complex');
      return done({ type: 'complex', real, imag });
    }
    case 'x': {
      reserve();
      const real = readTextFloat(r);
      const imag = readTextFloat(r);
      return done({ type: 'complex', real, imag });
    }
    case 's': {
      reserve();
      const n = r.count('a string', 1);
      const data = r.bytes(n);
      if (r.dialect === 2) {
        r.sawPy2Evidence = true;
        return done(latin1(data));
      }
      return done({ type: 'bytes', data: data.slice() });
    }
    case 't': {
      reserve();
      const n = r.count('an interned string', 1);
      const at = r.pos;
      const data = r.bytes(n);
      if (r.dialect === 2) {
        const s = latin1(data);
        r.interned.push(s);
        return done(s);
      }
      return done(utf8(r, data, at));
    }
    case 'R': {
      r.sawPy2Evidence = true;
      const at = r.pos;
      const i = r.i32('a string-table index');
      if (i < 0 || i >= r.interned.length) {
        r.fail(`a string-table index below ${r.interned.length}, got ${i}`, at);
      }
      return r.interned[i];
    }
    case 'u': {
      reserve();
      r.sawUnicode = true;
      const n = r.count('a unicode string', 1);
      const at = r.pos;
      return done(utf8(r, r.bytes(n), at));
    }
    case 'a':
    case 'A': {
      reserve();
      const n = r.count('an ASCII string', 1);
      return done(latin1(r.bytes(n)));
    }
    case 'z':
    case 'Z': {
      reserve();
      const n = r.count('a short ASCII string', 1, true);
      return done(latin1(r.bytes(n)));
    }
    case '(':
    case ')':
    case '[': {
      const n = r.count(ch === '[' ? 'a list' : 'a tuple', 1, ch === ')');
      reserve();
      const items: PyValue[] = [];
      for (let i = 0; i < n; i++) items.push(readObject(r));
      return done(ch === '[' ? { type: 'list', items } : { type: 'tuple', items });
    }
    case '<':
    case '>': {
      const n = r.count('a set', 1);
      reserve();
      const items: PyValue[] = [];
      for (let i = 0; i < n; i++) items.push(readObject(r));
      return done({ type: ch === '<' ? 'set' : 'frozenset', items });
    }
    case '{': {
      reserve();
      const entries: Array<[PyValue, PyValue]> = [];
      for (;;) {
        if (r.pos >= r.buf.length) r.truncated('a dict (a key or the end-of-dict marker)');
        if (r.buf[r.pos] === 0x30 /* '0' */) {
          r.pos++;
          break;
        }
        const key = readObject(r);
        const value = readObject(r);
        entries.push([key, value]);
      }
      return done({ type: 'dict', entries });
    }
    case 'r': {
      const at = r.pos;
      const i = r.i32('a reference index');
      if (i < 0 || i >= r.refs.length) r.fail(`a reference index below ${r.refs.length}, got ${i}`, at);
      const v = r.refs[i];
      if (v === PENDING) r.fail(`a reference to a complete object, but ${i} is still being read`, at);
      return v as PyValue;
    }
    case 'c':
      reserve();
      return done(readCode(r, start));
    default:
      return r.fail(`a marshal type code, found byte 0x${code.toString(16).padStart(2, '0')}`, start);
  }
}

/**
 * How each Python lays out a code object: the int32 fields before its objects, what each of
 * its objects is (`s` bytes, `t` a tuple, `*` a string), where the file and name are among
 * them, and how many objects follow the first line number.
 */
const CODE_LAYOUTS: ReadonlyArray<{ ints: number; objects: string; filename: number; name: number; after: number }> = [
  // 3.11 and later: code, consts, names, localsplusnames, localspluskinds, filename, name, qualname
  { ints: 5, objects: 'sttts***', filename: 5, name: 6, after: 2 },
  // 3.8 to 3.10: code, consts, names, varnames, freevars, cellvars, filename, name
  { ints: 6, objects: 'sttttt**', filename: 6, name: 7, after: 1 },
  // 3.0 to 3.7: the same, without posonlyargcount
  { ints: 5, objects: 'sttttt**', filename: 6, name: 7, after: 1 },
  // 2.7
  { ints: 4, objects: 'sttttt**', filename: 6, name: 7, after: 1 },
];

/**
 * A code object, by the first layout its objects fit. Each try starts over from the same
 * byte, with the reference tables as they were.
 */
function readCode(r: Reader, start: number): PyCode {
  const at = r.pos;
  const refs = r.refs.length;
  const interned = r.interned.length;
  const depth = r.depth;
  for (const layout of CODE_LAYOUTS) {
    try {
      for (let i = 0; i < layout.ints; i++) r.i32('a code object field');
      const objects: PyValue[] = [];
      for (const kind of layout.objects) {
        const v = readObject(r);
        const fits =
          kind === '*' ? typeof v === 'string' : kind === 't' ? isTuple(v) : (typeof v === 'object' && v !== null && 'type' in v && v.type === 'bytes') || typeof v === 'string';
        if (!fits) throw new MarshalError(r.pos, 'not this layout');
        objects.push(v);
      }
      const firstlineno = r.i32('the first line of a code object');
      for (let i = 0; i < layout.after; i++) readObject(r);
      return { type: 'code', filename: objects[layout.filename] as string, name: objects[layout.name] as string, firstlineno };
    } catch (err) {
      if (!(err instanceof MarshalError)) throw err;
      r.pos = at;
      r.refs.length = refs;
      r.interned.length = interned;
      r.depth = depth;
    }
  }
  return r.fail('a code object of Python 2.7 or 3', start);
}

function isTuple(v: PyValue): boolean {
  return typeof v === 'object' && v !== null && 'type' in v && v.type === 'tuple';
}

function readLong(r: Reader): number | bigint {
  const at = r.pos;
  const n = r.i32('the digit count of a long');
  const size = Math.abs(n);
  if (size > MAX_LONG_DIGITS) r.fail(`a long of at most ${MAX_LONG_DIGITS} digits, got ${size}`, at);
  r.need(size * 2, `a long of ${size} digits`);
  let v = 0n;
  for (let i = size - 1; i >= 0; i--) {
    const digit = r.buf[r.pos + 2 * i] | (r.buf[r.pos + 2 * i + 1] << 8);
    if (digit > 0x7fff) r.fail('a 15-bit long digit', r.pos + 2 * i);
    if (digit === 0 && i === size - 1) r.fail('a long without a leading zero digit', r.pos + 2 * i);
    v = (v << 15n) | BigInt(digit);
  }
  r.pos += size * 2;
  return narrow(n < 0 ? -v : v);
}

/** Integers that fit a double exactly are numbers; only bigger ones stay bigint. */
function narrow(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

const FLOAT_TEXT = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$/i;

function readTextFloat(r: Reader): number {
  const n = r.count('a text float', 1, true);
  const at = r.pos;
  const text = latin1(r.bytes(n));
  if (!FLOAT_TEXT.test(text)) r.fail(`a float written as text, got ${JSON.stringify(text)}`, at);
  const t = text.toLowerCase().replace(/^\+/, '');
  if (t.endsWith('nan')) return NaN;
  if (t.endsWith('inf') || t.endsWith('infinity')) return t.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

function latin1(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
}

/**
 * UTF-8 as Python's `surrogatepass` reads it: encoded surrogates (ED A0 80..ED BF BF) come
 * back as lone UTF-16 units instead of U+FFFD. Anything else malformed is an error, as it is
 * for Python ("bad marshal data").
 */
function utf8(r: Reader, data: Uint8Array, at: number): string {
  let ascii = true;
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(data);
  const units: number[] = [];
  let out = '';
  const bad = (i: number): never => r.fail('valid UTF-8 text', at + i);
  let i = 0;
  while (i < data.length) {
    const b = data[i];
    let cp: number;
    if (b < 0x80) {
      cp = b;
      i += 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (i + 1 >= data.length || (data[i + 1] & 0xc0) !== 0x80) bad(i);
      cp = ((b & 0x1f) << 6) | (data[i + 1] & 0x3f);
      i += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      if (i + 2 >= data.length || (data[i + 1] & 0xc0) !== 0x80 || (data[i + 2] & 0xc0) !== 0x80) bad(i);
      cp = ((b & 0x0f) << 12) | ((data[i + 1] & 0x3f) << 6) | (data[i + 2] & 0x3f);
      if (cp < 0x800) bad(i); // overlong; encoded surrogates are allowed (surrogatepass)
      i += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      if (
        i + 3 >= data.length ||
        (data[i + 1] & 0xc0) !== 0x80 ||
        (data[i + 2] & 0xc0) !== 0x80 ||
        (data[i + 3] & 0xc0) !== 0x80
      ) {
        bad(i);
      }
      cp =
        ((b & 0x07) << 18) | ((data[i + 1] & 0x3f) << 12) | ((data[i + 2] & 0x3f) << 6) | (data[i + 3] & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) bad(i);
      i += 4;
    } else {
      return bad(i);
    }
    if (cp > 0xffff) {
      cp -= 0x10000;
      units.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      units.push(cp);
    }
    if (units.length >= 4096) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}

/** What a decoded value is, for error messages ("a tuple of 3", "None"). */
export function describe(v: PyValue): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean':
      return 'a bool';
    case 'number':
      return Number.isInteger(v) ? 'an int' : 'a float';
    case 'bigint':
      return 'an int';
    case 'string':
      return 'a str';
    default:
      switch (v.type) {
        case 'tuple':
          return `a tuple of ${v.items.length}`;
        case 'list':
          return 'a list';
        case 'dict':
          return 'a dict';
        case 'set':
        case 'frozenset':
          return `a ${v.type}`;
        case 'bytes':
          return 'bytes';
        case 'complex':
          return 'a complex';
        case 'code':
          return 'a code object';
        default:
          return v.type;
      }
  }
}
