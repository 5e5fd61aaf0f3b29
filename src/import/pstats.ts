/**
 * pstats dumps -> call-graph profile. Decoding is the marshal module's job; this one checks
 * that the decoded object has the shape pstats writes and turns it into the model.
 */
import { InputError, MarshalError } from '../errors';
import { decodeMarshal, describe, type PyValue } from './marshal';
import { CallGraphBuilder, MAX_VALUE, badValue, funcLabel, type CallGraphProfile, type FuncKey } from '../model/profile';
import { isBinary, textStart, type Importer } from './importer';
import { readPstatsFast } from './pstats-fast';

const NOT_PSTATS = 'not a pstats dump';

/**
 * A pstats dump is one marshalled dict: its first byte is 0xFB (`{` flagged as a reference,
 * Python 3.4+) or `{` (Python 2 and old Python 3), and as binary data it holds NUL bytes
 * early on (every length and int is little-endian int32), except for an empty dict, `{0`.
 * Other binary data (NUL bytes, or not UTF-8) comes here too, to be told what it is not.
 */
export const pstatsImporter = {
  name: 'pstats',
  describe: 'pstats dumps',
  extensions: ['.prof', '.pstats', '.profile', '.cprof'],
  sniff: (b: Uint8Array): boolean =>
    b[0] === 0xfb || (b[0] === 0x7b && ((b.length === 2 && b[1] === 0x30) || isBinary(b, 0))) || isBinary(b, textStart(b)),
  read: (bytes: Uint8Array) => readPstats(bytes),
} as const satisfies Importer;

/** Decode and validate one dump. Errors name what is wrong; the caller adds the file name. */
export function readPstats(bytes: Uint8Array): CallGraphProfile {
  // Most dumps take the direct route; whatever it is unsure of is read (or rejected) below.
  return readPstatsFast(bytes) ?? readPstatsGeneral(bytes);
}

/** `readPstats` by way of the general marshal decoder: every dialect, and the exact errors. */
export function readPstatsGeneral(bytes: Uint8Array): CallGraphProfile {
  if (bytes.length === 0) throw new InputError('empty file');
  try {
    const decoded = decodeMarshal(bytes);
    if (decoded.end !== bytes.length) {
      throw new InputError(
        `${NOT_PSTATS}: ${bytes.length - decoded.end} unexpected bytes after the dump's end at byte ${decoded.end}`,
      );
    }
    return fromDecoded(decoded.value, decoded.pythonVersion, bytes.length);
  } catch (err) {
    // Text can happen to decode a little way (a file starting "N" is None, "i" an int):
    // whatever went wrong, a text file is better told as such than by a byte offset.
    if ((err instanceof MarshalError || err instanceof InputError) && looksLikeText(bytes)) {
      throw new InputError(`${NOT_PSTATS}: it looks like ${textKind(bytes)} (a pstats dump is binary marshal data)`);
    }
    throw err;
  }
}

function fromDecoded(top: PyValue, pythonVersion: 2 | 3, inputSize: number): CallGraphProfile {
  if (!isType(top, 'dict')) {
    throw new InputError(`${NOT_PSTATS}: top-level object is ${describe(top)}, expected a dict`);
  }
  const graph = new CallGraphBuilder();
  const keys: FuncKey[] = [];
  // A key written twice: Python keeps the first position and the last value.
  const raw: PyValue[] = [];
  const indexOf = (key: FuncKey): number => {
    const i = graph.fn(key.file, key.line, key.name);
    // A caller that has no entry of its own: pstats copes, so do we (it draws as nothing).
    if (i === keys.length) {
      keys.push(key);
      raw.push(null);
    }
    return i;
  };

  top.entries.forEach(([k, v], n) => {
    const where = `entry ${n}`;
    const key = asFuncKey(k) ?? funcKey(k, `the key of ${where}`);
    if (!isType(v, 'tuple') || v.items.length !== 5) {
      throw new InputError(`${NOT_PSTATS}: ${where} (${funcLabel(key)}) is ${describe(v)}, expected a (cc, nc, tt, ct, callers) tuple`);
    }
    const [cc, nc, tt, ct, callers] = v.items;
    const i = indexOf(key);
    // Messages are built only for bad data: these lines run once per function and edge.
    if (isInt(cc) && isInt(nc) && isNum(tt) && isNum(ct)) graph.setStats(i, cc, nc, tt, ct);
    else graph.setStats(i, int(cc, `cc of ${funcLabel(key)}`), int(nc, `nc of ${funcLabel(key)}`), num(tt, `tt of ${funcLabel(key)}`), num(ct, `ct of ${funcLabel(key)}`));
    if (!isType(callers, 'dict')) {
      throw new InputError(`${NOT_PSTATS}: the callers of ${funcLabel(key)} are ${describe(callers)}, expected a dict`);
    }
    raw[i] = callers;
  });

  // Marshal references let a small file name one big callers dict many times; real dumps
  // never share them, so more edges than bytes means a hostile file, not a big profile.
  let edgeCount = 0;
  const declared = keys.length;
  for (let i = 0; i < declared; i++) {
    const callers = raw[i];
    if (!isType(callers, 'dict')) continue;
    edgeCount += callers.entries.length;
    if (edgeCount > inputSize) {
      throw new InputError(`${NOT_PSTATS}: more call edges than the file has bytes (reused references)`);
    }
    for (const [ck, cv] of callers.entries) {
      const callerKey = asFuncKey(ck) ?? funcKey(ck, `a caller key of ${funcLabel(keys[i])}`);
      const e = edge(cv, callerKey, keys[i]);
      graph.edge(i, indexOf(callerKey), e.cc, e.nc, e.tt, e.ct, e.estimated, 'replace');
    }
  }
  return graph.build(pythonVersion);
}

