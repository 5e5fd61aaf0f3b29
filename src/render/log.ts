/**
 * The folded log (`--format=log`): one line per flame frame, `label;label;... N`, which
 * flamegraph.pl and speedscope read. Byte-identical to flameprof 0.4's output.
 */
import { Buffer } from 'node:buffer';
import { columnsOf, type FrameColumns, type FrameSet } from '../frames';
import { nativeAddon } from '../native/addon';
import { formatInt, roundHalfEven } from '../pynum';
import { DEFAULT_CHUNK_SIZE, putAscii, putUint, reused, reusedBuffers, utf8, type ChunkOptions } from './bytes';

/**
 * Yields the log as UTF-8 in chunks (big graphs are streamed); see `ChunkOptions`. Lines
 * are written by the native addon where it was built (`engine` 'native', the default), else
 * (and for every line the addon leaves) by JavaScript: the same bytes.
 */
export function* renderLog(frames: FrameSet, logMult: number, chunks: ChunkOptions = {}, engine: 'native' | 'js' = 'native'): Generator<Uint8Array> {
  const limit = Math.max(1, chunks.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const flame = columnsOf(frames).flame;
  const native = engine === 'native' ? nativeLines(frames, flame, logMult) : undefined;
  // Labels encoded once per function, on first use.
  const labels: Array<Uint8Array | undefined> = [];
  // The trace of a frame is the labels of its ancestors: frames are in pre-order, so the
  // path down to a level is the path down to its parent's level plus one label (joining
  // the whole path for every line cost its depth each time). The path lives past the
  // chunk in the same buffer, so that putting it into a line is one copyWithin: no view
  // to allocate per line, and several times faster than copying bytes one by one.
  let cap = limit + (1 << 14);
  let pathCap = 1 << 12;
  let buf = new Uint8Array(cap + pathCap);
  let dv = new DataView(buf.buffer);
  const views = reused(chunks);
  const buffers = reusedBuffers(chunks);
  // Reused buffers that chunks take turns in (see ChunkOptions.reuse), and the current one's.
  const ring = [buf];
  let turn = 0;
  /** ends[level]: length of the path down to that level. */
  const ends = new Int32Array(flame.maxLevel + 2);
  let pos = 0;
  for (let i = 0; i < flame.length; ) {
    if (native !== undefined) {
      const next = native(buf, cap, pathCap, pos, limit, ends, i);
      i = Math.floor(next / 2 ** 32);
      pos = next % 2 ** 32;
    }
    // The addon stops at a chunk's end, at the last frame, or before a line it leaves to this.
    if (i < flame.length && pos < limit) {
      const level = flame.level[i];
      const func = flame.func[i];
      const label = labels[func] ?? (labels[func] = utf8(frames.funcs[func].label));
      let start = level === 0 ? 0 : ends[level - 1];
      const end = level === 0 ? label.length : start + 1 + label.length;
      const count = roundHalfEven(flame.self[i] * logMult);
      // An integer as Python prints it: huge ones spell out every digit.
      const slow = count >= 0 && count <= 0x7fffffff ? undefined : formatInt(count);
      const need = end + 2 + (slow === undefined ? 10 : slow.length);
      if (end > pathCap || pos + need > cap) {
        const bigCap = Math.max(cap, pos + need);
        const bigPath = Math.max(pathCap, 2 * end);
        const bigger = new Uint8Array(bigCap + bigPath);
        bigger.set(buf.subarray(0, pos));
        bigger.set(buf.subarray(cap, cap + start), bigCap);
        buf = bigger;
        ring[turn] = buf;
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
      i++;
    }
    if (pos >= limit) {
      yield views ? buf.subarray(0, pos) : buf.slice(0, pos);
      pos = 0;
      if (views && buffers > 1) {
        // The next buffer of the ring, with the path carried over.
        turn = (turn + 1) % buffers;
        const next = ring[turn]?.length === cap + pathCap ? ring[turn] : (ring[turn] = new Uint8Array(cap + pathCap));
        next.set(buf.subarray(cap), cap);
        buf = next;
        dv = new DataView(buf.buffer);
      }
    }
  }
  if (pos > 0) yield views ? buf.subarray(0, pos) : buf.slice(0, pos);
}

/**
 * The addon's line writer for these frames, with every label as UTF-16 and a cache of them
 * as UTF-8, or undefined where the addon is not. Returns the next frame * 2^32 + position.
 */
function nativeLines(
  frames: FrameSet,
  flame: FrameColumns,
  logMult: number,
): ((buf: Uint8Array, cap: number, pathCap: number, pos: number, limit: number, ends: Int32Array, from: number) => number) | undefined {
  const foldedLines = nativeAddon()?.foldedLines;
  if (foldedLines === undefined) return undefined;
  const funcs = frames.funcs.length;
  const starts = new Uint32Array(funcs + 1);
  const labels: string[] = new Array(funcs);
  for (let f = 0; f < funcs; f++) {
    labels[f] = frames.funcs[f].label;
    starts[f + 1] = starts[f] + labels[f].length;
  }
  const text = Buffer.from(labels.join(''), 'utf16le');
  const labels16 = new Uint16Array(text.buffer, text.byteOffset, text.length / 2);
  const utf8s = new Uint8Array(3 * starts[funcs]);
  const utf8At = new Int32Array(2 * funcs + 1).fill(-1);
  utf8At[2 * funcs] = 0;
  const { level, func, self } = flame;
  const to = flame.length;
  return (buf, cap, pathCap, pos, limit, ends, from) =>
    foldedLines(buf, cap, pathCap, pos, limit, ends, labels16, starts, utf8s, utf8At, level, func, self, from, to, logMult);
}
