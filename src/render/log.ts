/**
 * The folded log (`--format=log`): one line per flame frame, `label;label;... N`, which
 * flamegraph.pl and speedscope read. Byte-identical to flameprof 0.4's output.
 */
import type { FrameSet } from '../frames/frame-set';
import { formatInt, roundHalfEven } from '../model/pynum';
import { DEFAULT_CHUNK_SIZE, decodeChunks, putAscii, putUint, utf8, type ChunkOptions } from './bytes';
import { sizeBy, type DiffSides, type Renderer, type RenderSettings } from './renderer';

export const logRenderer = {
  name: 'log',
  describe: "folded stacks, byte for byte flameprof 0.4's",
  extension: '.log',
  flameOnly: true,
  size: sizeBy(true, logSize),
  render: (frames: FrameSet, s: RenderSettings, chunks: ChunkOptions) => renderLog(frames, s.logMult, chunks),
  renderDiff: (sides: DiffSides, s: RenderSettings, chunks: ChunkOptions) => {
    // Paired by names alone, the stacks are written by names alone.
    const words = (f: FrameSet): FrameSet => (s.match === 'name' ? { ...f, funcs: f.funcs.map((fn) => ({ key: fn.key, label: fn.key.name })) } : f);
    return renderDiffLog(words(sides.before), words(sides.after), s.logMult, s.normalize, chunks);
  },
} as const satisfies Renderer;

/**
 * Yields the log as UTF-8 in chunks (big graphs are streamed); see `ChunkOptions`. Seconds
 * are multiplied by `logMult` and rounded half to even, as flameprof does; sample counts are
 * written as they are (`2.5` stays `2.5`).
 */
export function* renderLog(frames: FrameSet, logMult: number, chunks: ChunkOptions = {}): Generator<Uint8Array> {
  const samples = frames.unit === 'samples';
  const limit = Math.max(1, chunks.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const flame = frames.flame;
  // Labels encoded once per function, on first use.
  const labels: Array<Uint8Array | undefined> = [];
  // The trace of a frame is the labels of its ancestors: frames are in pre-order, so the
  // path down to a level is the path down to its parent's level plus one label. The path
  // lives past the chunk in the same buffer, so that putting it into a line is one copyWithin.
  let cap = limit + (1 << 14);
  let pathCap = 1 << 12;
  let buf = new Uint8Array(cap + pathCap);
  let dv = new DataView(buf.buffer);
  const views = chunks.reuse === true;
  /** ends[level]: length of the path down to that level. */
  const ends = new Int32Array(flame.maxLevel + 2);
  let pos = 0;
  for (let i = 0; i < flame.length; i++) {
    const level = flame.level[i];
    const func = flame.func[i];
    const label = labels[func] ?? (labels[func] = utf8(frames.funcs[func].label));
    let start = level === 0 ? 0 : ends[level - 1];
    const end = level === 0 ? label.length : start + 1 + label.length;
    const count = samples ? flame.self[i] : roundHalfEven(flame.self[i] * logMult);
    // An integer as Python prints it: huge ones spell out every digit.
    const slow = count >= 0 && count <= 0x7fffffff && Number.isInteger(count) ? undefined : Number.isInteger(count) ? formatInt(count) : String(count);
    const need = end + 2 + (slow === undefined ? 10 : slow.length);
    if (end > pathCap || pos + need > cap) {
      const bigCap = Math.max(cap, pos + need);
      const bigPath = Math.max(pathCap, 2 * end);
      const bigger = new Uint8Array(bigCap + bigPath);
      bigger.set(buf.subarray(0, pos));
      bigger.set(buf.subarray(cap, cap + start), bigCap);
      buf = bigger;
      dv = new DataView(buf.buffer);
      cap = bigCap;
      pathCap = bigPath;
    }
    if (level > 0) buf[cap + start++] = 59; // ';'
    buf.set(label, cap + start);
    ends[level] = end;

    buf.copyWithin(pos, cap, cap + end);
    pos += end;
    buf[pos++] = 32; // ' '
    pos = slow === undefined ? putUint(dv, pos, count) : putAscii(dv, pos, slow);
    buf[pos++] = 10; // '\n'
    if (pos >= limit) {
      yield views ? buf.subarray(0, pos) : buf.slice(0, pos);
      pos = 0;
    }
  }
  if (pos > 0) yield views ? buf.subarray(0, pos) : buf.slice(0, pos);
}

/**
 * An upper bound of the log's size in bytes, found without writing it: each line holds its
 * whole path, so a deep graph's log grows with the square of its depth.
 */
export function logSize(frames: FrameSet): number {
  const flame = frames.flame;
  const labelBytes = new Float64Array(frames.funcs.length).fill(-1);
  const ends = new Float64Array(flame.maxLevel + 2);
  let size = 0;
  for (let i = 0; i < flame.length; i++) {
    const func = flame.func[i];
    if (labelBytes[func] < 0) labelBytes[func] = Buffer.byteLength(frames.funcs[func].label, 'utf8');
    const level = flame.level[i];
    ends[level] = (level === 0 ? 0 : ends[level - 1] + 1) + labelBytes[func];
    // A count is at most 25 characters, then a space and a newline.
    size += ends[level] + 27;
  }
  return size;
}

/**
 * `stack before after` for every stack of either log, as `difffolded.pl [-n] BEFORE AFTER`
 * prints them for our two logs (it prints them in no fixed order; these are sorted).
 */
export function* renderDiffLog(before: FrameSet, after: FrameSet, logMult: number, normalize: boolean, chunks: ChunkOptions = {}): Generator<Uint8Array> {
  const a = logCounts(before, logMult);
  const b = logCounts(after, logMult);
  const total = (m: Map<string, number>): number => [...m.values()].reduce((s, v) => s + v, 0);
  const t1 = total(a);
  const t2 = total(b);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const limit = chunks.chunkSize ?? 1 << 18;
  let out = '';
  for (const k of keys) {
    let c1 = a.get(k) ?? 0;
    // difffolded.pl's -n: int(count * total2 / total1), truncated.
    if (normalize && t1 !== t2) c1 = Math.trunc((c1 * t2) / t1);
    out += `${k} ${perlNumber(c1)} ${perlNumber(b.get(k) ?? 0)}\n`;
    if (out.length >= limit) {
      yield utf8(out);
      out = '';
    }
  }
  yield utf8(out);
}

/** Our log of these frames, read back as stack -> count (a stack written twice adds up, as difffolded.pl adds). */
function logCounts(frames: FrameSet, logMult: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of decodeChunks(renderLog(frames, logMult)).split('\n')) {
    if (line === '') continue;
    const at = line.lastIndexOf(' ');
    const k = line.slice(0, at);
    out.set(k, (out.get(k) ?? 0) + Number(line.slice(at + 1)));
  }
  return out;
}

/** A number as Perl prints it: integers whole, others with 15 significant digits. */
function perlNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e15 ? String(n) : String(Number(n.toPrecision(15)));
}
