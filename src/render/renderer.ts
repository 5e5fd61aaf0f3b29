/**
 * What every output format provides, as speedscope's exporters and inferno's writers do: a
 * name, a file extension, which sections it can hold, its size for --max-output, and a writer
 * of byte chunks (and, where the format draws one, of a diff). `registry.ts` lists them; the
 * CLI's format checks, -r's output names and the size check all come from there.
 */
import { FlameprofError } from '../errors';
import type { DiffMatch } from '../frames/diff';
import type { FrameSet, Sections } from '../frames/frame-set';
import type { ChunkOptions } from './bytes';
import type { ColorScheme } from './colour';

/** The graph's geometry: what --width, --row-height and --font-size set. */
export interface Geometry {
  readonly width: number;
  /** The flame grows down from the top (--icicle). */
  readonly icicle?: boolean;
  readonly rowHeight: number;
  readonly fontSize: number;
}

/** A differential graph's fill and tooltip details of each frame, by section (diff.ts makes them). */
export interface FramePaint {
  fill(flame: boolean, i: number): string;
  /** What follows the tooltip's dash: numbers and fixed words (escaped by the writer). */
  details(flame: boolean, i: number): string;
}

/** What the SVG writer takes (from RenderSettings, or a diff's paint and legend besides). */
export interface SvgOptions extends Geometry {
  /** Shown in the header. */
  readonly title: string;
  /** Embed the interactive script. */
  readonly js: boolean;
  /** The unit's word in tooltips, instead of 's' or 'samples'. */
  readonly countName?: string;
  /** The colour scheme. Default 'hot'. */
  readonly colors?: ColorScheme;
  /** Text for the SVG's <metadata>. */
  readonly notes?: string;
  /** A line under the title. */
  readonly subtitle?: string;
  /** Scale to the window's width. */
  readonly fluid?: boolean;
  /** The header's explanation line, instead of the one for the profile's kind. */
  readonly legend?: string;
  /** A differential graph's fills and tooltips, instead of the palette's and the timings. */
  readonly paint?: FramePaint;
}

/** What renderers read of the options (see Options for each), with the title resolved. */
export interface RenderSettings extends Geometry {
  readonly title: string;
  readonly subtitle: string | undefined;
  readonly fluid: boolean;
  readonly js: boolean;
  readonly countName: string | undefined;
  readonly colors: ColorScheme;
  readonly notes: string | undefined;
  readonly sections: Sections;
  readonly logMult: number;
  readonly maxOutput: number;
  readonly normalize: boolean;
  readonly negate: boolean;
  readonly match: DiffMatch;
}

/** The two sides of a comparison, each side's frames built from one kind of profile. */
export interface DiffSides {
  readonly before: FrameSet;
  readonly after: FrameSet;
}

export interface Renderer {
  /** What --format calls it. */
  readonly name: string;
  /** What it is, in a few words (--help). */
  readonly describe: string;
  /** The ending of the files it writes (-r's default output names). */
  readonly extension: string;
  /** It holds the flame only: not to be drawn with the inverted section alone. */
  readonly flameOnly: boolean;
  /** Its output is bytes, not text: never a string, never to a terminal. */
  readonly binary?: boolean;
  /**
   * The output's size in bytes, or a bound of it: a cheap bound when that is within `limit`,
   * else a closer count, frame by frame.
   */
  size(frames: FrameSet, limit: number): number;
  render(frames: FrameSet, settings: RenderSettings, chunks: ChunkOptions): Iterable<Uint8Array>;
  /** What changed from BEFORE to AFTER, for the formats that draw it. */
  renderDiff?(sides: DiffSides, settings: RenderSettings, chunks: ChunkOptions): Iterable<Uint8Array>;
}

/** Stop before writing anything when the output would pass --max-output (MB). */
export function checkSize(renderer: Renderer, frames: FrameSet, maxOutput: number): void {
  const limit = maxOutput * 2 ** 20;
  const size = renderer.size(frames, limit);
  if (size <= limit) return;
  const mb = (n: number): string => `${Math.ceil(n / 2 ** 20)} MB`;
  throw new FlameprofError(
    `the ${renderer.name} output would be about ${mb(size)}, more than --max-output ${maxOutput} (MB); ` +
      'raise --max-output, or --threshold to draw less',
  );
}

/**
 * A bound of an output's size from the frame count, the depth and the longest label, which
 * settles most graphs without a pass over the frames: a frame's markup, numbers and (escaped:
 * at most 6 bytes a character) text, times the depth for formats that repeat a frame's path
 * on its line (the log, speedscope).
 */
export function quickBound(frames: FrameSet, repeatsPaths: boolean): number {
  let longest = 0;
  for (const f of frames.funcs) longest = Math.max(longest, f.label.length + f.key.name.length);
  const perFrame = 2048 + 6 * longest;
  const depth = Math.max(frames.flame.maxLevel, frames.inverted.maxLevel) + 1;
  return 65536 + (frames.flame.length + frames.inverted.length) * perFrame * (repeatsPaths ? depth : 1);
}

/** A renderer's `size`: `quickBound` while it is within the limit, else `count`, frame by frame. */
export function sizeBy(repeatsPaths: boolean, count: (frames: FrameSet) => number): Renderer['size'] {
  return (frames, limit) => {
    const bound = quickBound(frames, repeatsPaths);
    return bound <= limit ? bound : count(frames);
  };
}
