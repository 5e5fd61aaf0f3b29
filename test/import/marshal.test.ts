/**
 * The marshal decoder, byte by byte: every type code from hand-built buffers, Python 2 and
 * Python 3 detection, every error with its offset and message, and vectors written by real
 * Python 2.7 and 3.11 (test/fixtures/marshal-vectors, made by make_vectors.py).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMarshal, MAX_DEPTH, type PyValue } from '../../src/import/marshal';
import { FlameprofError, MarshalError } from '../../src/errors';
import { bytes, f64, flt, hex, i32, i64, int, ref, s2, small, t2, tuple, u, u16, z } from '../helpers/marshal-bytes';

const value = (b: Uint8Array): PyValue => decodeMarshal(b).value;
const version = (b: Uint8Array): 2 | 3 => decodeMarshal(b).pythonVersion;

/** The decoder must throw a MarshalError with exactly this message and offset. */
function expectError(b: Uint8Array, offset: number, message: string): void {
  let caught: unknown;
  try {
    decodeMarshal(b);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MarshalError);
  expect(caught).toBeInstanceOf(FlameprofError);
  expect((caught as MarshalError).message).toBe(message);
  expect((caught as MarshalError).offset).toBe(offset);
}

const bad = (at: number, expected: string): string => `bad marshal data at byte ${at}: expected ${expected}`;
const trunc = (at: number, what: string): string => `truncated at byte ${at} while reading ${what}`;
const tupleOf = (...items: PyValue[]): PyValue => ({ type: 'tuple', items });
const listOf = (...items: PyValue[]): PyValue => ({ type: 'list', items });

