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
import { keyId } from '../model/keys';
import { badValue, type FuncKey, type SampledProfile, type SampledStack } from '../model/profile';
import { decodeText, type Importer } from './importer';

/** Any text that no importer before it claims: flamegraph.pl's input and our log are folded stacks, so are empty files. */
export const foldedImporter = {
  name: 'folded',
  describe: 'folded stacks',
  extensions: ['.folded', '.flame', '.stacks', '.log', '.txt'],
  sniff: (): boolean => true,
  read: (bytes: Uint8Array, settings: TextReadOptions) => readFolded(decodeText(bytes), settings),
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
  const funcs: FuncKey[] = [];
  const byName = new Map<string, number>();
  const byKey = new Map<string, number>();
  const stacks: SampledStack[] = [];
  const intern = (name: string): number => {
    let i = byName.get(name);
    if (i === undefined) {
      const key = parseFrameName(name);
      const id = keyId(key);
      i = byKey.get(id);
      if (i === undefined) {
        i = funcs.length;
        funcs.push(key);
        byKey.set(id, i);
      }
      byName.set(name, i);
    }
    return i;
  };

  let skipped = 0;
  let firstSkipped = 0;
  let sawLine = false;
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    const first = !sawLine;
    sawLine = true;
    if (first && /^None\s+\d+$/.test(line)) continue; // plop's stray first line
    if (opts.maxDepth !== undefined && deeperThan(line, opts.maxDepth)) throw tooDeep(`line ${lineNo}`, opts.maxDepth);
    const problem = parseLine(line);
    if (typeof problem === 'string') {
      if (!opts.skipBadLines) throw new InputError(`line ${lineNo}: ${problem}`);
      if (skipped++ === 0) firstSkipped = lineNo;
      continue;
    }
    stacks.push({ frames: problem.frames.map(intern), weight: problem.weight });
  }
  const warnings: string[] = [];
  if (skipped > 0) {
    warnings.push(`skipped ${skipped} malformed line${skipped === 1 ? '' : 's'} (the first is line ${firstSkipped})`);
  }
  return { kind: 'sampled', funcs, stacks, warnings };
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
