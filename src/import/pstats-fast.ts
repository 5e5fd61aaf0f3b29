/**
 * The common case, fast: a Python 3.4+ cProfile (or profile-module) dump read straight from
 * its bytes into the model, without first building the general marshal tree, whose
 * 100,000s of small objects cost about five times as much as the reading itself.
 *
 * Marshal references are followed: to numbers, strings and keys by what they hold, to the
 * tuples of a function's stats or an edge's timing (which scripts that build or merge stats
 * dicts share) by reading the tuple again where it was first written.
 *
 * This reader only ever says "here is the profile" or "not me": on anything it is not sure
 * of (Python 2 or pre-3.4 data, big ints, text floats, text that is not strict UTF-8, a
 * reference to anything else, any malformation or anything pstats.ts would reject) it returns
 * undefined and the general path (marshal.ts + pstats.ts) reads the file instead, with
 * its exact errors. For every input both paths give the same profile
 * (test/import/pstats-fast.test.ts checks it on real, synthetic and corrupted dumps).
 */
import { KeyIndex } from '../model/key-index';
import { MAX_VALUE, type CallGraphColumns, type CallGraphProfile } from '../model/profile';

const FLAG_REF = 0x80;

/** Thrown to give up; caught below. */
const GIVE_UP = new Error('not for the fast path');

/** What a reference slot holds (FastReader.refKind): nothing kept, a number, a string id, a key, a tuple's offset. */
const OTHER = 0;
const NUMBER = 1;
const STRING = 2;
const KEY = 3;
const TUPLE = 4;

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The reader's position and what its reference slots hold. A fresh process runs this in the
 * interpreter for most of a dump, where a call costs more than the work it wraps: so there
 * are few methods, each reading a whole string, number or key, with its checks inline.
 */