describe('type codes', () => {
  test.each([
    ['N', null],
    ['T', true],
    ['F', false],
    ['S', { type: 'StopIteration' }],
    ['.', { type: 'Ellipsis' }],
  ])('%s', (code, expected) => {
    const d = decodeMarshal(bytes(code));
    expect(d.value).toEqual(expected);
    expect(d.end).toBe(1);
  });

  test('singletons ignore FLAG_REF and take no reference slot, as CPython does', () => {
    // slots: 0 the list, 1 'a'; had the flagged None or True taken slot 1, r 1 would be it
    expect(value(bytes(ref('['), i32(3), ref('N'), ref('z'), 1, 'a', 'r', i32(1)))).toEqual(listOf(null, 'a', 'a'));
    expect(value(bytes(ref('['), i32(3), ref('T'), ref('z'), 1, 'a', 'r', i32(1)))).toEqual(listOf(true, 'a', 'a'));
  });

  test('i: int32, signed, little-endian', () => {
    expect(value(int(-5))).toBe(-5);
    expect(value(int(0x7fffffff))).toBe(2147483647);
    expect(value(int(-0x80000000))).toBe(-2147483648);
    expect(value(bytes('i', 0x01, 0x02, 0x03, 0x04))).toBe(0x04030201);
  });

  test('I: int64 (Python 2), a number while exact, else a bigint', () => {
    expect(value(bytes('I', i64(2n ** 40n)))).toBe(2 ** 40);
    expect(value(bytes('I', i64(-(2n ** 53n) + 1n)))).toBe(-(2 ** 53) + 1);
    expect(value(bytes('I', i64(2n ** 53n)))).toBe(2n ** 53n);
    expect(value(bytes('I', i64(-(2n ** 63n))))).toBe(-(2n ** 63n));
    expect(value(bytes('I', i64(2n ** 63n - 1n)))).toBe(2n ** 63n - 1n);
  });

  describe('l: arbitrary-size ints in 15-bit digits', () => {
    test('zero digits is 0', () => {
      expect(value(bytes('l', i32(0)))).toBe(0);
    });
    test('one and two digits, both signs', () => {
      expect(value(bytes('l', i32(1), u16(0x7fff)))).toBe(32767);
      expect(value(bytes('l', i32(2), u16(1), u16(1)))).toBe(32769);
      expect(value(bytes('l', i32(-2), u16(1), u16(1)))).toBe(-32769);
      expect(value(bytes('l', i32(-1), u16(5)))).toBe(-5);
    });
    test('2^53 - 1 stays a number; 2^53 and beyond become bigints', () => {
      // 2^53 - 1 = digits 0x7fff, 0x7fff, 0x7fff, 0xff (15 * 3 + 8 bits)
      expect(value(bytes('l', i32(4), u16(0x7fff), u16(0x7fff), u16(0x7fff), u16(0xff)))).toBe(2 ** 53 - 1);
      expect(value(bytes('l', i32(4), u16(0), u16(0), u16(0), u16(0x100)))).toBe(2n ** 53n);
      expect(value(bytes('l', i32(-4), u16(1), u16(0), u16(0), u16(0x100)))).toBe(-(2n ** 53n) - 1n);
    });
    test('many digits', () => {
      // 10^40 in base 2^15, least significant first
      const digits: number[] = [];
      for (let v = 10n ** 40n; v > 0n; v >>= 15n) digits.push(Number(v & 0x7fffn));
      expect(value(bytes('l', i32(-digits.length), ...digits.map(u16)))).toBe(-(10n ** 40n));
      expect(digits.length).toBe(9);
    });
  });

  test('g: float64', () => {
    expect(value(flt(1.5))).toBe(1.5);
    expect(Object.is(value(flt(-0)), -0)).toBe(true);
    expect(value(flt(Infinity))).toBe(Infinity);
    expect(value(flt(NaN))).toBeNaN();
    expect(value(flt(5e-324))).toBe(5e-324);
  });

  describe('f: float as text', () => {
    test.each([
      ['1.5', 1.5],
      ['-0.25', -0.25],
      ['1e+16', 1e16],
      ['1E-5', 1e-5],
      ['.5', 0.5],
      ['5.', 5],
      ['+3', 3],
      ['0.10000000000000001', 0.1],
      ['inf', Infinity],
      ['-inf', -Infinity],
      ['+inf', Infinity],
      ['Infinity', Infinity],
      ['-INFINITY', -Infinity],
    ])('%s', (text, expected) => {
      expect(value(bytes('f', text.length, text))).toBe(expected);
    });
    test('nan, -nan', () => {
      expect(value(bytes('f', 3, 'nan'))).toBeNaN();
      expect(value(bytes('f', 4, '-NaN'))).toBeNaN();
    });
    test('-0', () => {
      expect(Object.is(value(bytes('f', 4, '-0.0')), -0)).toBe(true);
    });
    test.each(['abc', '', '1.5x', ' 1.5', '1_0', '0x10', 'in'])('rejects %j', (text) => {
      expectError(bytes('f', text.length, text), 2, bad(2, `a float written as text, got ${JSON.stringify(text)}`));
    });
  });

  test('y: complex from two float64', () => {
    expect(value(bytes('y', f64(1.5), f64(-2)))).toEqual({ type: 'complex', real: 1.5, imag: -2 });
  });

  test('x: complex from two text floats', () => {
    expect(value(bytes('x', 3, '1.5', 4, '-inf'))).toEqual({ type: 'complex', real: 1.5, imag: -Infinity });
    expectError(bytes('x', 3, '1.5', 2, 'no'), 6, bad(6, 'a float written as text, got "no"'));
  });

  test('s: Python 2 text as Latin-1', () => {
    const d = decodeMarshal(bytes('s', i32(3), 0x61, 0xe9, 0xff));
    expect(d.value).toBe('a\u00e9\u00ff');
    expect(d.pythonVersion).toBe(2);
  });

  test('s: Python 3 bytes', () => {
    const d = decodeMarshal(bytes(ref('['), i32(1), 's', i32(3), 0x00, 0xe9, 0xff));
    expect(d.pythonVersion).toBe(3);
    expect(d.value).toEqual(listOf({ type: 'bytes', data: Uint8Array.from([0x00, 0xe9, 0xff]) }));
  });

  test('t and R: Python 2 interned strings, Latin-1, and the string table', () => {
    const b = bytes(tuple(5), t2('ab'), t2('c\u00e9'), 'R', i32(1), 'R', i32(0), s2('not interned'));
    const d = decodeMarshal(b);
    expect(d.pythonVersion).toBe(2);
    expect(d.value).toEqual(tupleOf('ab', 'c\u00e9', 'c\u00e9', 'ab', 'not interned'));
    // 's' strings do not enter the table: R 2 is out of range after two 't's.
    expectError(bytes(tuple(4), t2('a'), s2('b'), t2('c'), 'R', i32(2)), 24, bad(24, 'a string-table index below 2, got 2'));
  });

  test('t: Python 2 reads UTF-8 bytes as Latin-1, Python 3 as UTF-8', () => {
    expect(value(bytes(tuple(2), 't', i32(2), 0xc3, 0xa9, 'R', i32(0)))).toEqual(tupleOf('\u00c3\u00a9', '\u00c3\u00a9'));
    const d = decodeMarshal(bytes(ref('('), i32(2), ref('t'), i32(2), 0xc3, 0xa9, 'r', i32(1)));
    expect(d.pythonVersion).toBe(3);
    expect(d.value).toEqual(tupleOf('\u00e9', '\u00e9'));
  });

  describe('u: UTF-8 with surrogatepass', () => {
    test('plain, BMP and astral text', () => {
      expect(value(u('caf\u00e9 \u20ac \u{1f600}'))).toBe('caf\u00e9 \u20ac \u{1f600}');
    });
    test('ED A0 80 is the lone unit \\ud800, kept', () => {
      const d = decodeMarshal(bytes('u', i32(3), 0xed, 0xa0, 0x80));
      expect(d.value).toBe('\ud800');
      expect((d.value as string).length).toBe(1);
      expect(d.pythonVersion).toBe(3);
    });
    test('a lone low surrogate between text', () => {
      expect(value(bytes('u', i32(5), 'a', 0xed, 0xbf, 0xbf, 'b'))).toBe('a\udfffb');
    });
    test('long text is decoded across the chunk boundary', () => {
      const text = '\u00e9'.repeat(5000) + '\ud7ff';
      expect(value(u(text))).toBe(text);
    });
  });

  test('a and A: ASCII str (Python 3.4+)', () => {
    const d = decodeMarshal(bytes('a', i32(3), 'abc'));
    expect(d.value).toBe('abc');
    expect(d.pythonVersion).toBe(3);
    expect(value(bytes('A', i32(0)))).toBe('');
  });

  test('z and Z: short ASCII str (Python 3.4+)', () => {
    expect(value(bytes('z', 3, 'abc'))).toBe('abc');
    const d = decodeMarshal(bytes('Z', 255, 'x'.repeat(255)));
    expect(d.value).toBe('x'.repeat(255));
    expect(d.pythonVersion).toBe(3);
  });

  test('( tuple, ) small tuple, [ list', () => {
    expect(value(bytes(tuple(2), int(1), 'N'))).toEqual(tupleOf(1, null));
    expect(value(tuple(0))).toEqual(tupleOf());
    expect(value(bytes(small(3), 'T', 'F', z('x')))).toEqual(tupleOf(true, false, 'x'));
    expect(value(bytes('[', i32(2), '[', i32(0), 'N'))).toEqual(listOf(listOf(), null));
  });

  test('{ dict up to 0, keeping stream order and tuple keys', () => {
    const b = bytes('{', z('b'), int(1), small(2), z('k'), int(2), 'N', '0');
    const d = decodeMarshal(b);
    expect(d.value).toEqual({ type: 'dict', entries: [['b', 1], [tupleOf('k', 2), null]] });
    expect(d.end).toBe(b.length);
    expect(value(bytes('{', '0'))).toEqual({ type: 'dict', entries: [] });
  });

  test('< set and > frozenset', () => {
    expect(value(bytes('<', i32(2), int(1), int(2)))).toEqual({ type: 'set', items: [1, 2] });
    expect(value(bytes('>', i32(1), z('a')))).toEqual({ type: 'frozenset', items: ['a'] });
    expect(value(bytes('>', i32(0)))).toEqual({ type: 'frozenset', items: [] });
  });

  describe('r: the Python 3 reference table', () => {
    test('a container takes its slot before its items', () => {
      // slots: 0 the list, 1 'a', 2 the tuple, 3 'b'
      const b = bytes(ref('['), i32(4), ref('z'), 1, 'a', ref(')'), 1, ref('z'), 1, 'b', 'r', i32(2), 'r', i32(3));
      const d = decodeMarshal(b);
      expect(d.pythonVersion).toBe(3);
      expect(d.value).toEqual(listOf('a', tupleOf('b'), tupleOf('b'), 'b'));
    });
    test('unflagged objects take no slot', () => {
      const b = bytes('[', i32(3), z('a'), ref('z'), 1, 'b', 'r', i32(0));
      expect(value(b)).toEqual(listOf('a', 'b', 'b'));
    });
    test('ints, floats, longs, bytes, dicts and sets are referable too', () => {
      const b = bytes(
        '[', i32(12),
        ref('i'), i32(7), ref('g'), f64(0.5), ref('l'), i32(1), u16(3), ref('{'), '0', ref('<'), i32(0), ref('s'), i32(1), 'q',
        'r', i32(0), 'r', i32(1), 'r', i32(2), 'r', i32(3), 'r', i32(4), 'r', i32(5),
      );
      const v = value(b) as { items: PyValue[] };
      expect(v.items.slice(6)).toEqual(v.items.slice(0, 6));
      expect(v.items.slice(0, 3)).toEqual([7, 0.5, 3]);
    });
    test('bad index: negative, and past the table', () => {
      expectError(bytes(ref('['), i32(1), 'r', i32(1)), 6, bad(6, 'a reference index below 1, got 1'));
      expectError(bytes('[', i32(1), 'r', i32(-1)), 6, bad(6, 'a reference index below 0, got -1'));
      expectError(bytes('[', i32(1), 'r', i32(0x7fffffff)), 6, bad(6, 'a reference index below 0, got 2147483647'));
    });
    test('a reference to an object still being read', () => {
      expectError(bytes(ref('['), i32(1), 'r', i32(0)), 6, bad(6, 'a reference to a complete object, but 0 is still being read'));
      expectError(
        bytes(ref('{'), ref('z'), 1, 'k', ref(')'), 1, 'r', i32(2)),
        7,
        bad(7, 'a reference to a complete object, but 2 is still being read'),
      );
    });
  });

  test('c: a code object that fits no Python\'s layout is rejected clearly (test/import/profile-module.test.ts reads real ones)', () => {
    expectError(bytes('c', i32(0)), 0, bad(0, 'a code object of Python 2.7 or 3'));
    expectError(bytes(tuple(1), ref('c')), 5, bad(5, 'a code object of Python 2.7 or 3'));
  });

  test.each([
    [0x51, '0x51'],
    [0x00, '0x00'],
    [0xff, '0xff'],
    [0x3f, '0x3f'],
  ])('unknown type code %d', (code, shown) => {
    expectError(bytes(tuple(1), code), 5, bad(5, `a marshal type code, found byte ${shown}`));
  });

  test("'0' outside a dict", () => {
    const msg = 'an object, found the end-of-dict marker outside a dict';
    expectError(bytes('0'), 0, bad(0, msg));
    expectError(bytes(tuple(2), 'N', '0'), 6, bad(6, msg));
    expectError(bytes('[', i32(1), '0'), 5, bad(5, msg));
  });

  test(`nesting: ${MAX_DEPTH} objects deep is fine, one more is not`, () => {
    const nest = (lists: number): Uint8Array =>
      bytes(...Array.from({ length: lists }, () => bytes('[', i32(1))), 'N');
    expect(decodeMarshal(nest(MAX_DEPTH - 1)).end).toBe((MAX_DEPTH - 1) * 5 + 1);
    expectError(nest(MAX_DEPTH), MAX_DEPTH * 5, bad(MAX_DEPTH * 5, `nesting deeper than ${MAX_DEPTH} levels`));
    // Dicts count the same: the key of the innermost of MAX_DEPTH dicts is one level too deep.
    const dicts = bytes(...Array.from({ length: MAX_DEPTH }, () => bytes('{', 'N')), 'N');
    expectError(dicts, MAX_DEPTH * 2 - 1, bad(MAX_DEPTH * 2 - 1, `nesting deeper than ${MAX_DEPTH} levels`));
  });

  test('empty input', () => {
    expectError(new Uint8Array(0), 0, 'empty file');
  });

  test('trailing bytes are left for the caller: end says where the object stopped', () => {
    const d = decodeMarshal(bytes('N', 'garbage'));
    expect(d.value).toBeNull();
    expect(d.end).toBe(1);
  });

  test('a buffer that is a view into a larger one (Buffer pool, subarray)', () => {
    const big = bytes('xxxx', 'i', i32(42), 'g', f64(2.5), 'I', i64(2n ** 60n));
    expect(value(big.subarray(4, 9))).toBe(42);
    expect(value(big.subarray(9, 18))).toBe(2.5);
    expect(value(big.subarray(18))).toBe(2n ** 60n);
  });
});

