/**
 * A parser for Python literals, the subset `ast.literal_eval` accepts that data files use:
 * None, True, False, ints (any base, `_` separators, Python 2's `L` suffix), floats, str and
 * bytes literals (every prefix, every escape but `\N{name}`), implicit concatenation of
 * adjacent strings, tuples, lists, dicts and sets, a sign in front of a number, comments.
 *
 * Nothing is evaluated: a name, a call or an operator is a syntax error. The input is
 * untrusted, so nesting is bounded and every error says where (line and column) and what
 * was expected there. Values come out in the same shape as the marshal decoder's, so the
 * loaders check both the same way: a JS number for floats and for ints that fit one
 * exactly, a bigint for bigger ints, dict entries as written (a repeated key included).
 */
import { InputError } from '../errors';
import type { PyValue } from './marshal';

/** CPython's parser gives up at about 200 nested brackets; so do we. */
export const MAX_LITERAL_DEPTH = 200;

export class LiteralError extends InputError {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly what: string,
  ) {
    super(`line ${line}, column ${column}: ${what}`);
    this.name = 'LiteralError';
  }
}

export interface LiteralOptions {
  /** If given, receives the line (from 1) on which each tuple, list, dict and set starts. */
  readonly lines?: WeakMap<object, number>;
}

/** Parse one literal that makes up the whole of `text` (surrounding whitespace and comments allowed). */
export function parsePyLiteral(text: string, opts: LiteralOptions = {}): PyValue {
  const p = new Parser(text, opts.lines);
  p.skipSpace();
  const value = p.value(0);
  p.skipSpace();
  if (p.pos < text.length) p.fail('expected the end of the literal');
  return value;
}

const ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

class Parser {
  pos = 0;
  /** Whether the last number read was a float literal (JS numbers do not say). */
  lastWasFloat = false;
  /** Offsets of the newlines, for `lines` (found once: most containers never ask). */
  private newlines: number[] | undefined;
  constructor(
    readonly text: string,
    private readonly lines: WeakMap<object, number> | undefined,
  ) {}

