/**
 * Every option, with its default, in one place: the CLI's flags and the library's
 * parameters are both this type, so they cannot drift apart, and every rule between options
 * is checked here once (resolveOptions), for the CLI and the library alike.
 */
import { UsageError } from './errors';
import type { DiffMatch } from './frames/diff';
import type { Sections } from './frames/frame-set';
import type { Selection } from './frames/select';
import { INPUT_FORMATS, type InputFormat } from './import/registry';
import type { ColorScheme } from './render/colour';
import { DIFF_FORMATS, OUTPUT_FORMATS, RENDERERS, renderer, type OutputFormat } from './render/registry';
import { regexProblem } from './render/search';

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
   * Output format, a renderer's name: 'svg' (default), 'html' (the interactive report: flame,
   * icicle, table, sandwich and call graph in one page), 'log' (folded stacks), 'speedscope'.
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
  /** The colour scheme (render/colour.ts): 'hot' (flameprof's, default), 'python', 'aqua', 'blue', 'green' or 'colorblind'. */
  colors: ColorScheme;
  /** Title shown in the header. Default: the inputs' file names (`stdin` for -; several joined with ` + `). */
  title: string | undefined;
  /** A second line under the title. Default undefined: none. */
  subtitle: string | undefined;
  /** Embed the zoom/search script in the SVG. Default true (`--no-js` sets false). */
  js: boolean;
  /** `flameprof diff`: scale BEFORE to AFTER's total first (difffolded.pl's -n). Default false. */
  normalize: boolean;
  /** `flameprof diff`: draw BEFORE's frames instead of AFTER's (flamegraph.pl's --negate). Default false. */
  negate: boolean;
  /**
   * `flameprof diff`: pair the two sides' frames by call path of `file:line:name` labels
   * ('path', default) or of function names alone ('name': files renamed or moved still pair).
   */
  match: DiffMatch;
  /** How to read the inputs: an importer's name, or 'auto' (default): told from the content. */
  inputFormat: InputFormat;
  /**
   * A folder among the inputs stands for the profiles under it (see io/folder.ts), merged in
   * the order of their paths; with `files`, only those whose path under the folder matches
   * this regular expression (JavaScript's, case-sensitive). Default undefined: all of them.
   */
  files: string | undefined;
  /** pprof inputs: the sample type to read. Default undefined: the profile's default, else its last. */
  sampleType: string | undefined;
  /** Skip malformed lines in text inputs (counted in a warning) instead of failing. Default false. */
  skipBadLines: boolean;
  /** -r/-m: the Python to run, a command looked up on PATH or a path. Default 'python3'. */
  python: string;
  /**
   * -r/-m under cProfile: measure the CPU time of the Python process (`time.process_time`)
   * instead of wall-clock time. Default false.
   */
  cpu: boolean;
  /** -r/-m: keep the cProfile dump beside the output (out.svg -> out.prof). Default false. */
  pstat: boolean;
  /** -r/-m: cProfile in every thread, a root each (`<thread>:0:NAME`), not only the main one. Default false. */
  threads: boolean;
  /**
   * -r/-m: run under flameprof_py's sampler instead of cProfile: each thread charged for the
   * CPU time it used (or, with `wall`, sampled every interval of wall-clock time). Default false.
   */
  sample: boolean;
  /** With `sample`: milliseconds between samples, at least 1. Default 10. */
  interval: number;
  /** With `sample`: sample wall-clock time (sleeping and waiting too) instead of CPU time. Default false. */
  wall: boolean;
  /** With `sample`: start paused; SIGUSR2 to the program turns collection on and off. Default false. */
  toggle: boolean;
  /** With `sample`: frames carry the line being run (`file:LINE:function`), not the function's first line. Default false. */
  lines: boolean;
  /** `flameprof serve`: the port, 0 for any free one. Default 8888. */
  port: number;
  /** `flameprof serve`: the address to listen on. Default '127.0.0.1': this machine only. */
  host: string;
  /** `flameprof serve`: open the listing in a browser ($BROWSER, or the desktop's opener). Default false. */
  open: boolean;
}

/** What a run of flameprof does with the options (they name the flags that belong to others). */
export type Command = 'graph' | 'diff' | 'serve' | 'run';

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
  match: 'path',
  inputFormat: 'auto',
  files: undefined,
  sampleType: undefined,
  skipBadLines: false,
  python: 'python3',
  cpu: false,
  pstat: false,
  threads: false,
  sample: false,
  interval: 10,
  wall: false,
  toggle: false,
  lines: false,
  port: 8888,
  host: '127.0.0.1',
  open: false,
});

