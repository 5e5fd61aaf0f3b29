/**
 * The page's copy of the profile: ReportData (../render/report-data.ts) decoded into typed
 * arrays, with the indices the views search by.
 */
import type { ExactStats } from '../frames/exact';
import { FrameColumns } from '../frames/frame-set';
import { funcLabel } from '../model/profile';
import { DATA_ID, type B64, type DiffData, type ReportData, type SectionData } from '../render/report-data';

export interface Section {
  readonly frames: FrameColumns;
  /** Fill of frame i: fills[fill[i]]. */
  readonly fill: Uint8Array;
  /** Frame indices by level, each level's in x order: rows[level]. */
  readonly rows: Int32Array[];
}

/** The exact caller -> callee edges (frames/exact.ts), and how many. */
export type Edges = ExactStats['edges'] & { readonly n: number };

export interface Report {
  readonly data: ReportData;
  readonly total: number;
  readonly sampled: boolean;
  /** `file:line:name` (a bare name for sampled frames without a file), by function. */
  readonly labels: string[];
  readonly names: readonly string[];
  readonly files: string[];
  readonly lines: readonly number[];
  readonly flame: Section;
  readonly inverted: Section;
  readonly exact: { cc: Float64Array; nc: Float64Array; tt: Float64Array; ct: Float64Array };
  readonly edges: Edges;
  /** Edge indices by callee and by caller. */
  readonly callersOf: number[][];
  readonly calleesOf: number[][];
  /** A differential report's numbers (see DiffData). */
  readonly diff: Diff | undefined;
}

export interface SectionDiff {
  before: Float64Array;
  after: Float64Array;
  selfBefore: Float64Array;
  selfAfter: Float64Array;
  missing: Uint8Array;
}

export interface Diff {
  readonly legend: string;
  readonly negate: boolean;
  readonly flame: SectionDiff;
  readonly inverted: SectionDiff;
  readonly labels: readonly string[];
  readonly ttBefore: Float64Array;
  readonly ttAfter: Float64Array;
  readonly ctBefore: Float64Array;
  readonly ctAfter: Float64Array;
}

export function readReport(doc: Document): Report {
  const el = doc.getElementById(DATA_ID);
  if (el === null) throw new Error('this page holds no profile data');
  const data = JSON.parse(el.textContent ?? '') as ReportData;
  if (data.version !== 1) throw new Error(`this page's data is of version ${String(data.version)}, not 1`);
  const n = data.funcName.length;
  const files = data.funcFile.map((i) => data.files[i]);
  const sampled = data.sampled;
  const labels = data.funcName.map((name, i) => {
    const key = { file: files[i], line: data.funcLine[i], name };
    // As stacks.ts's sampledLabel: sampled frames without a file are their bare name.
    return sampled && key.line < 0 ? name : funcLabel(key);
  });
  const e = data.edges;
  const edges: Edges = {
    n: e.n,
    caller: i32(e.caller),
    callee: i32(e.callee),
    cc: f64(e.cc),
    nc: f64(e.nc),
    tt: f64(e.tt),
    ct: f64(e.ct),
  };
  const callersOf: number[][] = Array.from({ length: n }, () => []);
  const calleesOf: number[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < edges.n; k++) {
    callersOf[edges.callee[k]].push(k);
    calleesOf[edges.caller[k]].push(k);
  }
  return {
    data,
    total: data.total,
    sampled,
    labels,
    names: data.funcName,
    files,
    lines: data.funcLine,
    flame: section(data.flame),
    inverted: section(data.inverted),
    exact: { cc: f64(data.exact.cc), nc: f64(data.exact.nc), tt: f64(data.exact.tt), ct: f64(data.exact.ct) },
    edges,
    callersOf,
    calleesOf,
    diff: readDiff(data.diff),
  };
}

function readDiff(d: DiffData | undefined): Diff | undefined {
  if (d === undefined) return undefined;
  const side = (s: DiffData['flame']): SectionDiff => ({
    before: f64(s.before),
    after: f64(s.after),
    selfBefore: f64(s.selfBefore),
    selfAfter: f64(s.selfAfter),
    missing: bytes(s.missing),
  });
  return {
    legend: d.legend,
    negate: d.negate,
    flame: side(d.flame),
    inverted: side(d.inverted),
    labels: d.labels,
    ttBefore: f64(d.ttBefore),
    ttAfter: f64(d.ttAfter),
    ctBefore: f64(d.ctBefore),
    ctAfter: f64(d.ctAfter),
  };
}

function section(s: SectionData): Section {
  const frames = new FrameColumns(0);
  frames.length = s.n;
  frames.maxLevel = s.maxLevel;
  frames.level = i32(s.level);
  frames.func = i32(s.func);
  frames.color = bytes(s.color);
  frames.x = f64(s.x);
  frames.w = f64(s.w);
  frames.cc = f64(s.cc);
  frames.nc = f64(s.nc);
  frames.tt = f64(s.tt);
  frames.ct = f64(s.ct);
  frames.self = frames.tt;
  // Frames are in pre-order, so each level's frames come in x order already.
  const counts = new Int32Array(s.maxLevel + 1);
  for (let i = 0; i < s.n; i++) counts[frames.level[i]]++;
  const rows = Array.from(counts, (c) => new Int32Array(c));
  counts.fill(0);
  for (let i = 0; i < s.n; i++) {
    const l = frames.level[i];
    rows[l][counts[l]++] = i;
  }
  return { frames, fill: bytes(s.fill), rows };
}

function bytes(s: B64): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function i32(s: B64): Int32Array {
  const b = bytes(s);
  return new Int32Array(b.buffer, 0, b.length / 4);
}

function f64(s: B64): Float64Array {
  const b = bytes(s);
  return new Float64Array(b.buffer, 0, b.length / 8);
}
