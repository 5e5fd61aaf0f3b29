/**
 * The common case, fast: a Python 3.4+ cProfile (or profile-module) dump read straight from
 * its bytes into the model, without first building the general marshal tree, whose
 * 100,000s of small objects cost about five times as much as the reading itself.
 *
 * This reader only ever says "here is the profile" or "not me": on anything it is not sure
 * of (Python 2 or pre-3.4 data, big ints, text floats, text that is not strict UTF-8, a
 * reference it did not keep, any malformation or anything pstats.ts would reject) it returns
 * undefined and the general path (decode/marshal.ts + pstats.ts) reads the file instead, with
 * its exact errors. For every input both paths give the same profile
 * (test/pstats-fast.test.ts checks it on real, synthetic and corrupted dumps).
 */
import { MAX_VALUE, type CallEdge, type CallGraphProfile, type FuncKey, type FunctionStats, type Timing } from '../model/profile';
import { KeyIndex } from './key-index';

const FLAG_REF = 0x80;

/** Thrown to give up; caught below. */
const GIVE_UP = new Error('not for the fast path');
/** A reference slot holding something this reader did not keep (or not yet finished). */
const OTHER = Symbol('other');

type Kept = string | number | FuncKey | typeof OTHER;

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class FastReader {
  pos = 0;
  readonly refs: Kept[] = [];
  private readonly view: DataView;
  private readonly text: Buffer;
  /** The key `key()` just read. */
  file = '';
  line = 0;
  name = '';

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw GIVE_UP;
    return this.buf[this.pos++];
  }

  peek(): number {
    if (this.pos >= this.buf.length) throw GIVE_UP;
    return this.buf[this.pos];
  }

  i32(): number {
    if (this.pos + 4 > this.buf.length) throw GIVE_UP;
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** Take a reference slot if the type byte was flagged. */
  slot(code: number): number {
    if ((code & FLAG_REF) === 0) return -1;
    this.refs.push(OTHER);
    return this.refs.length - 1;
  }

  ref(): Kept {
    const i = this.i32();
    if (i < 0 || i >= this.refs.length) throw GIVE_UP;
    return this.refs[i];
  }

  /** A tuple header: its length. */
  tuple(code: number): number {
    const c = code & ~FLAG_REF;
    if (c === 0x29 /* ) */) return this.byte();
    if (c === 0x28 /* ( */) return this.i32();
    throw GIVE_UP;
  }

  /** An int or a float, as pstats.ts accepts them (no big ints, no text floats). */
  number(): number {
    const code = this.byte();
    const c = code & ~FLAG_REF;
    let v: number;
    if (c === 0x69 /* i */) {
      const s = this.slot(code);
      v = this.i32();
      if (s >= 0) this.refs[s] = v;
    } else if (c === 0x67 /* g */) {
      const s = this.slot(code);
      if (this.pos + 8 > this.buf.length) throw GIVE_UP;
      v = this.view.getFloat64(this.pos, true);
      this.pos += 8;
      if (s >= 0) this.refs[s] = v;
    } else if (c === 0x72 /* r */) {
      const k = this.ref();
      if (typeof k !== 'number') throw GIVE_UP;
      v = k;
    } else {
      throw GIVE_UP;
    }
    // NaN, infinities and absurd values: the general path says which function holds them.
    if (!(v <= MAX_VALUE && v >= -MAX_VALUE)) throw GIVE_UP;
    return v;
  }

  int(): number {
    const v = this.number();
    if (!Number.isInteger(v)) throw GIVE_UP;
    return v;
  }

  string(): string {
    const code = this.byte();
    const c = code & ~FLAG_REF;
    if (c === 0x72 /* r */) {
      const k = this.ref();
      if (typeof k !== 'string') throw GIVE_UP;
      return k;
    }
    const s = this.slot(code);
    let n: number;
    if (c === 0x7a /* z */ || c === 0x5a /* Z */) n = this.byte();
    else if (c === 0x61 /* a */ || c === 0x41 /* A */ || c === 0x75 /* u */ || c === 0x74 /* t */) n = this.i32();
    else throw GIVE_UP;
    if (n < 0 || n > this.buf.length - this.pos) throw GIVE_UP;
    const start = this.pos;
    this.pos += n;
    let v: string;
    if (c === 0x75 || c === 0x74) {
      let ascii = true;
      for (let i = start; i < this.pos; i++) {
        if (this.buf[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
      // Strict UTF-8 decodes as the general path's does; encoded surrogates, which Python
      // writes and only the general path reads, throw here.
      v = ascii ? this.text.toString('latin1', start, this.pos) : utf8Strict.decode(this.buf.subarray(start, this.pos));
    } else {
      v = this.text.toString('latin1', start, this.pos);
    }
    if (s >= 0) this.refs[s] = v;
    return v;
  }

  /** A (file, line, name) key, into `file`, `line`, `name`. */
  key(): void {
    const code = this.byte();
    if ((code & ~FLAG_REF) === 0x72 /* r */) {
      const k = this.ref();
      if (typeof k !== 'object') throw GIVE_UP;
      this.file = k.file;
      this.line = k.line;
      this.name = k.name;
      return;
    }
    if (this.tuple(code) !== 3) throw GIVE_UP;
    const s = this.slot(code);
    this.file = this.string();
    this.line = this.int();
    this.name = this.string();
    if (s >= 0) this.refs[s] = { file: this.file, line: this.line, name: this.name };
  }
}

/** The profile, or undefined when the general path has to read this file. */
export function readPstatsFast(bytes: Uint8Array): CallGraphProfile | undefined {
  // Marshal version 3+ flags the outermost dict: 0xfb. Older data is for the general path.
  if (bytes.length < 2 || bytes[0] !== (0x7b | FLAG_REF)) return undefined;
  try {
    return read(new FastReader(bytes), bytes.length);
  } catch {
    return undefined;
  }
}

function read(r: FastReader, size: number): CallGraphProfile {
  r.pos = 1;
  r.refs.push(OTHER); // the top-level dict
  const index = new KeyIndex();
  const functions: Array<{ key: FuncKey; stat: Timing; callers: CallEdge[] }> = [];
  // Callers as read, applied once every function of the dump has its index (pstats.ts
  // numbers callers that have no entry of their own after all entries, in that order).
  const cFile: string[] = [];
  const cLine: number[] = [];
  const cName: string[] = [];
  const cTiming: Timing[] = [];
  const cEstimated: boolean[] = [];
  const callersFrom: number[] = [];
  const callersTo: number[] = [];

  while (r.peek() !== 0x30 /* end of dict */) {
    r.key();
    let i = index.get(r.file, r.line, r.name);
    if (i < 0) {
      i = functions.length;
      const key = { file: r.file, line: r.line, name: r.name };
      index.add(key, i);
      functions.push({ key, stat: { cc: 0, nc: 0, tt: 0, ct: 0 }, callers: [] });
    }
    const code = r.byte();
    if (r.tuple(code) !== 5) throw GIVE_UP;
    r.slot(code);
    const cc = r.int();
    const nc = r.int();
    const tt = r.number();
    const ct = r.number();
    functions[i].stat = { cc, nc, tt, ct };
    const dict = r.byte();
    // A callers dict named again by reference is how hostile files multiply edges.
    if ((dict & ~FLAG_REF) !== 0x7b /* { */) throw GIVE_UP;
    r.slot(dict);
    // A key written twice in the dump: its last entry's callers are the ones kept.
    callersFrom[i] = cFile.length;
    while (r.peek() !== 0x30) {
      r.key();
      cFile.push(r.file);
      cLine.push(r.line);
      cName.push(r.name);
      const v = r.peek();
      if ((v & ~FLAG_REF) === 0x29 || (v & ~FLAG_REF) === 0x28) {
        const c = r.byte();
        if (r.tuple(c) !== 4) throw GIVE_UP;
        r.slot(c);
        // cProfile stores (nc, cc, tt, ct) on edges: calls first, primitive calls second.
        const enc = r.int();
        const ecc = r.int();
        const ett = r.number();
        const ect = r.number();
        cTiming.push({ cc: ecc, nc: enc, tt: ett, ct: ect });
        cEstimated.push(false);
      } else {
        // The pure-Python profile module keeps only a call count; times are shared out later.
        const n = r.int();
        cTiming.push({ cc: n, nc: n, tt: 0, ct: 0 });
        cEstimated.push(true);
      }
    }
    r.pos++;
    callersTo[i] = cFile.length;
  }
  r.pos++;
  if (r.pos !== size) throw GIVE_UP;

  const declared = functions.length;
  // Callers met so far in the dict being applied (by callee index): no map per function.
  const seenBy = new Int32Array(declared + cFile.length).fill(-1);
  const seenAt = new Int32Array(declared + cFile.length);
  for (let i = 0; i < declared; i++) {
    const callers = functions[i].callers;
    for (let e = callersFrom[i]; e < callersTo[i]; e++) {
      let caller = index.get(cFile[e], cLine[e], cName[e]);
      if (caller < 0) {
        // A caller that has no entry of its own: pstats copes, so do we (it draws as nothing).
        caller = functions.length;
        const key = { file: cFile[e], line: cLine[e], name: cName[e] };
        index.add(key, caller);
        functions.push({ key, stat: { cc: 0, nc: 0, tt: 0, ct: 0 }, callers: [] });
      }
      const edge: CallEdge = { caller, timing: cTiming[e], estimated: cEstimated[e] };
      // A key written twice in one dict: Python keeps the first position and the last value.
      if (seenBy[caller] !== i) {
        seenBy[caller] = i;
        seenAt[caller] = callers.length;
        callers.push(edge);
      } else {
        callers[seenAt[caller]] = edge;
      }
    }
  }
  return { kind: 'callgraph', functions: functions as FunctionStats[], pythonVersion: 3 };
}
