/**
 * The folded log (`--format=log`): one line per flame frame, `label;label;... N`, which
 * flamegraph.pl and speedscope read. Byte-identical to flameprof 0.4's output.
 */
import type { FrameSet } from '../frames';
import { formatInt, roundHalfEven } from '../pynum';

/** Yields the log in chunks of about `chunkSize` characters (big graphs are streamed). */
export function* renderLog(frames: FrameSet, logMult: number, chunkSize = 1 << 16): Generator<string> {
  const labels = frames.funcs.map((f) => f.label);
  // The trace of a frame is the labels of its ancestors: frames are in pre-order, so a
  // stack indexed by level holds exactly the current path.
  const path: string[] = [];
  let chunk = '';
  for (const f of frames.flame) {
    path.length = f.level;
    path.push(labels[f.func]);
    chunk += `${path.join(';')} ${formatInt(roundHalfEven(f.self * logMult))}\n`;
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