/** An edge's calls and times; `estimated` when the dump held only a call count. */
function edge(v: PyValue, callerKey: FuncKey, calleeKey: FuncKey): { cc: number; nc: number; tt: number; ct: number; estimated: boolean } {
  if (isType(v, 'tuple') && v.items.length === 4) {
    // cProfile stores (nc, cc, tt, ct) on edges: calls first, primitive calls second.
    const [nc, cc, tt, ct] = v.items;
    if (isInt(nc) && isInt(cc) && isNum(tt) && isNum(ct)) return { cc, nc, tt, ct, estimated: false };
    const what = `the call ${funcLabel(callerKey)} -> ${funcLabel(calleeKey)}`;
    return { cc: int(cc, `cc of ${what}`), nc: int(nc, `nc of ${what}`), tt: num(tt, `tt of ${what}`), ct: num(ct, `ct of ${what}`), estimated: false };
  }
  const what = `the call ${funcLabel(callerKey)} -> ${funcLabel(calleeKey)}`;
  if (typeof v === 'number' || typeof v === 'bigint') {
    // The pure-Python profile module keeps only a call count; times are shared out later.
    const n = int(v, what);
    return { cc: n, nc: n, tt: 0, ct: 0, estimated: true };
  }
  throw new InputError(`${NOT_PSTATS}: ${what} is ${describe(v)}, expected an (nc, cc, tt, ct) tuple or a call count`);
}

/** The key when `v` is a plain (file, int line, name) tuple; otherwise `funcKey` says what is wrong. */
function asFuncKey(v: PyValue): FuncKey | undefined {
  if (isType(v, 'tuple') && v.items.length === 3) {
    const [file, line, name] = v.items;
    if (typeof file === 'string' && typeof line === 'number' && typeof name === 'string') return { file, line, name };
  }
  return undefined;
}

function funcKey(v: PyValue, what: string): FuncKey {
  if (isType(v, 'tuple') && v.items.length === 3) {
    const [file, line, name] = v.items;
    if (typeof file === 'string' && (typeof line === 'number' || typeof line === 'bigint')) {
      if (typeof name === 'string') return { file, line: Number(line), name };
      // The profile module's key for the code profile.run executes: named as pstats prints
      // it, less the address that changes from run to run.
      if (isType(name, 'code')) return { file, line: Number(line), name: `<code object ${name.name}, file "${name.filename}", line ${name.firstlineno}>` };
    }
  }
  throw new InputError(`${NOT_PSTATS}: ${what} is ${describe(v)}, expected a (file, line, name) tuple`);
}

function isInt(v: PyValue): v is number {
  return typeof v === 'number' && Number.isInteger(v) && Math.abs(v) <= MAX_VALUE;
}

/** A number a profile may hold (see badValue); anything else goes the slow way, to its message. */
function isNum(v: PyValue): v is number {
  return typeof v === 'number' && Math.abs(v) <= MAX_VALUE;
}

function int(v: PyValue, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return valid(v, what);
  if (typeof v === 'bigint') return valid(Number(v), what);
  throw new InputError(`${NOT_PSTATS}: ${what} is ${describe(v)}, expected an integer`);
}

function num(v: PyValue, what: string): number {
  if (typeof v === 'number') return valid(v, what);
  if (typeof v === 'bigint') return valid(Number(v), what);
  throw new InputError(`${NOT_PSTATS}: ${what} is ${describe(v)}, expected a number`);
}

/** A number within what a profile may hold (see badValue). */
function valid(v: number, what: string): number {
  const bad = badValue(v);
  if (bad !== undefined) throw new InputError(`${what} is ${bad}`);
  return v;
}

function isType<T extends string>(v: PyValue, type: T): v is Extract<PyValue, { type: T }> {
  return typeof v === 'object' && v !== null && 'type' in v && v.type === type;
}

/** A Python-ish name for what was found, for error messages. */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b < 0x09 || (b > 0x0d && b < 0x20) || b === 0x7f) return false;
  }
  return true;
}

function textKind(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart();
  return /^(?:\{\s*"|\[\s*[-"{[\d\]tfn])/.test(head) ? 'JSON text' : 'a text file';
}