  private note<T extends PyValue>(v: T, at: number): T {
    if (this.lines === undefined || v === null || typeof v !== 'object') return v;
    if (this.newlines === undefined) {
      this.newlines = [];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.newlines.push(i);
    }
    let lo = 0;
    let hi = this.newlines.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.newlines[mid] < at) lo = mid + 1;
      else hi = mid;
    }
    this.lines.set(v, lo + 1);
    return v;
  }

  fail(what: string, at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new LiteralError(line, column, what + this.near(at));
  }

  private near(at: number): string {
    if (at >= this.text.length) return ', found the end of the input';
    return `, found ${JSON.stringify(this.text.slice(at, at + 20))}`;
  }

  /**
   * Skip blanks and comments. Outside brackets a newline ends a Python statement, but a
   * literal file is one expression, so newlines are blanks here too; a backslash before a
   * newline is a line continuation.
   */
  skipSpace(): void {
    const t = this.text;
    for (;;) {
      const c = t[this.pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.pos++;
      else if (c === '#') {
        while (this.pos < t.length && t[this.pos] !== '\n') this.pos++;
      } else if (c === '\\' && (t[this.pos + 1] === '\n' || (t[this.pos + 1] === '\r' && t[this.pos + 2] === '\n'))) {
        this.pos += t[this.pos + 1] === '\n' ? 2 : 3;
      } else if (c === '\ufeff' && this.pos === 0) this.pos++;
      else return;
    }
  }

  value(depth: number): PyValue {
    if (depth > MAX_LITERAL_DEPTH) this.fail(`nested more than ${MAX_LITERAL_DEPTH} brackets deep`);
    const t = this.text;
    const c = t[this.pos];
    const at = this.pos;
    if (c === '(') return this.note(this.sequence(depth, ')', 'tuple'), at);
    if (c === '[') return this.note(this.sequence(depth, ']', 'list'), at);
    if (c === '{') return this.note(this.braces(depth), at);
    if (c === '-' || c === '+') {
      const start = this.pos;
      this.pos++;
      this.skipSpace();
      const v = this.number();
      if (v === undefined) this.fail(`expected a number after '${c}'`, start);
      if (c === '+') return v;
      // An int has no negative zero: -0 is 0 (but -0.0 stays a negative zero float).
      return v === 0 && !this.lastWasFloat ? 0 : -v;
    }
    const n = this.number();
    if (n !== undefined) return n;
    const s = this.strings();
    if (s !== undefined) return s;
    const word = /[A-Za-z_][A-Za-z0-9_]*/y;
    word.lastIndex = this.pos;
    const m = word.exec(t);
    if (m) {
      if (m[0] === 'None') return this.advance(4, null);
      if (m[0] === 'True') return this.advance(4, true);
      if (m[0] === 'False') return this.advance(5, false);
      this.fail(`'${m[0]}' is a name, not a literal (nothing is evaluated)`);
    }
    this.fail('expected a value');
  }

  private advance<T>(n: number, v: T): T {
    this.pos += n;
    return v;
  }

  /** `(...)` or `[...]`. A parenthesised single value without a comma is that value, as in Python. */
  private sequence(depth: number, close: string, type: 'tuple' | 'list'): PyValue {
    this.pos++;
    const items: PyValue[] = [];
    let sawComma = false;
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] === close) {
        this.pos++;
        break;
      }
      items.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.text[this.pos];
      if (c === ',') {
        sawComma = true;
        this.pos++;
      } else if (c === close) {
        this.pos++;
        break;
      } else this.fail(`expected ',' or '${close}'`);
    }
    if (type === 'tuple' && items.length === 1 && !sawComma) return items[0];
    return { type, items };
  }

  /** `{}` is a dict; `{a: b, ...}` a dict; `{a, ...}` a set. */
  private braces(depth: number): PyValue {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { type: 'dict', entries: [] };
    }
    const first = this.value(depth + 1);
    this.skipSpace();
    if (this.text[this.pos] === ':') {
      const entries: Array<[PyValue, PyValue]> = [];
      let key = first;
      for (;;) {
        this.expect(':');
        this.skipSpace();
        const v = this.value(depth + 1);
        entries.push([key, v]);
        this.skipSpace();
        if (this.text[this.pos] === '}') {
          this.pos++;
          return { type: 'dict', entries };
        }
        this.expect(',', "expected ',' or '}'");
        this.skipSpace();
        if (this.text[this.pos] === '}') {
          this.pos++;
          return { type: 'dict', entries };
        }
        key = this.value(depth + 1);
        this.skipSpace();
      }
    }
    const items = [first];
    for (;;) {
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { type: 'set', items };
      }
      this.expect(',', "expected ',' or '}'");
      this.skipSpace();
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { type: 'set', items };
      }
      items.push(this.value(depth + 1));
      this.skipSpace();
    }
  }

  private expect(c: string, what = `expected '${c}'`): void {
    if (this.text[this.pos] !== c) this.fail(what);
    this.pos++;
  }

  /** An unsigned int or float literal at the current position, or undefined when there is none. */
  number(): number | bigint | undefined {
    const t = this.text;
    const start = this.pos;
    const re = /0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:[eE][-+]?\d(?:_?\d)*)?/y;
    re.lastIndex = start;
    const m = re.exec(t);
    const s = m ? m[0] : '';
    if (!/\d/.test(s.replace(/[eE].*$/, ''))) return undefined;
    this.pos = start + s.length;
    const next = t[this.pos];
    if (next === 'j' || next === 'J') this.fail('complex numbers are not supported', start);
    const clean = s.replace(/_/g, '');
    const isFloat = /^[^xXoObB]*[.eE]/.test(clean) && !/^0[xXoObB]/.test(clean);
    this.lastWasFloat = isFloat;
    if (isFloat) {
      if (next !== undefined && /[A-Za-z0-9_]/.test(next)) this.fail('malformed number', start);
      return Number(clean);
    }
    // Python 2 long suffix.
    if (next === 'L' || next === 'l') this.pos++;
    const after = t[this.pos];
    if (after !== undefined && /[A-Za-z0-9_.]/.test(after)) this.fail('malformed number', start);
    if (/^0\d/.test(clean) && !/^0+$/.test(clean)) {
      // Python 3 rejects 0123 (Python 2 read it as octal): say so rather than guess.
      this.fail('leading zeros in a decimal number are not allowed (use 0o for octal)', start);
    }
    const big = /^0[xXoObB]/.test(clean) ? BigInt('0' + clean[1].toLowerCase() + clean.slice(2)) : BigInt(clean);
    return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  /** One or more adjacent string literals (Python joins them), or undefined when there is none. */
  strings(): PyValue | undefined {
    const first = this.stringLiteral();
    if (first === undefined) return undefined;
    let text = first.text;
    const isBytes = first.bytes;
    for (;;) {
      const save = this.pos;
      this.skipSpace();
      const start = this.pos;
      const next = this.stringLiteral();
      if (next === undefined) {
        this.pos = save;
        break;
      }
      if (next.bytes !== isBytes) this.fail('cannot mix bytes and str literals', start);
      text += next.text;
    }
    if (!isBytes) return text;
    const data = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) data[i] = text.charCodeAt(i);
    return { type: 'bytes', data };
  }

  /** A single literal with its prefix; bytes come back as one char per byte. */
  private stringLiteral(): { text: string; bytes: boolean } | undefined {
    const t = this.text;
    const pre = /([rRbBuUfF]{0,2})(['"])/y;
    pre.lastIndex = this.pos;
    const m = pre.exec(t);
    if (!m) return undefined;
    const prefix = m[1].toLowerCase();
    const valid = ['', 'r', 'u', 'b', 'br', 'rb'];
    if (!valid.includes(prefix)) {
      if (prefix.includes('f')) this.fail('f-strings are not literals (nothing is evaluated)');
      this.fail(`unknown string prefix '${m[1]}'`);
    }
    const start = this.pos;
    this.pos += m[0].length;
    const quote = m[2];
    const triple = t.startsWith(quote + quote, this.pos);
    if (triple) this.pos += 2;
    // Runs of characters with no special meaning are copied in one go.
    const plain = quote === "'" ? /[^'\\\r\n]+/y : /[^"\\\r\n]+/y;
    const raw = prefix.includes('r');
    const bytes = prefix.includes('b');
    let out = '';
    for (;;) {
      if (this.pos >= t.length) this.fail('this string is never closed', start);
      const c = t[this.pos];
      if (c === quote && (!triple || t.startsWith(quote + quote + quote, this.pos))) {
        this.pos += triple ? 3 : 1;
        return { text: out, bytes };
      }
      if ((c === '\n' || c === '\r') && !triple) this.fail('a newline inside a one-line string', start);
      if (bytes && c.charCodeAt(0) > 0x7f) this.fail('bytes literals can only hold ASCII characters');
      plain.lastIndex = this.pos;
      const run = plain.exec(t);
      if (run !== null && run[0].length > 0 && !(bytes && /[^\x00-\x7f]/.test(run[0]))) {
        out += run[0];
        this.pos += run[0].length;
        continue;
      }
      if (c !== '\\') {
        // Python reads \r\n and \r in a source file as \n.
        if (c === '\r') {
          out += '\n';
          this.pos += t[this.pos + 1] === '\n' ? 2 : 1;
        } else {
          const cp = t.codePointAt(this.pos)!;
          const ch = String.fromCodePoint(cp);
          out += ch;
          this.pos += ch.length;
        }
        continue;
      }
      out += raw ? this.rawEscape() : this.escape(bytes);
    }
  }

  /** In a raw string a backslash stays, but still keeps the next character from closing the string. */
  private rawEscape(): string {
    const t = this.text;
    const next = t[this.pos + 1];
    if (next === undefined) this.fail('this string is never closed');
    if (next === '\r' && t[this.pos + 2] === '\n') {
      this.pos += 3;
      return '\\\n';
    }
    this.pos += 2;
    return '\\' + (next === '\r' ? '\n' : next);
  }

  private escape(bytes: boolean): string {
    const t = this.text;
    const at = this.pos;
    const c = t[this.pos + 1];
    this.pos += 2;
    if (c === undefined) this.fail('this string is never closed', at);
    if (c === '\n') return ''; // line continuation inside the string
    if (c === '\r') {
      if (t[this.pos] === '\n') this.pos++;
      return '';
    }
    if (c in ESCAPES) return ESCAPES[c];
    if (c >= '0' && c <= '7') {
      let digits = c;
      while (digits.length < 3 && t[this.pos] >= '0' && t[this.pos] <= '7') digits += t[this.pos++];
      const v = parseInt(digits, 8);
      // Python accepts up to \777 in str; in bytes only values below 256 fit.
      if (bytes && v > 0xff) this.fail(`octal escape \\${digits} is out of range for bytes`, at);
      return String.fromCharCode(v);
    }
    const hex = (n: number, name: string): string => {
      const h = t.slice(this.pos, this.pos + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) this.fail(`truncated \\${name} escape: expected ${n} hex digits`, at);
      this.pos += n;
      const v = parseInt(h, 16);
      if (v > 0x10ffff) this.fail(`\\${name}${h} is beyond the last Unicode code point`, at);
      // Lone surrogates are legal in a Python str; keep them as they are.
      return v > 0xffff ? String.fromCodePoint(v) : String.fromCharCode(v);
    };
    if (c === 'x') return hex(2, 'x');
    if (!bytes) {
      if (c === 'u') return hex(4, 'u');
      if (c === 'U') return hex(8, 'U');
      if (c === 'N') this.fail('\\N{...} escapes (characters by Unicode name) are not supported', at);
    }
    // Python keeps an unknown escape as it is, backslash included (with a warning).
    return '\\' + c;
  }
}
