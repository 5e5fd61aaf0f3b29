/**
 * Differential outputs: colours and tooltips for the SVG's and the report's frames (red where
 * a frame grew, blue where it shrank, white where equal, saturation scaled by the largest
 * change, full for a frame only one side has), and the header's line that explains them.
 */
import type { FrameDiff } from '../frames/diff';
import { formatSix } from '../model/pynum';
import type { FramePaint } from './renderer';

const signed = (v: number): string => (v > 0 ? `+${formatSix(v)}` : formatSix(v));

export function diffPaint(diff: FrameDiff, unit: string): FramePaint {
  const total = diff.frames.total;
  const section = (flame: boolean) => (flame ? diff.flame : diff.inverted);
  const missing = (flame: boolean) => (flame ? diff.flameMissing : diff.invertedMissing);
  return {
    fill(flame, i) {
      const s = section(flame);
      // One scale for every frame: its change of own time against the largest change. A frame
      // only one side has changed by its whole own time (its other side is 0), no more: a new
      // path worth microseconds stays pale.
      const change = s.selfAfter[i] - s.selfBefore[i];
      const t = diff.maxChange > 0 ? Math.abs(change) / diff.maxChange : 0;
      // 86 shades a hue, in steps of 3: the report keeps fills in one byte.
      const pale = 255 - 3 * Math.round(85 * t);
      if (change > 0) return `rgb(255,${pale},${pale})`;
      if (change < 0) return `rgb(${pale},${pale},255)`;
      return 'rgb(255,255,255)';
    },
    details(flame, i) {
      const s = section(flame);
      const only = missing(flame)[i] === 1 ? (diff.negate ? 'gone' : 'new') : undefined;
      return diffDetails(s.before[i], s.after[i], s.selfBefore[i], s.selfAfter[i], total, unit, only);
    },
  };
}

/** A frame's tooltip after the dash in a diff (the report's page writes it too). */
export function diffDetails(before: number, after: number, selfBefore: number, selfAfter: number, total: number, unit: string, only?: 'new' | 'gone'): string {
  const change = selfAfter - selfBefore;
  const share = total > 0 ? (100 * change) / total : 0;
  const note = only === 'new' ? ' (only after)' : only === 'gone' ? ' (only before)' : '';
  return (
    `own ${formatSix(selfBefore)} -> ${formatSix(selfAfter)} ${unit}, change ${signed(change)} ${unit} (${signed(Number(share.toFixed(2)))}% of the total); ` +
    `cumulative ${formatSix(before)} -> ${formatSix(after)} ${unit}${note}`
  );
}

/** The word for the unit in a diff's tooltips. */
export function diffUnit(diff: FrameDiff, s: { readonly countName: string | undefined }): string {
  return s.countName ?? (diff.frames.unit === 'seconds' ? 's' : 'samples');
}

/** The header's line for a differential graph (short enough for one row of a graph 1200 px wide). */
export function diffLegend(diff: FrameDiff, normalized: boolean): string {
  // A pstats dump's frames below the first level are the estimator's.
  const estimated = diff.frames.unit === 'seconds' && !diff.frames.fromStacks;
  const side = diff.negate ? 'BEFORE' : 'AFTER';
  return (
    `${side}'s frames${estimated ? ', estimated below the first level' : ''} · red: own time grew from BEFORE to AFTER, blue: shrank, white: equal` +
    (normalized ? " · BEFORE scaled to AFTER's total" : '')
  );
}

