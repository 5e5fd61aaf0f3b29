/**
 * The safe Python-literal parser against CPython's own `ast.literal_eval`: the expected
 * values in fixtures/pyliteral/vectors.json were made by make_vectors.py (hand-written
 * literals covering every escape, prefix, number form and container, plus repr() of random
 * strings, bytes and tuples). Then what must fail, and how.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PyValue } from '../../src/import/marshal';
import { LiteralError, MAX_LITERAL_DEPTH, parsePyLiteral } from '../../src/import/pyliteral';
import { InputError } from '../../src/errors';

interface Vectors {
  python: string;
  values: Array<{ src: string; value: unknown }>;
  errors: string[];
}

const vectors = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'pyliteral', 'vectors.json'), 'utf8')) as Vectors;

/** Our value in the typed JSON form make_vectors.py writes. */
function typed(v: PyValue): unknown {
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return { int: v.toString() };
  if (typeof v === 'number') return { num: v };
  if (typeof v === 'string') return { str: v };
  switch (v.type) {
    case 'bytes':
      return { bytes: [...v.data] };
    case 'tuple':
      return { tuple: v.items.map(typed) };
    case 'list':
      return { list: v.items.map(typed) };
    case 'dict':
      return { dict: v.entries.map(([k, x]) => [typed(k), typed(x)]) };
    case 'set':
    case 'frozenset':
      return { set: v.items.map(typed) };
    default:
      throw new Error(`unexpected ${v.type}`);
  }
}

/**
 * Python's typed values in the form ours take: like the marshal decoder, the parser gives a
 * JS number for a float and for an int that fits one exactly, and a bigint beyond 2**53.
 * Set items are sorted the same way on both sides.
 */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('float' in o) return { num: Number(o.float) };
    if ('int' in o) {
      const big = BigInt(o.int as string);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? { num: Number(big) } : { int: big.toString() };
    }
    if ('set' in o) {
      const items = (o.set as unknown[]).map(normalise);
      return { set: items.sort((a, b) => pyJson(a).localeCompare(pyJson(b))) };
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, normalise(x)]));
  }
  return v;
}

/** json.dumps' spacing, close enough to sort the few small sets in the vectors the same way. */
function pyJson(v: unknown): string {
  return JSON.stringify(v).replace(/([:,])/g, '$1 ');
}

describe('values, against ast.literal_eval', () => {
  it(`has vectors from CPython ${vectors.python}`, () => {
    expect(vectors.values.length).toBeGreaterThan(300);
  });

  it.each(vectors.values.map((v, i) => [i, v.src, v.value] as const))('vector %i: %j', (_i, src, value) => {
    expect(normalise(typed(parsePyLiteral(src)))).toEqual(normalise(value));
  });

  it('keeps lone surrogates and astral characters as Python has them', () => {
    expect(parsePyLiteral("'\\ud800x\\U0001F600'")).toBe('\ud800x\u{1F600}');
    expect(parsePyLiteral("'\u{1F600}'")).toBe('\u{1F600}');
  });

  it('reads ints beyond 2**53 exactly, as bigint, and smaller ones as numbers', () => {
    expect(parsePyLiteral('9007199254740991')).toBe(9007199254740991);
    expect(parsePyLiteral('9007199254740993')).toBe(9007199254740993n);
    expect(parsePyLiteral('-0x20000000000001')).toBe(-9007199254740993n);
  });

  it('gives -0 for the float -0.0 only', () => {
    expect(Object.is(parsePyLiteral('-0'), 0)).toBe(true);
    expect(Object.is(parsePyLiteral('-0.0'), -0)).toBe(true);
  });

  it('keeps every entry of a dict as written (a repeated key is for the reader to resolve)', () => {
    expect(parsePyLiteral('{1: 1, 1: 2}')).toEqual({ type: 'dict', entries: [[1, 1], [1, 2]] });
  });

  it("reads Python 2's long suffix", () => {
    expect(parsePyLiteral('12L')).toBe(12);
  });

  it('reads \\r\\n line ends inside strings as Python does', () => {
    expect(parsePyLiteral("'''a\r\nb\rc'''")).toBe('a\nb\nc');
  });
});

