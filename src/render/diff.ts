/**
 * Differential outputs: colours and tooltips for the SVG's and the report's frames (red where
 * a frame grew, blue where it shrank, white where equal, saturation scaled by the largest
 * change, full for a frame only one side has), and the folded diff log that difffolded.pl
 * writes for our two logs.
 */
import type { FrameDiff } from '../frames/diff';
import type { FrameSet } from '../frames/frame-set';
import type { FramePaint } from '../options';
import { formatSix } from '../model/pynum';
import { decodeChunks, utf8, type ChunkOptions } from './bytes';
import { renderLog } from './log';


const signed = (v: number): string => (v > 0 ? `+${formatSix(v)}` : formatSix(v));

export function diffPaint(diff: FrameDiff, unit: string): FramePaint {
  const total = diff.frames.total;
  const section = (flame: boolean) => (flame ? diff.flame : diff.inverted);
  const missing = (flame: boolean) => (flame ? diff.flameMissing : diff.invertedMissing);
  return {
    fill(flame, i) {
      const s = section(flame);
      const gone = missing(flame)[i] === 1;
      // A frame only one side has is all change: new (red), or gone after (blue, with --negate).
      const change = gone ? (diff.negate ? -1 : 1) : s.selfAfter[i] - s.selfBefore[i];
      const t = gone ? 1 : diff.maxChange > 0 ? Math.abs(change) / diff.maxChange : 0;
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

/** The header's line for a differential graph. */
export function diffLegend(diff: FrameDiff, estimated: boolean, normalized: boolean): string {
  const side = diff.negate ? 'BEFORE' : 'AFTER';
  return (
    `widths: ${side}'s ${estimated ? 'estimated ' : ''}frames · colour: the change of a frame's own time, red: grew from BEFORE to AFTER, blue: shrank, white: equal` +
    (normalized ? ' · BEFORE scaled to the same total' : '') +
    (estimated ? ' · green frames do not apply here: every width below the first level is estimated' : '')
  );
}

/**
 * `stack before after` for every stack of either log, as `difffolded.pl [-n] BEFORE AFTER`
 * prints them for our two logs (it prints them in no fixed order; these are sorted).
 */
export function* renderDiffLog(before: FrameSet, after: FrameSet, logMult: number, normalize: boolean, chunks: ChunkOptions = {}): Generator<Uint8Array> {
  const a = logCounts(before, logMult);
  const b = logCounts(after, logMult);
  const total = (m: Map<string, number>): number => [...m.values()].reduce((s, v) => s + v, 0);
  const t1 = total(a);
  const t2 = total(b);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const limit = chunks.chunkSize ?? 1 << 18;
  let out = '';
  for (const k of keys) {
    let c1 = a.get(k) ?? 0;
    // difffolded.pl's -n: int(count * total2 / total1), truncated.
    if (normalize && t1 !== t2) c1 = Math.trunc((c1 * t2) / t1);
    out += `${k} ${perlNumber(c1)} ${perlNumber(b.get(k) ?? 0)}\n`;
    if (out.length >= limit) {
      yield utf8(out);
      out = '';
    }
  }
  yield utf8(out);
}

/** Our log of these frames, read back as stack -> count (a stack written twice adds up, as difffolded.pl adds). */
function logCounts(frames: FrameSet, logMult: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of decodeChunks(renderLog(frames, logMult)).split('\n')) {
    if (line === '') continue;
    const at = line.lastIndexOf(' ');
    const k = line.slice(0, at);
    out.set(k, (out.get(k) ?? 0) + Number(line.slice(at + 1)));
  }
  return out;
}

/** A number as Perl prints it: integers whole, others with 15 significant digits. */
function perlNumber(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e15 ? String(n) : String(Number(n.toPrecision(15)));
}
