/**
 * Folded stacks -> sampled profile: the text flamegraph.pl reads, one `a;b;c 123` line per
 * stack (outermost frame first, then the sample count). Three kinds of frame name occur and
 * may mix in one file:
 *
 * - `file:line:name`, our own --format=log labels. File names may hold ':' themselves
 *   (`C:\app\x.py`), so the line is the last `:DIGITS:` in the name;
 * - `name (file:line)`, plop's `.flame` output;
 * - anything else (other tools' flamegraph.pl input) is a bare name with no location:
 *   `{file: '', line: -1, name}`, drawn and written back under that bare name. Line -1
 *   (never a real line) keeps it apart from a located key with an empty file and line 0,
 *   which the pure-Python `profile` module writes for built-ins (`:0:exec` in our log):
 *   both read back exactly as they were written.
 *
 * plop writes a stray `None 1` as its first line: it is dropped. Blank lines are ignored.
 * Any other line that does not parse is an error naming its line number, or, with
 * `skipBadLines`, is skipped and counted in a warning.
 */
import { InputError } from '../errors';
import { badValue, SampledBuilder, type FuncKey, type SampledProfile } from '../model/profile';
import { readWhole, type Importer, type TextSink } from './importer';

/** Any text that no importer before it claims: flamegraph.pl's input and our log are folded stacks, so are empty files. */
export const foldedImporter = {
  name: 'folded',
  describe: 'folded stacks',
  extensions: ['.folded', '.flame', '.stacks', '.log', '.txt'],
  sniff: (): boolean => true,
  read: (bytes: Uint8Array, settings: TextReadOptions) => readWhole(new FoldedSink(settings), bytes),
  stream: (settings: TextReadOptions): TextSink => new FoldedSink(settings),
} as const satisfies Importer;

export interface TextReadOptions {
  /** Skip malformed lines (counted in a warning) instead of failing on the first. */
  readonly skipBadLines: boolean;
  /** Fail at a stack deeper than this (see Options.maxDepth). Default: none. */
  readonly maxDepth?: number;
}

/** The error for a stack past `maxDepth`, which no option but --max-depth lets through. */
export function tooDeep(where: string, maxDepth: number): InputError {
  return new InputError(`${where}: the stack is more than ${maxDepth} frames deep (the limit is --max-depth ${maxDepth})`);
}

/** Whether `stack` has more than `max` frames (counted only as far as `max`). */
function deeperThan(stack: string, max: number): boolean {
  let at = -1;
  for (let frames = 1; frames <= max; frames++) {
    at = stack.indexOf(';', at + 1);
    if (at < 0) return false;
  }
  return true;
}

/** The line of a bare frame name, which has no location. */
export const NO_LINE = -1;

const LINE = /^(.*?)\s+(\d+(?:\.\d*)?)$/s;
/** The line number group allows 15 digits: any more cannot be a real line and would lose precision. */
const OUR_LABEL = /^(.*):(\d{1,15}):(.*)$/s;
const PLOP_FRAME = /^(.*?) \((.*):(\d{1,15})\)$/s;

/** How a bad line is quoted in a message: short, and with control characters escaped. */
export function quoteLine(s: string, max = 60): string {
  return JSON.stringify(s.length > max ? s.slice(0, max) + '…' : s);
}

export function readFolded(text: string, opts: TextReadOptions = { skipBadLines: false }): SampledProfile {
  const sink = new FoldedSink(opts);
  sink.write(text);
  return sink.end();
}

/** The longest line read: beyond it a line is no stack a graph could draw. */
export const MAX_LINE = 1 << 27;

/**
 * Folded stacks as they come, a line at a time: each distinct stack is kept once with the sum
 * of its counts, so that memory grows with the distinct stacks, not with the lines.
 */
export class FoldedSink implements TextSink {
  private readonly profile = new SampledBuilder();
  /** A frame's name as written -> its function (names are parsed once). */
  private readonly byName = new Map<string, number>();
  /** The text of a line that has not ended yet. */
  private rest = '';
  private lineNo = 0;
  private skipped = 0;
  private firstSkipped = 0;
  private sawLine = false;

  constructor(private readonly opts: TextReadOptions) {}

  write(text: string): void {
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const line = this.rest === '' ? text.slice(start, end) : this.rest + text.slice(start, end);
      this.rest = '';
      this.line(line);
      start = end + 1;
    }
    if (start < text.length) {
      this.rest += text.slice(start);
      if (this.rest.length > MAX_LINE) throw new InputError(`line ${this.lineNo + 1}: longer than ${MAX_LINE >> 20} MB`);
    }
  }

  end(): SampledProfile {
    const last = this.rest;
    this.rest = '';
    this.line(last);
    const warnings: string[] = [];
    if (this.skipped > 0) {
      warnings.push(`skipped ${this.skipped} malformed line${this.skipped === 1 ? '' : 's'} (the first is line ${this.firstSkipped})`);
    }
    return this.profile.build({ warnings });
  }

  private line(raw: string): void {
    const lineNo = ++this.lineNo;
    const line = raw.trim();
    if (line === '') return;
    const first = !this.sawLine;
    this.sawLine = true;
    if (first && /^None\s+\d+$/.test(line)) return; // plop's stray first line
    const opts = this.opts;
    if (opts.maxDepth !== undefined && deeperThan(line, opts.maxDepth)) throw tooDeep(`line ${lineNo}`, opts.maxDepth);
    const parsed = parseLine(line);
    if (typeof parsed === 'string') {
      if (!opts.skipBadLines) throw new InputError(`line ${lineNo}: ${parsed}`);
      if (this.skipped++ === 0) this.firstSkipped = lineNo;
      return;
    }
    this.profile.add(
      parsed.frames.map((name) => this.intern(name)),
      parsed.weight,
    );
  }

  private intern(name: string): number {
    let i = this.byName.get(name);
    if (i === undefined) {
      i = this.profile.func(parseFrameName(name));
      this.byName.set(name, i);
    }
    return i;
  }
}

/** A line's frames and count, or what is wrong with it. */
function parseLine(line: string): { frames: string[]; weight: number } | string {
  const m = LINE.exec(line);
  if (m === null || m[1] === '') {
    return `expected "stack count" (frames separated by ';', a space, a sample count), got ${quoteLine(line)}`;
  }
  const weight = Number(m[2]);
  const bad = badValue(weight);
  if (bad !== undefined) return `the sample count ${quoteLine(m[2])} is ${bad}`;
  const frames = m[1].split(';');
  const empty = frames.indexOf('');
  if (empty >= 0) return `frame ${empty + 1} of the stack is empty, in ${quoteLine(line)}`;
  return { frames, weight };
}

/** A frame name as a function key; see the module comment for the three forms. */
export function parseFrameName(name: string): FuncKey {
  let m = OUR_LABEL.exec(name);
  if (m !== null) return { file: m[1], line: Number(m[2]), name: m[3] };
  m = PLOP_FRAME.exec(name);
  if (m !== null) return { file: m[2], line: Number(m[3]), name: m[1] };
  return { file: '', line: NO_LINE, name };
}
