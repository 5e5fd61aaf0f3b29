/**
 * A marshal *encoder*, the inverse of `src/import/marshal.ts` for the values pstats dumps hold.
 * The product never writes dumps; tests and the benchmark's synthetic-profile generator do,
 * and writing real marshal bytes keeps them honest about what Python produces.
 */
import { callGraphObjects } from '../../src/model/objects';
import type { CallGraphProfile } from '../../src/model/profile';

export type Dialect = 2 | 3;

/** Write a call-graph profile as `python -m cProfile -o` would (marshal version 4 or Python 2). */
export function encodePstats(profile: CallGraphProfile, dialect: Dialect = 3): Uint8Array {
  const w = new Writer(dialect);
  w.byte(dialect === 3 ? 0x7b | 0x80 : 0x7b); // '{', flagged for reference in Python 3.4+ style
  const fs = callGraphObjects(profile);
  for (const f of fs) {
    w.key(f.key.file, f.key.line, f.key.name);
    w.tupleHeader(5);
    w.int(f.stat.cc);
    w.int(f.stat.nc);
    w.float(f.stat.tt);
    w.float(f.stat.ct);
    w.byte(0x7b);
    for (const e of f.callers) {
      const c = fs[e.caller].key;
      w.key(c.file, c.line, c.name);
      if (e.estimated) {
        w.int(e.timing.nc);
      } else {
        // cProfile's edge order: (nc, cc, tt, ct).
        w.tupleHeader(4);
        w.int(e.timing.nc);
        w.int(e.timing.cc);
        w.float(e.timing.tt);
        w.float(e.timing.ct);
      }
    }
    w.byte(0x30);
  }
  w.byte(0x30);
  return w.finish();
}

class Writer {
  private buf = Buffer.alloc(1 << 16);
  private pos = 0;
  /** Python 2 interned strings / Python 3 references, by text. */
  private readonly seen = new Map<string, number>();
  private refCount = 1; // the top-level dict took slot 0 (Python 3)

  constructor(private readonly dialect: Dialect) {}

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  i32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.pos);
    this.pos += 4;
  }

  int(v: number): void {
    if (!Number.isInteger(v)) throw new RangeError(`encodePstats: ${v} is not an integer`);
    if (v >= -0x80000000 && v <= 0x7fffffff) {
      this.byte(0x69); // 'i'
      this.i32(v);
      return;
    }
    // Beyond int32 Python writes a long: 15-bit digits, least significant first, the sign
    // on the digit count. (Python 2 would use 'I' up to 64 bits; 'l' reads the same.)
    const digits: number[] = [];
    for (let m = BigInt(Math.abs(v)); m > 0n; m >>= 15n) digits.push(Number(m & 0x7fffn));
    this.byte(0x6c); // 'l'
    this.i32(v < 0 ? -digits.length : digits.length);
    this.ensure(digits.length * 2);
    for (const d of digits) {
      this.buf.writeUInt16LE(d, this.pos);
      this.pos += 2;
    }
  }

  float(v: number): void {
    this.byte(0x67); // 'g'
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }

  tupleHeader(n: number): void {
    if (this.dialect === 3 && n < 256) {
      this.byte(0x29); // ')' small tuple
      this.byte(n);
    } else {
      this.byte(0x28); // '('
      this.i32(n);
    }
  }

  key(file: string, line: number, name: string): void {
    this.tupleHeader(3);
    this.str(file);
    this.int(line);
    this.str(name);
  }

  /** Repeated strings become references, as Python's own marshal writes them. */
  str(s: string): void {
    const known = this.seen.get(s);
    if (known !== undefined) {
      this.byte(this.dialect === 3 ? 0x72 /* r */ : 0x52 /* R */);
      this.i32(known);
      return;
    }
    let data: Buffer;
    if (this.dialect === 3) {
      this.seen.set(s, this.refCount++);
      const ascii = /^[\x00-\x7f]*$/.test(s);
      data = ascii ? Buffer.from(s, 'latin1') : utf8SurrogatePass(s);
      if (ascii && data.length < 256) {
        this.byte(0x5a | 0x80); // 'Z' short interned ASCII, flagged
        this.byte(data.length);
      } else {
        this.byte((ascii ? 0x41 /* A */ : 0x75 /* u */) | 0x80);
        this.i32(data.length);
      }
    } else if (/^[\x00-\xff]*$/.test(s)) {
      // A Python 2 str is bytes; our model reads them as Latin-1, so write them back so.
      this.seen.set(s, this.seen.size);
      data = Buffer.from(s, 'latin1');
      this.byte(0x74); // 't' interned
      this.i32(data.length);
    } else {
      // Beyond Latin-1 only a Python 2 unicode object can hold it; those are not interned.
      data = utf8SurrogatePass(s);
      this.byte(0x75); // 'u'
      this.i32(data.length);
    }
    this.ensure(data.length);
    data.copy(this.buf, this.pos);
    this.pos += data.length;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/**
 * UTF-8 as Python's `surrogatepass` writes it: a lone surrogate becomes its own 3-byte
 * sequence (ED A0 80 for \ud800) instead of U+FFFD, so the decoder gives it back.
 */
function utf8SurrogatePass(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 0x3f), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return Buffer.from(out);
}
