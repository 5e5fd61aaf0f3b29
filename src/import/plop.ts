/**
 * plop's `.plop` output -> sampled profile. The file is `repr()` of a dict
 * `{((file, line, function), ...): count}` whose keys are stacks, innermost frame first.
 * It is read with the safe literal parser: nothing in it is evaluated.
 *
 * The line in a plop frame is the line being run in that function when the sample was
 * taken, so one Python function can appear as several frames (one per line): that is
 * what plop recorded, and we keep it.
 */
import { InputError } from '../errors';
import { badValue, SampledBuilder, type SampledProfile } from '../model/profile';
import { tooDeep, type TextReadOptions } from './folded';
import { firstNonBlank, readWhole, textStart, type Importer, type TextSink } from './importer';
import { describe, type PyValue } from './marshal';
import { LiteralError, parsePyLiteral } from './pyliteral';

const NOT_PLOP = 'not a plop profile';

/** A Python literal dict: text (the pstats importer takes binary data first) whose first character is `{`. */
export const plopImporter = {
  name: 'plop',
  describe: 'plop files',
  extensions: ['.plop'],
  sniff: (b: Uint8Array): boolean => firstNonBlank(b, textStart(b)) === 0x7b,
  read: (bytes: Uint8Array, settings: TextReadOptions) => readWhole(new PlopSink(settings), bytes),
  stream: (settings: TextReadOptions): TextSink => new PlopSink(settings),
} as const satisfies Importer;

export function readPlop(text: string, opts: TextReadOptions = { skipBadLines: false }): SampledProfile {
  const sink = new PlopSink(opts);
  sink.write(text);
  return sink.end();
}

/** What an entry is parsed after: an entry before it, so that it is read as a dict's. */
const ENTRY_BEFORE = '{0: 0,';

/** The longest entry read: beyond it an entry is no stack a graph could draw. */
const MAX_ENTRY = 1 << 27;

/**
 * A plop dict as it comes: the text is cut into its `stack: count` entries where a comma or
 * the closing brace stands outside any string, bracket or comment, and each entry is parsed
 * on its own (as `{entry}`), so that memory grows with the distinct stacks, not the text.
 * Errors give the line and column in the whole file, as one parse of it would.
 */
export class PlopSink implements TextSink {
  private readonly profile = new SampledBuilder();
  private skipped = 0;
  private firstSkipped = '';
  private entries = 0;
  /** Text not yet scanned (held back only to see a whole triple quote or a CRLF). */
  private pending = '';
  /** Where the scan is, in the whole file: line and column (from 1) of the next character. */
  private line = 1;
  private column = 1;
  /** Before the dict, in it, or after it. */
  private phase: 'before' | 'in' | 'after' = 'before';
  /** The entry being gathered, and where it starts. */
  private entry = '';
  private entryLine = 1;
  private entryColumn = 1;
  /** Inside an entry: bracket depth, the open string's quote ('' when none, 3 characters when triple), a comment. */
  private depth = 0;
  private quote = '';
  private comment = false;
  /** The whole text, while it does not start with a dict (then it is no plop file: parsed whole to say what it is). */
  private other = '';

  constructor(private readonly opts: TextReadOptions) {}

  write(text: string): void {
    if (this.phase === 'before' && this.other !== '') {
      this.other += text;
      return;
    }
    this.pending += text;
    this.scan(false);
  }

  end(): SampledProfile {
    this.scan(true);
    if (this.other !== '' || this.phase === 'before') return this.notADict();
    if (this.phase === 'in') this.fail("expected ',' or '}', found the end of the input", this.line, this.column);
    const warnings: string[] = [];
    if (this.skipped > 0) {
      warnings.push(`skipped ${this.skipped} malformed entr${this.skipped === 1 ? 'y' : 'ies'} (the first at ${this.firstSkipped})`);
    }
    return this.profile.build({ warnings });
  }

