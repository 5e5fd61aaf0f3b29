/**
 * Our output against flameprof 0.4's own (test/fixtures/expected): every frame of every
 * reference SVG in position, size, colour, label and tooltip, and every folded log byte for
 * byte. Rendered through the library API, as a program embedding us would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFrames, renderToString } from '../src/pipeline';
import { readProfile } from '../src/pipeline';
import type { Options } from '../src/options';
import type { Profile } from '../src/model/profile';
import { readOurSvg, readReferenceSvg, referenceTooltipPrefix, type SvgFrame } from './helpers/svg-frames';

const FIXTURES = join(__dirname, 'fixtures');
const EXPECTED = join(FIXTURES, 'expected');
const PX = 1e-6;

/** `NAME.svg` or `NAME.w800-rh16-fs10-t0.5-m1000.svg`: the profile and the options used. */
interface Case {
  readonly file: string;
  readonly profile: string;
  readonly options: Partial<Options>;
}

function parseCase(file: string): Case {
  const m = /^([^.]+)(?:\.(.+))?\.svg$/.exec(file);
  if (!m) throw new Error(`unexpected file name ${file}`);
  const options: Partial<Options> = {};
  if (m[2] !== undefined) {
    const keys: Record<string, keyof Options> = { w: 'width', rh: 'rowHeight', fs: 'fontSize', t: 'threshold', m: 'logMult' };
    for (const part of m[2].split('-')) {
      const p = /^([a-z]+)([\d.]+)$/.exec(part);
      if (!p || !(p[1] in keys)) throw new Error(`unexpected option '${part}' in ${file}`);
      (options as Record<string, number>)[keys[p[1]]] = Number(p[2]);
    }
  }
  return { file, profile: m[1], options };
}

const cases = readdirSync(EXPECTED)
  .filter((f) => f.endsWith('.svg'))
  .sort()
  .map(parseCase);

const profiles = new Map<string, Profile>();
function profileOf(name: string): Profile {
  let p = profiles.get(name);
  if (p === undefined) {
    const path = join(FIXTURES, `${name}.prof`);
    p = readProfile(readFileSync(path), path);
    profiles.set(name, p);
  }
  return p;
}

test('the reference set is complete: 8 profiles, each with default and w800-rh16-fs10-t0.5-m1000 options', () => {
  const names = [...new Set(cases.map((c) => c.profile))].sort();
  expect(names).toEqual(['merged', 'multiroot', 'recursion', 'sample-py2', 'sample-py3', 'sample2-py2', 'sample2-py3', 'textproc']);
  for (const n of names) {
    expect(cases.filter((c) => c.profile === n).map((c) => c.file)).toEqual([`${n}.svg`, `${n}.w800-rh16-fs10-t0.5-m1000.svg`]);
  }
});

/** What is wrong with one of our frames compared with the reference's, or nothing. */
function frameDifferences(ours: SvgFrame, ref: SvgFrame, fontSize: number): string[] {
  const out: string[] = [];
  for (const k of ['x', 'y', 'width', 'height'] as const) {
    if (!(Math.abs(ours[k] - ref[k]) <= PX)) out.push(`${k} ${ours[k]} != ${ref[k]}`);
  }
  if (ours.fill !== ref.fill) out.push(`fill ${ours.fill} != ${ref.fill}`);

  // The reference writes the whole name and lets the nested <svg> clip it; ours cuts it to
  // fit its box ("name" -> "na..") or leaves it out where not even a few letters would fit.
  const name = ref.label ?? '';
  const label = ours.label;
  if (label === undefined) {
    if (ours.width >= 3 * fontSize) out.push(`no label in a box ${ours.width} px wide`);
  } else if (label !== name) {
    const cut = label.endsWith('..') ? label.slice(0, -2) : undefined;
    if (cut === undefined || cut === '' || !name.startsWith(cut)) out.push(`label ${JSON.stringify(label)} is not ${JSON.stringify(name)} or a cut of it`);
  }
  // Monospace glyphs are about 0.6 em wide: a label wider than its box spills over the next frame.
  if (label !== undefined && [...label].length * fontSize * 0.6 > ours.width) {
    out.push(`label ${JSON.stringify(label)} does not fit in ${ours.width} px`);
  }

  const prefix = referenceTooltipPrefix(ref.title);
  if (!(ours.title === prefix || ours.title.startsWith(prefix + ' '))) {
    out.push(`tooltip ${JSON.stringify(ours.title)} does not start with ${JSON.stringify(prefix)}`);
  }
  // The full label (file:line:name) is in the tooltip even when the box shows a cut name.
  if (!ours.title.includes(name)) out.push(`tooltip lacks the full name ${JSON.stringify(name)}`);
  return out;
}

describe.each(cases)('$file', (c) => {
  const frames = () => buildFrames(profileOf(c.profile), c.options);

  test('every frame matches the reference in place, size, colour, label and tooltip', () => {
    const ref = readReferenceSvg(readFileSync(join(EXPECTED, c.file), 'utf8'));
    const ours = readOurSvg(renderToString(frames(), { ...c.options, format: 'svg', title: c.profile }));

    expect(ref.frames.length).toBeGreaterThan(0);
    expect(ours.frames.length).toBe(ref.frames.length);
    expect(ours.width).toBe(ref.width);
    expect(ours.frameAreaHeight).toBe(ref.height);

    const fontSize = c.options.fontSize ?? 12;
    const problems: string[] = [];
    ours.frames.forEach((f, i) => {
      for (const p of frameDifferences(f, ref.frames[i], fontSize)) problems.push(`frame ${i} (${ref.frames[i].title}): ${p}`);
    });
    expect(problems.slice(0, 20)).toEqual([]);

    // The reference draws the flame section first, then the inverted one; its y coordinates
    // say where the blank row between them is, so the split must agree with ours.
    const flameCount = ours.frames.filter((f) => f.section === 'flame').length;
    const lowestFlame = Math.max(...ref.frames.slice(0, flameCount).map((f) => f.y));
    const highestInverted = Math.min(...ref.frames.slice(flameCount).map((f) => f.y));
    expect(highestInverted).toBeGreaterThan(lowestFlame);
  });

  test('the folded log is byte-identical', () => {
    const expected = readFileSync(join(EXPECTED, c.file.replace(/\.svg$/, '.log')));
    const ours = Buffer.from(renderToString(frames(), { ...c.options, format: 'log' }), 'utf8');
    if (!ours.equals(expected)) {
      // Show the first line that differs rather than two huge strings.
      const a = ours.toString('utf8').split('\n');
      const b = expected.toString('utf8').split('\n');
      let i = a.findIndex((line, j) => line !== b[j]);
      if (i < 0) i = a.length;
      expect({ line: i + 1, ours: a[i] }).toEqual({ line: i + 1, ours: b[i] });
    }
    expect(Buffer.compare(ours, expected)).toBe(0);
  });
});