class FastReader {
  pos = 0;
  /** Reference slots: what each holds, and its value (a number, a string id, a key's index in kept*). */
  refKind = new Uint8Array(1024);
  refValue = new Float64Array(1024);
  /** Slots taken so far. */
  refs = 0;
  /** How deep in tuples read again for a reference: their slots were taken the first time. */
  replaying = 0;
  /** Distinct strings, by id. */
  readonly strings: string[] = [];
  private readonly stringIds = new Map<string, number>();
  /** Keys that a reference slot holds. */
  private readonly keptFile: number[] = [];
  private readonly keptLine: number[] = [];
  private readonly keptName: number[] = [];
  private readonly view: DataView;
  private readonly text: Buffer;
  private readonly end: number;
  /** The key `key()` just read: string ids and the line. */
  file = 0;
  line = 0;
  name = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.end = buf.length;
  }

  /** The next type byte, not consumed. */
  peek(): number {
    if (this.pos >= this.end) throw GIVE_UP;
    return this.buf[this.pos];
  }

  /** A reference slot for a flagged type byte, to be filled once its object is read; else -1. */
  slot(code: number): number {
    if ((code & FLAG_REF) === 0) return -1;
    return this.newRef(OTHER, 0);
  }

  /**
   * A tuple header of `length` items, or a reference to a tuple read before: then the reader
   * goes back to read it again, and the offset to come back to (endReplay) is returned; else -1.
   */
  follow(length: number): number {
    const pos = this.pos;
    if (pos >= this.end || this.buf[pos] !== 0x72 /* r */) {
      this.tuple(length);
      return -1;
    }
    if (pos + 5 > this.end) throw GIVE_UP;
    const i = this.view.getInt32(pos + 1, true);
    if (i < 0 || i >= this.refs || this.refKind[i] !== TUPLE) throw GIVE_UP;
    this.pos = this.refValue[i];
    this.replaying++;
    this.tuple(length);
    return pos + 5;
  }

  /** Whether the next object is a reference to a slot holding `kind`. */
  refersTo(kind: number): boolean {
    const pos = this.pos;
    if (pos + 5 > this.end || this.buf[pos] !== 0x72 /* r */) return false;
    const i = this.view.getInt32(pos + 1, true);
    return i >= 0 && i < this.refs && this.refKind[i] === kind;
  }

  /** Back from a tuple read again (follow). */
  endReplay(back: number): void {
    if (back < 0) return;
    this.replaying--;
    this.pos = back;
  }

  /** A new reference slot holding `kind` and `value`: its index. */
  newRef(kind: number, value: number): number {
    if (this.replaying > 0) return -1;
    if (this.refs === this.refKind.length) {
      this.refKind = grown(this.refKind);
      this.refValue = grown(this.refValue);
    }
    this.refKind[this.refs] = kind;
    this.refValue[this.refs] = value;
    return this.refs++;
  }

  /** A tuple header of `length` items (with its slot taken), or give up. */
  tuple(length: number): void {
    if (this.pos + 2 > this.end) throw GIVE_UP;
    const code = this.buf[this.pos];
    const c = code & ~FLAG_REF;
    if (c === 0x29 /* ) */ && this.buf[this.pos + 1] === length) {
      this.pos += 2;
    } else if (c === 0x28 /* ( */ && this.pos + 5 <= this.end && this.view.getInt32(this.pos + 1, true) === length) {
      this.pos += 5;
    } else {
      throw GIVE_UP;
    }
    if (code & FLAG_REF) this.newRef(TUPLE, this.pos - (c === 0x29 ? 2 : 5));
  }

  /** An int or a float, as pstats.ts accepts them (no big ints, no text floats). */
  number(): number {
    const pos = this.pos;
    if (pos >= this.end) throw GIVE_UP;
    const code = this.buf[pos];
    const c = code & ~FLAG_REF;
    let v: number;
    if (c === 0x69 /* i */) {
      if (pos + 5 > this.end) throw GIVE_UP;
      v = this.view.getInt32(pos + 1, true);
      this.pos = pos + 5;
    } else if (c === 0x67 /* g */) {
      if (pos + 9 > this.end) throw GIVE_UP;
      v = this.view.getFloat64(pos + 1, true);
      this.pos = pos + 9;
    } else if (c === 0x72 /* r */) {
      if (pos + 5 > this.end) throw GIVE_UP;
      const i = this.view.getInt32(pos + 1, true);
      if (i < 0 || i >= this.refs || this.refKind[i] !== NUMBER) throw GIVE_UP;
      this.pos = pos + 5;
      return this.refValue[i];
    } else {
      throw GIVE_UP;
    }
    // NaN, infinities and absurd values: the general path says which function holds them.
    if (!(v <= MAX_VALUE && v >= -MAX_VALUE)) throw GIVE_UP;
    if (code & FLAG_REF) {
      this.newRef(NUMBER, v);
    }
    return v;
  }

  int(): number {
    const v = this.number();
    if (!Number.isInteger(v)) throw GIVE_UP;
    return v;
  }

  /** A string: its id. */
  string(): number {
    let pos = this.pos;
    if (pos + 2 > this.end) throw GIVE_UP;
    const code = this.buf[pos];
    const c = code & ~FLAG_REF;
    let n: number;
    if (c === 0x7a /* z */ || c === 0x5a /* Z */) {
      n = this.buf[pos + 1];
      pos += 2;
    } else if (c === 0x72 /* r */ || c === 0x61 /* a */ || c === 0x41 /* A */ || c === 0x75 /* u */ || c === 0x74 /* t */) {
      if (pos + 5 > this.end) throw GIVE_UP;
      n = this.view.getInt32(pos + 1, true);
      pos += 5;
      if (c === 0x72) {
        if (n < 0 || n >= this.refs || this.refKind[n] !== STRING) throw GIVE_UP;
        this.pos = pos;
        return this.refValue[n];
      }
    } else {
      throw GIVE_UP;
    }
    if (n < 0 || n > this.end - pos) throw GIVE_UP;
    const start = pos;
    this.pos = pos + n;
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
    let id = this.stringIds.get(v);
    if (id === undefined) {
      id = this.strings.length;
      this.stringIds.set(v, id);
      this.strings.push(v);
    }
    if (code & FLAG_REF) {
      this.newRef(STRING, id);
    }
    return id;
  }

  /** A (file, line, name) key, into `file`, `line`, `name`. */
  key(): void {
    const pos = this.pos;
    if (pos + 5 > this.end) throw GIVE_UP;
    const code = this.buf[pos];
    if (code === 0x72 /* r */) {
      const i = this.view.getInt32(pos + 1, true);
      if (i < 0 || i >= this.refs || this.refKind[i] !== KEY) throw GIVE_UP;
      const k = this.refValue[i];
      this.pos = pos + 5;
      this.file = this.keptFile[k];
      this.line = this.keptLine[k];
      this.name = this.keptName[k];
      return;
    }
    // The slot is taken before the items' own, as marshal numbers them.
    const s = (code & FLAG_REF) === 0 || this.replaying > 0 ? -1 : this.refs;
    this.tuple(3);
    this.file = this.string();
    this.line = this.int();
    this.name = this.string();
    if (s >= 0) {
      this.refKind[s] = KEY;
      this.refValue[s] = this.keptFile.length;
      this.keptFile.push(this.file);
      this.keptLine.push(this.line);
      this.keptName.push(this.name);
    }
  }
}