describe('Python 2 or Python 3', () => {
  test('a flagged first byte is Python 3', () => {
    expect(version(bytes(ref('{'), '0'))).toBe(3);
  });
  test('an unflagged dict of Python 2 strings is Python 2', () => {
    expect(version(bytes('{', t2('k'), s2('v'), '0'))).toBe(2);
  });
  test('Python 3.4+ codes anywhere are Python 3', () => {
    expect(version(bytes('{', z('k'), int(1), '0'))).toBe(3);
    expect(version(bytes(tuple(1), ref('i'), i32(1)))).toBe(3);
  });
  test("Python 3.0-3.3 (no flags, 'u' text, 't' in UTF-8) is Python 3", () => {
    const d = decodeMarshal(bytes(tuple(2), 't', i32(2), 0xc3, 0xa9, u('x')));
    expect(d.pythonVersion).toBe(3);
    expect(d.value).toEqual(tupleOf('\u00e9', 'x'));
  });
  test("'u' next to Python 2 evidence stays Python 2 (Python 2 unicode)", () => {
    const d = decodeMarshal(bytes(tuple(3), 't', i32(2), 0xc3, 0xa9, 'R', i32(0), u('\u00e9')));
    expect(d.pythonVersion).toBe(2);
    expect(d.value).toEqual(tupleOf('\u00c3\u00a9', '\u00c3\u00a9', '\u00e9'));
  });
  test("'u' with a 't' that is not UTF-8 can only be Python 2", () => {
    const d = decodeMarshal(bytes(tuple(2), 't', i32(1), 0xe9, u('x')));
    expect(d.pythonVersion).toBe(2);
    expect(d.value).toEqual(tupleOf('\u00e9', 'x'));
  });
  test('with no evidence either way (numbers only) the answer is 2', () => {
    expect(version(bytes(tuple(2), int(1), flt(2)))).toBe(2);
  });
});

