/**
 * Shorter file names in labels, tooltips and the folded log: relative to the interpreter's
 * library and site-packages (`json/encoder.py`, `sympy/core/function.py`), to the current
 * folder, and past any prefix the user names. Frames stay where they are: only their
 * labels change (and with them their colours, which hash the label).
 */
import { funcLabel, type FuncKey } from '../model/profile';
import type { FrameSet } from './frame-set';

export interface PathOptions {
  /** Cut site-packages, the standard library's folder and the current folder. */
  readonly shortPaths: boolean;
  /** Prefixes cut from the start of file names, in order, before the rest. */
  readonly strip: readonly string[];
  /** The folder names are made relative to. Default: process.cwd(). */
  readonly cwd?: string;
}

/** `.../site-packages/` or `.../dist-packages/`: what follows is a package's own path. */
const SITE = /^.*[\\/](?:site|dist)-packages[\\/]/;
/** The standard library: `.../lib/python3.11/` (or `Lib\` on Windows). */
const STDLIB = /^.*[\\/][Ll]ib[\\/]python\d+(?:\.\d+)?[\\/]/;

/** A file name as `shortPaths` and `strip` make it. */
export function shortPath(file: string, opts: PathOptions): string {
  let f = file;
  for (const prefix of opts.strip) {
    if (prefix !== '' && f.startsWith(prefix)) {
      f = f.slice(prefix.length).replace(/^[\\/]+/, '');
      break;
    }
  }
  if (!opts.shortPaths) return f;
  if (SITE.test(f)) return f.replace(SITE, '');
  if (STDLIB.test(f)) return f.replace(STDLIB, '');
  const cwd = (opts.cwd ?? process.cwd()).replace(/[\\/]+$/, '');
  if (cwd !== '' && (f.startsWith(`${cwd}/`) || f.startsWith(`${cwd}\\`))) return f.slice(cwd.length + 1);
  return f;
}

/** The frames with their functions' files shortened (the same frames when nothing asks for it). */
export function shortenPaths(frames: FrameSet, opts: PathOptions): FrameSet {
  if (!opts.shortPaths && opts.strip.length === 0) return frames;
  const funcs = frames.funcs.map((f) => {
    const file = shortPath(f.key.file, opts);
    if (file === f.key.file) return f;
    const key: FuncKey = { ...f.key, file };
    // Sampled labels of bare names carry no file: only `file:line:name` labels change.
    return { key, label: f.label === funcLabel(f.key) ? funcLabel(key) : f.label };
  });
  return { ...frames, funcs };
}