/** The profile, or undefined when the general path has to read this file. */
export function readPstatsFast(bytes: Uint8Array): CallGraphProfile | undefined {
  // Marshal version 3+ flags the outermost dict: 0xfb. Older data is for the general path.
  if (bytes.length < 2 || bytes[0] !== (0x7b | FLAG_REF)) return undefined;
  try {
    return { kind: 'callgraph', pythonVersion: 3, ...read(new FastReader(bytes), bytes.length) };
  } catch {
    return undefined;
  }
}

function read(r: FastReader, size: number): CallGraphColumns {
  r.pos = 1;
  r.slot(FLAG_REF); // the top-level dict
  // Per function, as read; turned into typed arrays at the end.
  const fFile: number[] = [];
  const fLine: number[] = [];
  const fName: number[] = [];
  const fcc: number[] = [];
  const fnc: number[] = [];
  const ftt: number[] = [];
  const fct: number[] = [];
  const index = new KeyIndex<number>();
  const addFunction = (file: number, line: number, name: number): number => {
    const i = fFile.length;
    fFile.push(file);
    fLine.push(line);
    fName.push(name);
    fcc.push(0);
    fnc.push(0);
    ftt.push(0);
    fct.push(0);
    index.add(file, line, name, i);
    return i;
  };
  // Callers as read, applied once every function of the dump has its index (pstats.ts
  // numbers callers that have no entry of their own after all entries, in that order).
  const raw = new RawEdges();
  const callersFrom: number[] = [];
  const callersTo: number[] = [];

  while (r.peek() !== 0x30 /* end of dict */) {
    r.key();
    let i = index.get(r.file, r.line, r.name);
    if (i < 0) i = addFunction(r.file, r.line, r.name);
    const statBack = r.follow(5);
    fcc[i] = r.int();
    fnc[i] = r.int();
    ftt[i] = r.number();
    fct[i] = r.number();
    const dict = r.peek();
    // A callers dict named again by reference is how hostile files multiply edges.
    if ((dict & ~FLAG_REF) !== 0x7b /* { */) throw GIVE_UP;
    r.pos++;
    r.slot(dict);
    // A key written twice in the dump: its last entry's callers are the ones kept.
    callersFrom[i] = raw.length;
    while (r.peek() !== 0x30) {
      r.key();
      const e = raw.add(r.file, r.line, r.name);
      // References can name one stats tuple many times: more edges than bytes is a hostile
      // file, whose error the general path gives.
      if (e >= size) throw GIVE_UP;
      const v = r.peek() & ~FLAG_REF;
      if (v === 0x29 || v === 0x28 || r.refersTo(TUPLE)) {
        const edgeBack = r.follow(4);
        // cProfile stores (nc, cc, tt, ct) on edges: calls first, primitive calls second.
        raw.nc[e] = r.int();
        raw.cc[e] = r.int();
        raw.tt[e] = r.number();
        raw.ct[e] = r.number();
        r.endReplay(edgeBack);
      } else {
        // The pure-Python profile module keeps only a call count; times are shared out later.
        const n = r.int();
        raw.cc[e] = n;
        raw.nc[e] = n;
        raw.estimated[e] = 1;
      }
    }
    r.pos++;
    r.endReplay(statBack);
    callersTo[i] = raw.length;
  }
  r.pos++;
  if (r.pos !== size) throw GIVE_UP;

  const declared = fFile.length;
  const n = raw.length;
  const edgeStart = new Int32Array(declared + n + 1);
  const caller = new Int32Array(n);
  const order = new Int32Array(n);
  let m = 0;
  // Callers met so far in the dict being applied (by callee index): no map per function.
  const seenBy = new Int32Array(declared + n).fill(-1);
  const seenAt = new Int32Array(declared + n);
  for (let i = 0; i < declared; i++) {
    edgeStart[i] = m;
    for (let e = callersFrom[i]; e < callersTo[i]; e++) {
      let c = index.get(raw.file[e], raw.line[e], raw.name[e]);
      // A caller that has no entry of its own: pstats copes, so do we (it draws as nothing).
      if (c < 0) c = addFunction(raw.file[e], raw.line[e], raw.name[e]);
      // A key written twice in one dict: Python keeps the first position and the last value.
      if (seenBy[c] !== i) {
        seenBy[c] = i;
        seenAt[c] = m;
        caller[m] = c;
        order[m++] = e;
      } else {
        order[seenAt[c]] = e;
      }
    }
  }
  const count = fFile.length;
  edgeStart.fill(m, declared, count + 1);
  const pick = <T extends Float64Array | Uint8Array>(values: T): T => {
    const out = new (values.constructor as new (n: number) => T)(m);
    for (let k = 0; k < m; k++) out[k] = values[order[k]];
    return out;
  };
  return {
    count,
    strings: r.strings,
    file: Int32Array.from(fFile),
    line: Float64Array.from(fLine),
    name: Int32Array.from(fName),
    cc: Float64Array.from(fcc),
    nc: Float64Array.from(fnc),
    tt: Float64Array.from(ftt),
    ct: Float64Array.from(fct),
    edgeStart: edgeStart.slice(0, count + 1),
    caller: caller.slice(0, m),
    ecc: pick(raw.cc),
    enc: pick(raw.nc),
    ett: pick(raw.tt),
    ect: pick(raw.ct),
    estimated: pick(raw.estimated),
  };
}

/** A typed array twice as long, holding `a` first. */
function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T): T {
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/** Caller entries as read (their keys and timings), in typed arrays that grow by doubling. */
class RawEdges {
  length = 0;
  file = new Int32Array(1024);
  line = new Float64Array(1024);
  name = new Int32Array(1024);
  cc = new Float64Array(1024);
  nc = new Float64Array(1024);
  tt = new Float64Array(1024);
  ct = new Float64Array(1024);
  estimated = new Uint8Array(1024);

  /** A new entry for the caller key (file, line, name), timings 0: its index. */
  add(file: number, line: number, name: number): number {
    const e = this.length;
    if (e === this.file.length) {
      this.file = grown(this.file);
      this.line = grown(this.line);
      this.name = grown(this.name);
      this.cc = grown(this.cc);
      this.nc = grown(this.nc);
      this.tt = grown(this.tt);
      this.ct = grown(this.ct);
      this.estimated = grown(this.estimated);
    }
    this.file[e] = file;
    this.line[e] = line;
    this.name[e] = name;
    this.length = e + 1;
    return e;
  }
}