describe('errors: truncation at each kind of field', () => {
  test.each<[string, Uint8Array, number, string]>([
    ['type code', bytes('{', z('k')), 4, 'a marshal type code'],
    ['int32', bytes('i', 1, 2), 1, 'an int32'],
    ['int64', bytes('I', i64(1n).subarray(0, 7)), 1, 'an int64'],
    ['float64', bytes('g', 0, 0, 0), 1, 'a binary float'],
    ['complex real', bytes('y', 0), 1, 'the real part of a complex'],
    ['complex imaginary', bytes('y', f64(1), 0, 0), 9, 'the imaginary part of a complex'],
    ['string length', bytes('s', 1, 0), 1, 'the length of a string'],
    ['string data', bytes('s', i32(10), 'abc'), 1, 'a string of length 10'],
    ['interned string data', bytes('t', i32(4), 'abc'), 1, 'an interned string of length 4'],
    ['unicode data', bytes('u', i32(2), 'a'), 1, 'a unicode string of length 2'],
    ['ASCII data', bytes('a', i32(2), 'a'), 1, 'an ASCII string of length 2'],
    ['short ASCII length', bytes('z'), 1, 'the length of a short ASCII string'],
    ['short ASCII data', bytes('Z', 5, 'abcd'), 1, 'a short ASCII string of length 5'],
    ['text float length', bytes('f'), 1, 'the length of a text float'],
    ['text float data', bytes('f', 5, 'ab'), 1, 'a text float of length 5'],
    ['long digit count', bytes('l', 1), 1, 'the digit count of a long'],
    ['long digits', bytes('l', i32(2), u16(1)), 5, 'a long of 2 digits'],
    ['tuple count', bytes('(', 1, 0, 0), 1, 'the length of a tuple'],
    ['tuple items', bytes('(', i32(5), 'NN'), 1, 'a tuple of length 5'],
    ['small tuple count', bytes(')'), 1, 'the length of a tuple'],
    ['list items', bytes('[', i32(3), 'N'), 1, 'a list of length 3'],
    ['set items', bytes('<', i32(3), 'N'), 1, 'a set of length 3'],
    ['dict key', bytes('{'), 1, 'a dict (a key or the end-of-dict marker)'],
    ['dict after an entry', bytes('{', 'N', 'N'), 3, 'a dict (a key or the end-of-dict marker)'],
    ['dict value', bytes('{', 'N'), 2, 'a marshal type code'],
    ['string-table index', bytes('R', 0, 0), 1, 'a string-table index'],
    ['reference index', bytes('r', 0), 1, 'a reference index'],
    ['nested', bytes('{', small(3), z('f'), int(1), 'z', 9, 'abc'), 12, 'a short ASCII string of length 9'],
  ])('%s', (_name, b, at, what) => {
    expectError(b, at, trunc(at, what));
  });
});

