/**
 * The flame section as a speedscope file (https://www.speedscope.app/file-format-schema.json):
 * one "sampled" profile whose samples are the flame's frames and whose weights are profile
 * units (seconds for pstats dumps, samples for sampled inputs).
 *
 * Each drawn frame becomes one sample whose stack is the frame's path and whose weight is
 * the part of the frame its drawn children do not cover. speedscope adds up a node's
 * weight and its descendants', so every frame's total in speedscope is its width in our
 * flame graph, and the profile's total (`endValue`) is our 100 %. Frames under the
 * threshold are folded into their parent, as in the SVG: --threshold 0 exports everything.
 *
 * Samples are written children first, then the parent's own weight, so that speedscope's
 * "Time Order" view puts children at the left of their parent, as our graph does.
 */
import type { FrameColumns, FrameSet } from '../frames/frame-set';
import { utf8 } from './bytes';
import { sizeBy, type Renderer, type RenderSettings } from './renderer';

export const speedscopeRenderer = {
  name: 'speedscope',
  describe: 'a speedscope file (https://www.speedscope.app)',
  extension: '.speedscope.json',
  flameOnly: true,
  size: sizeBy(true, speedscopeSize),
  render: (frames: FrameSet, s: RenderSettings) => encoded(renderSpeedscope(frames, { title: s.title })),
} as const satisfies Renderer;

/** Text chunks as UTF-8 (the file is built as JSON text). */
function* encoded(text: Iterable<string>): Generator<Uint8Array> {
  for (const s of text) yield utf8(s);
}

export interface SpeedscopeOptions {
  /** Name of the file and of its one profile (speedscope shows it in the title bar). */
  readonly title: string;
}

export const SPEEDSCOPE_SCHEMA_URL = 'https://www.speedscope.app/file-format-schema.json';

export function* renderSpeedscope(frames: FrameSet, opts: SpeedscopeOptions, chunkSize = 1 << 16): Generator<string> {
  const flame = frames.flame;
  // Only the functions that frames use, in first-use order.
  const index = new Map<number, number>();
  const shared: string[] = [];
  for (let i = 0; i < flame.length; i++) {
    const func = flame.func[i];
    if (index.has(func)) continue;
    index.set(func, shared.length);
    const key = frames.funcs[func].key;
    // A bare name from another tool's folded stacks has no file or line to show.
    const frame: { name: string; file?: string; line?: number } = { name: key.name };
    if (key.line >= 0) {
      frame.file = key.file;
      frame.line = key.line;
    }
    shared.push(JSON.stringify(frame));
  }

  const { rest, parentOf } = restWidths(flame);

  const unit = frames.unit === 'seconds' ? 'seconds' : 'none';
  const total = finite(frames.total);
  let out =
    `{"$schema":${JSON.stringify(SPEEDSCOPE_SCHEMA_URL)},` +
    `"exporter":"flameprof","name":${JSON.stringify(opts.title)},"activeProfileIndex":0,` +
    `"shared":{"frames":[${shared.join(',')}]},` +
    `"profiles":[{"type":"sampled","name":${JSON.stringify(opts.title)},"unit":"${unit}",` +
    `"startValue":0,"endValue":${total},"samples":[`;

  // Post-order: a frame's sample follows those of its subtree.
  const weights: number[] = [];
  const emit = (i: number): void => {
    // speedscope rejects negative weights and skips zero ones. A frame can be narrower than
    // its children only through rounding or a profile whose callee times exceed the caller's.
    const w = finite(rest[i]);
    if (!(w > 0)) return;
    const stack: number[] = [];
    for (let j = i; j >= 0; j = parentOf[j]) stack.push(index.get(flame.func[j])!);
    stack.reverse();
    out += `${weights.length > 0 ? ',' : ''}[${stack.join(',')}]`;
    weights.push(w);
  };
  const open: number[] = [];
  for (let i = 0; i < flame.length; i++) {
    while (open.length > flame.level[i]) emit(open.pop()!);
    open.push(i);
    if (out.length >= chunkSize) {
      yield out;
      out = '';
    }
  }
  while (open.length > 0) emit(open.pop()!);

  out += '],"weights":[';
  for (let k = 0; k < weights.length; k++) {
    out += (k > 0 ? ',' : '') + weights[k];
    if (out.length >= chunkSize) {
      yield out;
      out = '';
    }
  }
  out += ']}]}\n';
  yield out;
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

/**
 * About how many bytes the file takes: a frame that its children do not cover is a sample
 * that lists its whole path.
 */
export function speedscopeSize(frames: FrameSet): number {
  const flame = frames.flame;
  const { rest } = restWidths(flame);
  const index = String(frames.funcs.length).length + 1;
  let size = 1024;
  for (let i = 0; i < flame.length; i++) if (rest[i] > 0) size += (flame.level[i] + 1) * index + 30;
  for (const f of frames.funcs) size += f.label.length * 3 + 40;
  return size;
}

/** Each frame's parent, and the width left to it once its drawn children are taken out. */
function restWidths(flame: FrameColumns): { rest: Float64Array; parentOf: Int32Array } {
  const rest = flame.w.slice(0, flame.length);
  const parentOf = new Int32Array(flame.length);
  const path: number[] = [];
  for (let i = 0; i < flame.length; i++) {
    const level = flame.level[i];
    path.length = level;
    const p = level > 0 ? path[level - 1] : -1;
    parentOf[i] = p;
    if (p >= 0) rest[p] -= flame.w[i];
    path.push(i);
  }
  return { rest, parentOf };
}
