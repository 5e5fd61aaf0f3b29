/**
 * What the HTML report carries: the frames and the exact numbers, stored once and compactly
 * (typed arrays as base64, strings in tables), as JSON in the page. This file is the
 * contract between the writer (./html.ts) and the page's script (src/report/), which
 * imports its types and decoder.
 */
import type { Sections } from '../frames/frame-set';

/** A typed array's bytes, little-endian, as base64. */
export type B64 = string;

export interface SectionData {
  readonly n: number;
  readonly maxLevel: number;
  /** Int32 */
  readonly level: B64;
  /** Int32: index into the functions. */
  readonly func: B64;
  /** Uint8: index into FRAME_COLORS. */
  readonly color: B64;
  /** Uint8: index into ReportData.fills. */
  readonly fill: B64;
  /** Float64, profile units. */
  readonly x: B64;
  readonly w: B64;
  readonly cc: B64;
  readonly nc: B64;
  readonly tt: B64;
  readonly ct: B64;
}

export interface ReportData {
  readonly version: 1;
  readonly title: string;
  /** A line under the title ('' for none). */
  readonly subtitle: string;
  /** The view a link that names none opens on. */
  readonly view: 'flame' | 'icicle';
  /** The frames were merged from whole stacks (see FrameSet.fromStacks). */
  readonly fromStacks: boolean;
  /** The profile is whole stacks (a sampled profile, of counts or times): every width exact, no call counts. */
  readonly sampled: boolean;
  /** 'seconds' for pstats dumps (times estimated below the first level), 'samples' for stacks. */
  readonly unit: 'seconds' | 'samples';
  /** The unit's word in tooltips. */
  readonly unitWord: string;
  /** What 100 % of the flame is. */
  readonly total: number;
  readonly rowHeight: number;
  readonly fontSize: number;
  readonly sections: Sections;
  /** Distinct file names. */
  readonly files: readonly string[];
  /** Per function: index into files, line, name. */
  readonly funcFile: readonly number[];
  readonly funcLine: readonly number[];
  readonly funcName: readonly string[];
  /** The fills frames use (`rgb(...)`), by index. */
  readonly fills: readonly string[];
  readonly flame: SectionData;
  readonly inverted: SectionData;
  /** Per function (Float64 each): primitive calls, calls, own, cumulative. */
  readonly exact: { readonly cc: B64; readonly nc: B64; readonly tt: B64; readonly ct: B64 };
  /** Per edge: caller and callee (Int32), then Float64 timings. */
  readonly edges: {
    readonly n: number;
    readonly caller: B64;
    readonly callee: B64;
    readonly cc: B64;
    readonly nc: B64;
    readonly tt: B64;
    readonly ct: B64;
  };
  readonly warnings: readonly string[];
  /** Present in a differential report (`flameprof diff --format=html`). */
  readonly diff?: DiffData;
}

/** Per frame (Float64): cumulative and own time before and after; (Uint8) 1 where the other side lacks the path. */
export interface SectionDiffData {
  readonly before: B64;
  readonly after: B64;
  readonly selfBefore: B64;
  readonly selfAfter: B64;
  readonly missing: B64;
}

export interface DiffData {
  /** The header's explanation of widths and colours. */
  readonly legend: string;
  /** The frames are BEFORE's (--negate). */
  readonly negate: boolean;
  /** Per frame of each section: FrameDiff's numbers. */
  readonly flame: SectionDiffData;
  readonly inverted: SectionDiffData;
  /** Every function of either side, by label, with its exact own and cumulative time on each side (Float64). */
  readonly labels: readonly string[];
  readonly ttBefore: B64;
  readonly ttAfter: B64;
  readonly ctBefore: B64;
  readonly ctAfter: B64;
}

/** The id of the `<script type="application/json">` that holds the data. */
export const DATA_ID = 'flameprof-data';
