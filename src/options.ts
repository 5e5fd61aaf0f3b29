/**
 * Every option, with its default, in one place: the CLI's flags and the library's
 * parameters are both this type, so they cannot drift apart.
 */
export interface Options {
  /** Width of the graph in pixels. Default 1200. */
  width: number;
  /**
   * The SVG fills the width of its window (`--width 100%`), drawn at `width` pixels and
   * scaled. Default false.
   */
  fluid: boolean;
  /** Height of one row of frames in pixels. Default 24. */
  rowHeight: number;
  /** Label font size in pixels. Default 12. */
  fontSize: number;
  /**
   * Frames narrower than this percentage of the total are not drawn (their time goes to the
   * parent's own time in the log). Default 0.1 (per cent, as in flameprof).
   */
  threshold: number;
  /**
   * Output format: 'svg' (default), 'log' (folded stacks), 'speedscope', or 'html' (the
   * interactive report: flame, icicle, table, sandwich and call graph in one page).
   */
  format: OutputFormat;
  /** Multiplier applied to seconds in the folded log. Default 1000000 (microseconds). */
  logMult: number;
  /**
   * Stop with an error when a graph would hold more frames than this: the paths of a call
   * graph are exponential in number, and a very low threshold can ask for billions.
   * Default 2,000,000.
   */
  maxFrames: number;
  /**
   * Stop with an error at a stack deeper than this many frames: a line of folded stacks, a
   * plop stack, or a path of the flame. Each line of the folded log holds its whole stack, so
   * the log of a deep chain grows with the square of its depth. Default 10,000.
   */
  maxDepth: number;
  /**
   * Stop with an error, before writing anything, when the output would be bigger than this
   * many megabytes (2^20 bytes). Default 1024.
   */
  maxOutput: number;
  /**
   * File names in labels, tooltips and the folded log made short: relative to the
   * interpreter's library or site-packages (`json/encoder.py`, `sympy/core/function.py`) and
   * to the current folder. Default false: flameprof's full paths.
   */
  shortPaths: boolean;
  /** Prefixes cut from the start of file names (the first that matches), before shortPaths. Default none. */
  strip: string[];
  /** Which sections the SVG draws: 'both' (default), 'flame' (--no-inverted) or 'inverted' (--inverted-only). */
  sections: Sections;
  /**
   * Regular expressions (JavaScript's, case-sensitive) matched against `file:line:name`:
   * matching frames are left out, their time going to their caller, as if inlined. Default none.
   */
  hide: string[];
  /**
   * A regular expression: only the stacks through a matching function are drawn, each from
   * its outermost match, which becomes a root. Nothing matching is an error. Default undefined.
   * With hide and reverse it works on whole stacks: a pstats dump's are the estimator's.
   */
  focus: string | undefined;
  /** Stacks merged from the innermost frame, as flamegraph.pl's --reverse. Default false. */
  reverse: boolean;
  /** The flame drawn root at the top (flamegraph.pl's --inverted); the report opens on its icicle. Default false. */
  icicle: boolean;
  /**
   * Frames narrower than this many pixels are not drawn: --threshold in pixels (the
   * threshold becomes minWidth / width * 100). Default undefined: --threshold decides.
   */
  minWidth: number | undefined;
  /** The word for the unit in tooltips ('s' for pstats dumps, 'samples' for sampled stacks). Default undefined: those. */
  countName: string | undefined;
  /** Text kept in the SVG's <metadata> (a note on where the profile came from, say). Default undefined: none. */
  notes: string | undefined;
  /**
   * The SVG's colours: 'hot' (flameprof's, default), 'python' (by where the code lives: your
   * code, the standard library, site-packages, built-ins, import machinery), 'aqua', 'blue',
   * 'green', or 'colorblind' (safe for the common colour-vision deficiencies).
   */
  colors: ColorScheme;
  /** Title shown in the SVG header. Default: derived from the input file names. */
  title: string | undefined;
  /** A second line under the title. Default undefined: none. */
  subtitle: string | undefined;
  /** Embed the zoom/search script in the SVG. Default true (`--no-js` sets false). */
  js: boolean;
  /** `flameprof diff`: scale BEFORE to AFTER's total first (difffolded.pl's -n). Default false. */
  normalize: boolean;
  /** `flameprof diff`: draw BEFORE's frames instead of AFTER's (flamegraph.pl's --negate). Default false. */
  negate: boolean;
  /** How to read the input. Default 'auto' (detected from the content). */
  inputFormat: InputFormat;
  /** Skip malformed lines in text inputs (counted in a warning) instead of failing. Default false. */
  skipBadLines: boolean;
}

/** The SVG's geometry: what flameprof's --width, --row-height and --font-size set. */
export interface Geometry {
  readonly width: number;
  /** The flame grows down from the top (--icicle). */
  readonly icicle?: boolean;
  readonly rowHeight: number;
  readonly fontSize: number;
}

/** What the SVG renderer takes from `Options` (with the title resolved). */
export interface SvgOptions extends Geometry {
  /** Shown in the header. */
  readonly title: string;
  /** Embed the interactive script. */
  readonly js: boolean;
  /** The unit's word in tooltips, instead of 's' or 'samples'. */
  readonly countName?: string;
  /** The colour scheme (see Options.colors). Default 'hot'. */
  readonly colors?: ColorScheme;
  /** Text for the SVG's <metadata>. */
  readonly notes?: string;
  /** A line under the title. */
  readonly subtitle?: string;
  /** Scale to the window's width (see Options.fluid). */
  readonly fluid?: boolean;
  /** The header's explanation line, instead of the one for the profile's kind. */
  readonly legend?: string;
  /** A differential graph's fills and tooltips, instead of the palette's and the timings. */
  readonly paint?: FramePaint;
}

/** A differential graph's fill and tooltip details of each frame, by section (render/diff.ts makes them). */
export interface FramePaint {
  fill(flame: boolean, i: number): string;
  /** What follows the tooltip's dash: numbers and fixed words (escaped by the writer). */
  details(flame: boolean, i: number): string;
}

export type Sections = 'both' | 'flame' | 'inverted';

export type ColorScheme = 'hot' | 'python' | 'aqua' | 'blue' | 'green' | 'colorblind';
export const COLOR_SCHEMES: readonly ColorScheme[] = ['hot', 'python', 'aqua', 'blue', 'green', 'colorblind'];

export type OutputFormat = 'svg' | 'log' | 'speedscope' | 'html';
export type InputFormat = 'auto' | 'pstats' | 'folded' | 'plop';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['svg', 'log', 'speedscope', 'html'];
export const INPUT_FORMATS: readonly InputFormat[] = ['auto', 'pstats', 'folded', 'plop'];

export const DEFAULT_OPTIONS: Readonly<Options> = Object.freeze({
  width: 1200,
  fluid: false,
  rowHeight: 24,
  fontSize: 12,
  threshold: 0.1,
  format: 'svg',
  logMult: 1000000,
  maxFrames: 2000000,
  maxDepth: 10000,
  maxOutput: 1024,
  shortPaths: false,
  strip: [],
  sections: 'both',
  hide: [],
  focus: undefined,
  reverse: false,
  icicle: false,
  colors: 'hot',
  minWidth: undefined,
  countName: undefined,
  notes: undefined,
  title: undefined,
  subtitle: undefined,
  js: true,
  normalize: false,
  negate: false,
  inputFormat: 'auto',
  skipBadLines: false,
});

/** Fill in defaults for the options a caller left out. */
export function resolveOptions(partial: Partial<Options> = {}): Options {
  const out: Options = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}