describe('errors: lengths and counts', () => {
  test.each<[string, Uint8Array, string]>([
    ['s', bytes('s', i32(-1)), 'a string'],
    ['t', bytes('t', i32(-5)), 'an interned string'],
    ['u', bytes('u', i32(-1)), 'a unicode string'],
    ['a', bytes('a', i32(-0x80000000)), 'an ASCII string'],
    ['(', bytes('(', i32(-1)), 'a tuple'],
    ['[', bytes('[', i32(-2)), 'a list'],
    ['<', bytes('<', i32(-1)), 'a set'],
    ['>', bytes('>', i32(-1)), 'a set'],
  ])('negative length: %s', (_code, b, what) => {
    const n = Buffer.from(b).readInt32LE(1);
    expectError(b, 1, bad(1, `a non-negative length of ${what}, got ${n}`));
  });

  test.each<[string, string]>([
    ['s', 'a string'],
    ['t', 'an interned string'],
    ['u', 'a unicode string'],
    ['a', 'an ASCII string'],
    ['A', 'an ASCII string'],
    ['(', 'a tuple'],
    ['[', 'a list'],
    ['<', 'a set'],
    ['>', 'a set'],
  ])('length 0x7fffffff fails at once, without allocating: %s', (code, what) => {
    const before = process.memoryUsage().arrayBuffers;
    const t0 = process.hrtime.bigint();
    expectError(bytes(code, i32(0x7fffffff), 'abc'), 1, trunc(1, `${what} of length 2147483647`));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    expect(ms).toBeLessThan(50);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  test('a huge long digit count', () => {
    expectError(bytes('l', i32(0x7fffffff)), 1, bad(1, 'a long of at most 2000 digits, got 2147483647'));
    expectError(bytes('l', i32(-0x80000000)), 1, bad(1, 'a long of at most 2000 digits, got 2147483648'));
  });

  test('long digits above 15 bits, and an unnormalised top digit', () => {
    expectError(bytes('l', i32(2), u16(1), u16(0x8000)), 7, bad(7, 'a 15-bit long digit'));
    expectError(bytes('l', i32(2), u16(0xffff), u16(1)), 5, bad(5, 'a 15-bit long digit'));
    expectError(bytes('l', i32(-2), u16(1), u16(0)), 7, bad(7, 'a long without a leading zero digit'));
  });

  test("'R' index out of range", () => {
    expectError(bytes('R', i32(0)), 1, bad(1, 'a string-table index below 0, got 0'));
    expectError(bytes(tuple(2), t2('a'), 'R', i32(1)), 12, bad(12, 'a string-table index below 1, got 1'));
    expectError(bytes(tuple(2), t2('a'), 'R', i32(-1)), 12, bad(12, 'a string-table index below 1, got -1'));
  });
});

describe('errors: invalid UTF-8', () => {
  test.each<[string, number[], number]>([
    ['a bad continuation byte', [0xc3, 0x28], 0],
    ['a lone continuation byte', [0x61, 0x80], 1],
    ['an overlong 2-byte form', [0xc0, 0x80], 0],
    ['an overlong 3-byte form', [0xe0, 0x80, 0x80], 0],
    ['an overlong 4-byte form', [0xf0, 0x80, 0x80, 0x80], 0],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80], 0],
    ['a byte that never occurs', [0x61, 0x62, 0xff], 2],
    ['a sequence cut short by the end', [0x61, 0xe2, 0x82], 1],
    ['a 4-byte sequence cut short', [0xf0, 0x9f, 0x98], 0],
  ])('%s', (_name, data, i) => {
    const b = bytes('u', i32(data.length), data);
    expectError(b, 5 + i, bad(5 + i, 'valid UTF-8 text'));
  });

  test("Python 3 't' is UTF-8 too", () => {
    expectError(bytes(ref('t'), i32(1), 0xe9), 5, bad(5, 'valid UTF-8 text'));
  });

  test('the offset counts from the whole input, not the string', () => {
    expectError(bytes(ref('('), i32(2), z('ok'), 'u', i32(3), 'ab', 0xc3), 16, bad(16, 'valid UTF-8 text'));
  });
});

