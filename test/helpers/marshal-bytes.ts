/**
 * Building marshal streams by hand, byte by byte, for the decoder's and loader's tests.
 * Nothing here encodes values the way our encoder does: each helper is one field of the
 * format, so a test spells out exactly the bytes it feeds in.
 */

export type Part = number | string | ArrayLike<number>;

/** Concatenate parts: a number is one byte, a string its characters as Latin-1 bytes. */
export function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'number') {
      if (!Number.isInteger(p) || p < 0 || p > 255) throw new Error(`not a byte: ${p}`);
      out.push(p);
    } else if (typeof p === 'string') {
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        if (c > 255) throw new Error(`not a Latin-1 character: ${p}`);
        out.push(c);
      }
    } else {
      for (let i = 0; i < p.length; i++) out.push(p[i]);
    }
  }
  return Uint8Array.from(out);
}

export function i32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeInt32LE(n);
  return b;
}

export function i64(n: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b;
}

export function u16(n: number): Uint8Array {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

export function f64(x: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(x);
  return b;
}

export function hex(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
}

/** The type byte of `code` with FLAG_REF (0x80) set. */
export function ref(code: string): number {
  return code.charCodeAt(0) | 0x80;
}

/** `i` with an int32. */
export const int = (n: number): Uint8Array => bytes('i', i32(n));
/** `g` with a float64. */
export const flt = (x: number): Uint8Array => bytes('g', f64(x));
/** Python 3.4+ short ASCII str `z`. */
export const z = (s: string): Uint8Array => bytes('z', s.length, s);
/** Python 2 byte string `s` (int32 length). */
export const s2 = (s: string): Uint8Array => bytes('s', i32(s.length), s);
/** Python 2 interned byte string `t`. */
export const t2 = (s: string): Uint8Array => bytes('t', i32(s.length), s);
/** `u` with the UTF-8 of `s` (no lone surrogates: use raw bytes for those). */
export const u = (s: string): Uint8Array => {
  const data = Buffer.from(s, 'utf8');
  return bytes('u', i32(data.length), data);
};
/** `(` tuple header. */
export const tuple = (n: number): Uint8Array => bytes('(', i32(n));
/** `)` small tuple header (Python 3.4+). */
export const small = (n: number): Uint8Array => bytes(')', n);