  private scan(last: boolean): void {
    const t = this.pending;
    let i = 0;
    // Each step may look two characters ahead (a triple quote); the last piece is scanned whole.
    const stop = last ? t.length : t.length - 2;
    for (; i < stop; i++) {
      const c = t[i];
      if (this.phase !== 'in' && this.comment) {
        if (c === '\n') this.comment = false;
      } else if (this.phase !== 'in' && c === '#') {
        this.comment = true;
      } else if (this.phase === 'before') {
        if (c === '{') this.open();
        else if (!(c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\ufeff')) {
          // Not a dict (or a comment first): gathered whole, to be parsed for what it is.
          this.other = t.slice(i);
          this.pending = '';
          return;
        }
      } else if (this.phase === 'in') {
        i = this.inEntry(t, i);
      } else if (!(c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f')) {
        this.fail('expected the end of the literal', this.line, this.column, t.slice(i, i + 20));
      }
      this.advance(t[i]);
    }
    this.pending = t.slice(i);
  }

  /** One character of the dict's inside at `t[i]`; returns the index of the last one taken. */
  private inEntry(t: string, i: number): number {
    const c = t[i];
    if (this.comment) {
      if (c === '\n') this.comment = false;
    } else if (this.quote !== '') {
      if (c === '\\') {
        this.entry += c + (t[i + 1] ?? '');
        this.advance(c);
        return i + 1;
      }
      if (c === this.quote[0] && (this.quote.length === 1 || (t[i + 1] === c && t[i + 2] === c))) {
        this.entry += this.quote;
        for (let k = 1; k < this.quote.length; k++) this.advance(t[i + k - 1]);
        i += this.quote.length - 1;
        this.quote = '';
        return i;
      }
    } else if (c === "'" || c === '"') {
      this.quote = t[i + 1] === c && t[i + 2] === c ? c + c + c : c;
      this.entry += this.quote;
      for (let k = 1; k < this.quote.length; k++) this.advance(t[i + k - 1]);
      return i + this.quote.length - 1;
    } else if (c === '#') {
      this.comment = true;
    } else if (c === '(' || c === '[' || c === '{') {
      this.depth++;
    } else if (c === ')' || c === ']' || c === '}') {
      if (this.depth === 0 && c === '}') {
        this.take(c);
        this.phase = 'after';
        return i;
      }
      this.depth--;
    } else if (c === ',' && this.depth === 0) {
      this.take(c);
      this.entryLine = this.line;
      this.entryColumn = this.column + 1;
      return i;
    }
    if (this.entry.length >= MAX_ENTRY) this.fail(`an entry longer than ${MAX_ENTRY >> 20} MB`, this.entryLine, this.entryColumn);
    this.entry += c;
    return i;
  }

  private open(): void {
    this.phase = 'in';
    this.entryLine = this.line;
    this.entryColumn = this.column + 1;
  }

  private advance(c: string): void {
    if (c === '\n') {
      this.line++;
      this.column = 1;
    } else {
      this.column++;
    }
  }

  /**
   * The entry gathered so far, parsed in a dict as one parse of the file meets it (after an
   * entry, and followed by what ends it in the file), and added; an empty one (after a last
   * comma) is nothing.
   */
  private take(end: string): void {
    const text = this.entry;
    this.entry = '';
    if (text.trim() === '' && !text.includes('#')) return;
    const lines = new WeakMap<object, number>();
    let dict: PyValue;
    try {
      dict = parsePyLiteral(`${ENTRY_BEFORE}${text}${end}${end === ',' ? '}' : ''}`, { lines });
    } catch (err) {
      if (!(err instanceof LiteralError)) throw err;
      // Back to the file's own line and column: the entry's text starts at (entryLine, entryColumn).
      const line = this.entryLine + err.line - 1;
      const column = err.line === 1 ? this.entryColumn + err.column - 1 - ENTRY_BEFORE.length : err.column;
      throw new LiteralError(line, column, err.what);
    }
    if (!isType(dict, 'dict') || dict.entries.length < 2) return;
    for (const [k, v] of dict.entries.slice(1)) {
      const n = ++this.entries;
      const line = this.entryLine + (lines.get(k as object) ?? lines.get(dict) ?? 1) - 1;
      this.add(k, v, `line ${line}: entry ${n}`);
    }
  }

  private add(k: PyValue, v: PyValue, where: string): void {
    const opts = this.opts;
    const problem = entryProblem(k, v);
    if (problem !== undefined) {
      if (!opts.skipBadLines) throw new InputError(`${where}: ${NOT_PLOP}: ${problem}`);
      if (this.skipped++ === 0) this.firstSkipped = where;
      return;
    }
    const items = (k as Extract<PyValue, { type: 'tuple' }>).items;
    if (opts.maxDepth !== undefined && items.length > opts.maxDepth) throw tooDeep(where, opts.maxDepth);
    const frames: number[] = [];
    // Innermost first in the file; the model wants outermost first.
    for (let i = items.length - 1; i >= 0; i--) {
      const [file, ln, name] = (items[i] as Extract<PyValue, { type: 'tuple' }>).items;
      frames.push(this.profile.func({ file: file as string, line: Number(ln), name: name as string }));
    }
    // Python keeps the last value of a repeated key; so do we.
    this.profile.add(frames, Number(v), true);
  }

  /** A text that is no dict: parsed whole (the error says why), else named for what it holds. */
  private notADict(): never {
    const top = parsePyLiteral(this.other === '' ? this.pending : this.other);
    throw new InputError(`${NOT_PLOP}: the file holds ${describe(top)}, expected a dict {stack: count}`);
  }

  private fail(what: string, line: number, column: number, near?: string): never {
    throw new LiteralError(line, column, what + (near === undefined ? '' : `, found ${JSON.stringify(near)}`));
  }
}

/** What is wrong with one `stack: count` entry, or undefined when it is fine. */
function entryProblem(k: PyValue, v: PyValue): string | undefined {
  if (!isType(k, 'tuple')) return `the stack is ${describe(k)}, expected a tuple of (file, line, function) tuples`;
  if (k.items.length === 0) return 'the stack is empty';
  for (let i = 0; i < k.items.length; i++) {
    const f = k.items[i];
    const ok =
      isType(f, 'tuple') &&
      f.items.length === 3 &&
      typeof f.items[0] === 'string' &&
      isLine(f.items[1]) &&
      typeof f.items[2] === 'string';
    if (!ok) return `frame ${i + 1} of the stack is ${describe(f)}, expected a (file, line, function) tuple`;
  }
  const okCount = (typeof v === 'number' || typeof v === 'bigint') && v >= 0 && badValue(Number(v)) === undefined;
  if (!okCount) return `the count is ${describe(v)}${typeof v === 'number' || typeof v === 'bigint' ? ` (${v})` : ''}, expected a sample count (a number from 0 to 1e300)`;
  return undefined;
}

function isLine(v: PyValue): boolean {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function isType<T extends string>(v: PyValue, type: T): v is Extract<PyValue, { type: T }> {
  return typeof v === 'object' && v !== null && 'type' in v && v.type === type;
}