/* ---------- vectors written by real Python ---------- */

interface Desc {
  t: string;
  v?: unknown;
  py2bytes?: boolean;
  re?: string;
  im?: string;
  hex?: string;
  items?: Desc[];
  entries?: Array<[Desc, Desc]>;
}
interface Vector {
  name: string;
  version: number;
  hex: string;
  value: Desc;
}

function pyFloat(repr: string): number {
  if (repr === 'inf') return Infinity;
  if (repr === '-inf') return -Infinity;
  if (repr === 'nan') return NaN;
  return Number(repr);
}

/** What the decoder must give for a value Python described; `bytesAsText`: see below. */
function expected(d: Desc, bytesAsText: boolean): PyValue {
  switch (d.t) {
    case 'None':
      return null;
    case 'bool':
      return d.v as boolean;
    case 'int': {
      const n = BigInt(d.v as string);
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
    }
    case 'float':
      return pyFloat(d.v as string);
    case 'complex':
      return { type: 'complex', real: pyFloat(d.re!), imag: pyFloat(d.im!) };
    case 'str':
      return d.v as string;
    case 'bytes': {
      const data = Uint8Array.from(Buffer.from(d.hex!, 'hex'));
      return bytesAsText ? Buffer.from(data).toString('latin1') : { type: 'bytes', data };
    }
    case 'tuple':
    case 'list':
    case 'set':
    case 'frozenset':
      return { type: d.t, items: d.items!.map((x) => expected(x, bytesAsText)) };
    case 'dict':
      return { type: 'dict', entries: d.entries!.map(([k, v]) => [expected(k, bytesAsText), expected(v, bytesAsText)]) };
    case 'StopIteration':
    case 'Ellipsis':
      return { type: d.t };
    default:
      throw new Error(`unknown description ${d.t}`);
  }
}