/** Options already resolved: passed through as they are. */
const resolved = new WeakSet<Options>();

/**
 * The options with defaults filled in for what the caller left out, once every rule between
 * them is checked: a UsageError (the CLI's exit 2) names the flag that is wrong. `command`
 * says what the options are for: an option of another command, set to other than its
 * default, is an error. Options this function returned pass through unchanged, whatever the
 * command (the CLI resolves its options once, for the whole run).
 */
export function resolveOptions(partial: Partial<Options> = {}, command: Command = 'graph'): Options {
  if (resolved.has(partial as Options)) return partial as Options;
  const given = (k: keyof Options): boolean => {
    const v = partial[k];
    return v !== undefined && (Array.isArray(v) ? v.length > 0 : v !== DEFAULT_OPTIONS[k]);
  };
  const out: Options = { ...DEFAULT_OPTIONS };
  for (const [k, v] of Object.entries(partial)) {
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  }
  selection(out);
  filesRegex(out);
  if (out.minWidth !== undefined && out.fluid) throw new UsageError('--minwidth needs a width in pixels, not --width 100%');
  if (given('minWidth') && given('threshold')) throw new UsageError('--minwidth and --threshold cannot be used together');
  if (!OUTPUT_FORMATS.includes(out.format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got '${out.format}'`);
  if (!INPUT_FORMATS.includes(out.inputFormat)) throw new UsageError(`--input-format must be one of ${INPUT_FORMATS.join(', ')}, got '${out.inputFormat}'`);
  if (out.sections === 'inverted' && renderer(out.format).flameOnly) {
    const both = RENDERERS.filter((r) => !r.flameOnly).map((r) => r.name);
    throw new UsageError(`--inverted-only draws ${both.join(' or ')}: the ${out.format} output holds the flame only`);
  }
  if (command !== 'run') {
    const stray = (['python', 'cpu', 'pstat', 'threads', 'sample'] as const).find(given);
    if (stray !== undefined) throw new UsageError(`--${stray} works only with -r/--run or -m/--module`);
  }
  const samplerFlag = (['interval', 'wall', 'toggle', 'lines'] as const).find(given);
  if (samplerFlag !== undefined && !out.sample) throw new UsageError(`--${samplerFlag} works only with --sample`);
  if (out.sample) {
    const clash = out.cpu
      ? '--cpu (the sampler counts CPU time unless --wall)'
      : out.pstat
        ? '--pstat (the sampler writes no cProfile dump)'
        : out.threads
          ? '--threads (the sampler samples every thread)'
          : undefined;
    if (clash !== undefined) throw new UsageError(`--sample cannot be used with ${clash}`);
  }
  if ((command === 'serve' || command === 'run') && given('files')) throw new UsageError(`--files works only with profile inputs`);
  if (command !== 'serve') {
    const stray = (['port', 'host', 'open'] as const).find(given);
    if (stray !== undefined) throw new UsageError(`--${stray} works only with flameprof serve`);
  }
  if (command !== 'diff') {
    const stray = (['normalize', 'negate', 'match'] as const).find(given);
    if (stray !== undefined) throw new UsageError(`--${stray} works only with flameprof diff`);
  }
  if (command === 'diff' && !DIFF_FORMATS.includes(out.format)) {
    throw new UsageError(`a diff is drawn as ${DIFF_FORMATS.slice(0, -1).join(', ')} or ${DIFF_FORMATS.at(-1)}, not ${out.format}`);
  }
  resolved.add(out);
  return out;
}

/** --files compiled, or undefined when not given: a UsageError names a bad regex. */
export function filesRegex(opts: Pick<Options, 'files'>): RegExp | undefined {
  return opts.files === undefined ? undefined : compileFlag('--files', opts.files);
}

function compileFlag(flag: string, source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UsageError(`${flag} '${source}' is not a regular expression: ${regexProblem(err)}`);
  }
}

/** --hide, --focus and --reverse, compiled: a UsageError names the flag of a bad regex. */
export function selection(opts: Pick<Options, 'hide' | 'focus' | 'reverse'>): Selection {
  return {
    hide: opts.hide.map((h) => compileFlag('--hide', h)),
    focus: opts.focus === undefined ? undefined : compileFlag('--focus', opts.focus),
    reverse: opts.reverse,
  };
}
