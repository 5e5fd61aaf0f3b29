/**
 * The folded log (`--format=log`): one line per flame frame, `label;label;... N`, which
 * flamegraph.pl and speedscope read. Byte-identical to flameprof 0.4's output.
 */
import type { FrameSet } from '../frames';
import { formatInt, roundHalfEven } from '../pynum';

/** Yields the log in chunks of about `chunkSize` characters (big graphs are streamed). */
export function* renderLog(frames: FrameSet, logMult: number, chunkSize = 1 << 16): Generator<string> {
  const labels = frames.funcs.map((f) => f.label);
  // The trace of a frame is the labels of its ancestors: frames are in pre-order, so
  // prefix[level] is the current path down to that level, built once per frame by one
  // concatenation (joining the whole path for every line cost its depth each time).
  const prefix: string[] = [];
  let chunk = '';
  for (const f of frames.flame) {
    const trace = f.level === 0 ? labels[f.func] : prefix[f.level - 1] + ';' + labels[f.func];
    prefix[f.level] = trace;
    chunk += trace + ' ' + formatInt(roundHalfEven(f.self * logMult)) + '\n';
    if (chunk.length >= chunkSize) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}