function has(d: Desc, pred: (d: Desc) => boolean): boolean {
  return pred(d) || (d.items ?? []).some((x) => has(x, pred)) || (d.entries ?? []).some(([k, v]) => has(k, pred) || has(v, pred));
}

function loadVectors(file: string): { python: string; vectors: Vector[] } {
  return JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'marshal-vectors', file), 'utf8'));
}

describe('vectors written by Python 2.7 (marshal versions 0-2)', () => {
  const { python, vectors } = loadVectors('py2.json');
  test('the file holds what make_vectors.py writes', () => {
    expect(python).toMatch(/^2\.7\./);
    expect(new Set(vectors.map((v) => v.version))).toEqual(new Set([0, 1, 2]));
    expect(vectors.length).toBeGreaterThan(150);
  });
  test.each(vectors.map((v) => [`${v.name} v${v.version}`, v] as const))('%s', (_n, v) => {
    const d = decodeMarshal(hex(v.hex));
    expect(d.end).toBe(v.hex.length / 2);
    expect(d.value).toEqual(expected(v.value, false));
    const py2Str = has(v.value, (x) => x.t === 'str' && x.py2bytes === true);
    const unicode = has(v.value, (x) => x.t === 'str' && !x.py2bytes);
    // Python 2 byte strings are proof; unicode alone reads the same as Python 3.0-3.3 data.
    if (py2Str) expect(d.pythonVersion).toBe(2);
    else if (unicode) expect(d.pythonVersion).toBe(3);
    else expect(d.pythonVersion).toBe(2);
  });
});

