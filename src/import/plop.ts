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
import { keyId } from '../model/keys';
import { badValue, type FuncKey, type SampledProfile, type SampledStack } from '../model/profile';
import { tooDeep, type TextReadOptions } from './folded';
import { decodeText, firstNonBlank, textStart, type Importer } from './importer';
import { describe, type PyValue } from './marshal';
import { parsePyLiteral } from './pyliteral';

const NOT_PLOP = 'not a plop profile';

/** A Python literal dict: text (the pstats importer takes binary data first) whose first character is `{`. */
export const plopImporter = {
  name: 'plop',
  describe: 'plop files',
  extensions: ['.plop'],
  sniff: (b: Uint8Array): boolean => firstNonBlank(b, textStart(b)) === 0x7b,
  read: (bytes: Uint8Array, settings: TextReadOptions) => readPlop(decodeText(bytes), settings),
} as const satisfies Importer;

export function readPlop(text: string, opts: TextReadOptions = { skipBadLines: false }): SampledProfile {
  const lines = new WeakMap<object, number>();
  const top = parsePyLiteral(text, { lines });
  if (!isType(top, 'dict')) {
    throw new InputError(`${NOT_PLOP}: the file holds ${describe(top)}, expected a dict {stack: count}`);
  }
  const funcs: FuncKey[] = [];
  const byKey = new Map<string, number>();
  // Python keeps the last value of a repeated key; so do we.
  const byStack = new Map<string, number>();
  const stacks: SampledStack[] = [];
  let skipped = 0;
  let firstSkipped = '';

  top.entries.forEach(([k, v], n) => {
    const line = lines.get(k as object) ?? lines.get(top) ?? 1;
    const where = `line ${line}: entry ${n + 1}`;
    const problem = entryProblem(k, v);
    if (problem !== undefined) {
      if (!opts.skipBadLines) throw new InputError(`${where}: ${NOT_PLOP}: ${problem}`);
      if (skipped++ === 0) firstSkipped = where;
      return;
    }
    const items = (k as Extract<PyValue, { type: 'tuple' }>).items;
    if (opts.maxDepth !== undefined && items.length > opts.maxDepth) throw tooDeep(where, opts.maxDepth);
    const frames: number[] = [];
    // Innermost first in the file; the model wants outermost first.
    for (let i = items.length - 1; i >= 0; i--) {
      const [file, ln, name] = (items[i] as Extract<PyValue, { type: 'tuple' }>).items;
      const key: FuncKey = { file: file as string, line: Number(ln), name: name as string };
      const id = keyId(key);
      let f = byKey.get(id);
      if (f === undefined) {
        f = funcs.length;
        funcs.push(key);
        byKey.set(id, f);
      }
      frames.push(f);
    }
    const stackId = frames.join(',');
    const stack = { frames, weight: Number(v) };
    const seen = byStack.get(stackId);
    if (seen === undefined) {
      byStack.set(stackId, stacks.length);
      stacks.push(stack);
    } else {
      stacks[seen] = stack;
    }
  });
  const warnings: string[] = [];
  if (skipped > 0) {
    warnings.push(`skipped ${skipped} malformed entr${skipped === 1 ? 'y' : 'ies'} (the first at ${firstSkipped})`);
  }
  return { kind: 'sampled', funcs, stacks, warnings };
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