describe('errors', () => {
  it.each(vectors.errors.map((src) => [src.length > 40 ? src.slice(0, 40) + '...' : src, src]))(
    'rejects %j (as CPython does, or on purpose)',
    (_shown, src) => {
      expect(() => parsePyLiteral(src)).toThrow(LiteralError);
    },
  );

  it('is an InputError (one line, exit 1 in the CLI)', () => {
    expect(() => parsePyLiteral('x')).toThrow(InputError);
  });

  const cases: Array<[string, string]> = [
    ['foo', "line 1, column 1: 'foo' is a name, not a literal (nothing is evaluated)"],
    ["__import__('os').system('rm -rf /')", "line 1, column 1: '__import__' is a name, not a literal"],
    ["(1,\n 2,\n x)", "line 3, column 2: 'x' is a name"],
    ["{1: 2\n  3}", "line 2, column 3: expected ',' or '}'"],
    ['[1 2]', "line 1, column 4: expected ',' or ']'"],
    ["'abc", 'line 1, column 1: this string is never closed'],
    ["'ab\ncd'", 'line 1, column 1: a newline inside a one-line string'],
    ["f'{x}'", 'line 1, column 1: f-strings are not literals'],
    ["'\\x4g'", 'line 1, column 2: truncated \\x escape: expected 2 hex digits'],
    ["'\\U00110000'", 'line 1, column 2: \\U00110000 is beyond the last Unicode code point'],
    ["'\\N{BULLET}'", 'line 1, column 2: \\N{...} escapes (characters by Unicode name) are not supported'],
    ['1j', 'line 1, column 1: complex numbers are not supported'],
    ['0123', 'line 1, column 1: leading zeros in a decimal number are not allowed'],
    ["b'\u00e9'", 'line 1, column 3: bytes literals can only hold ASCII characters'],
    ["'a' b'b'", 'line 1, column 5: cannot mix bytes and str literals'],
    ['1 + 2', "line 1, column 3: expected the end of the literal, found \"+ 2\""],
    ['', 'line 1, column 1: expected a value, found the end of the input'],
  ];
  it.each(cases)('%j: says where and what', (src, message) => {
    let err: unknown;
    try {
      parsePyLiteral(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(LiteralError);
    expect((err as Error).message.startsWith(message)).toBe(true);
    expect((err as Error).message).not.toContain('\n');
  });

  it('bounds nesting instead of overflowing the stack', () => {
    const deep = '('.repeat(MAX_LITERAL_DEPTH + 5) + ')'.repeat(MAX_LITERAL_DEPTH + 5);
    expect(() => parsePyLiteral(deep)).toThrow(`nested more than ${MAX_LITERAL_DEPTH} brackets deep`);
    const fine = '('.repeat(50) + '1,' + ')'.repeat(50);
    expect(() => parsePyLiteral(fine)).not.toThrow();
    // A million open brackets: an error, quickly, not a crash.
    expect(() => parsePyLiteral('['.repeat(1_000_000))).toThrow(LiteralError);
  });

  it('quotes what it found with control characters escaped', () => {
    expect(() => parsePyLiteral('\u001b[31mred')).toThrow('found "\\u001b[31mred"');
  });
});

describe('line numbers of containers', () => {
  it('reports the line each tuple, list, dict and set starts on', () => {
    const lines = new WeakMap<object, number>();
    const v = parsePyLiteral("{\n  (1, 2): [3],\n\n  'k': {4}}", { lines }) as Extract<PyValue, { type: 'dict' }>;
    expect(lines.get(v)).toBe(1);
    expect(lines.get(v.entries[0][0] as object)).toBe(2);
    expect(lines.get(v.entries[0][1] as object)).toBe(2);
    expect(lines.get(v.entries[1][1] as object)).toBe(4);
  });
});