describe('vectors written by Python 3 (marshal versions 0-4)', () => {
  const { python, vectors } = loadVectors('py3.json');
  test('the file holds what make_vectors.py writes', () => {
    expect(python).toMatch(/^3\./);
    expect(new Set(vectors.map((v) => v.version))).toEqual(new Set([0, 1, 2, 3, 4]));
    expect(vectors.length).toBeGreaterThan(300);
  });
  test.each(vectors.map((v) => [`${v.name} v${v.version}`, v] as const))('%s', (_n, v) => {
    const buf = hex(v.hex);
    const d = decodeMarshal(buf);
    expect(d.end).toBe(buf.length);
    const hasBytes = has(v.value, (x) => x.t === 'bytes');
    const hasStr = has(v.value, (x) => x.t === 'str');
    if (buf[0] & 0x80) {
      expect(d.pythonVersion).toBe(3);
      expect(d.value).toEqual(expected(v.value, false));
    } else if (hasBytes && v.version < 3) {
      // Unflagged 's' is exactly what Python 2 writes for its str: without flags to tell
      // them apart, bytes read as Python 2 text (pstats dumps never hold bytes).
      expect(d.pythonVersion).toBe(2);
      expect(d.value).toEqual(expected(v.value, true));
    } else {
      expect(d.pythonVersion).toBe(hasStr ? 3 : 2);
      expect(d.value).toEqual(expected(v.value, false));
    }
  });
});
