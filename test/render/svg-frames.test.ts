/**
 * The SVG's per-frame text is written as bytes by hand-rolled formatting (for speed): it must
 * say exactly what the plain formulas say. Tooltip numbers are `String(Number(x.toPrecision(6)))`,
 * percentages pynum's formatPercent, coordinates the layout's (to 1e-6 px: they are written
 * with 9 decimals), labels layout's fitLabel.
 */
import type { Frame, FrameSet } from '../../src/frames/frame-set';
import { frameBox, layoutSections } from '../../src/render/layout';
import { fitLabel } from '../../src/render/text';
import { formatPercent } from '../../src/model/pynum';
import { decodeChunks } from '../../src/render/bytes';
import { renderSvg } from '../../src/render/svg';
import { tooltip } from '../../src/render/svg-frames';
import { readOurSvg } from '../helpers/svg-frames';
import { prng as rng } from '../helpers/prng';
import { handFrames } from '../helpers/hand-frames';


const six = (x: number): string => (Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6))));

/** Values of every size, and the ones where rounding is hardest: ties and powers of ten. */
function hardValues(rand: () => number, n: number): number[] {
  const out: number[] = [];
  for (let k = -17; k <= 7; k++) {
    const p = 10 ** k;
    for (const f of [1, 1 - 1e-16, 1 + 1e-16, 0.9999995, 0.99999949, 0.99999951, 9.999995, 1.000005, 1.5, 0.5]) out.push(p * f);
  }
  out.push(999999.4, 999999.5, 99999.95, 123456.5, 1 / 3, 2 / 3, 0.1, 0.3, 5e-324, 1e300, NaN, Infinity);
  while (out.length < n) {
    const e = Math.floor(rand() * 24) - 17;
    const digits = Math.round(rand() * 1e6) / 1e6;
    const v = (rand() < 0.5 ? digits : rand()) * 10 ** e;
    out.push(v, v + 5e-7 * 10 ** e, v * (1 + Number.EPSILON));
  }
  return out;
}

function frameSet(frames: Array<Partial<Frame>>, total: number, names = ['work']): FrameSet {
  const full = frames.map(
    (f, i): Frame => ({ level: 0, x: 0, w: total, func: 0, color: 'normal', cc: 1, nc: 1, tt: 0, ct: 0, self: 0, ...f, ...(f.level === undefined ? { level: i % 5 } : {}) }),
  );
  return handFrames({
    funcs: names.map((name, i) => ({ key: { file: 'app.py', line: i + 1, name }, label: `app.py:${i + 1}:${name}` })),
    flame: full,
    inverted: full.map((f) => ({ ...f, color: 'caller' })),
    total,
    unit: 'seconds',
  });
}

test('tooltip numbers are six significant digits, exactly as String(Number(x.toPrecision(6)))', () => {
  const values = hardValues(rng(1), 20000);
  const frames = values.map((v, i) => ({ tt: v, ct: values[(i * 7919) % values.length], nc: 3, cc: 2 }));
  const fs = frameSet(frames, 1);
  for (const f of fs.flame.toArray()) {
    expect(tooltip(f, 'flame', fs, 's')).toBe(
      `app.py:1:work ${formatPercent(f.ct)} — 3 calls (2 primitive), own ${six(f.tt)} s, cumulative ${six(f.ct)} s`,
    );
  }
});

test('frames in the SVG: tooltip text, percentages and coordinates as the plain formulas give them', () => {
  const rand = rng(2);
  const total = 3.7;
  const frames: Array<Partial<Frame>> = [];
  for (let i = 0; i < 3000; i++) {
    const w = total * rand() ** 4;
    frames.push({ x: (total - w) * rand(), w, ct: w, tt: w * rand(), nc: 1 + Math.floor(rand() * 5), level: i % 7 });
  }
  // Percentages on and next to ties of the second decimal.
  for (const p of [0.125, 0.00005, 0.000049999, 0.5, 0.015, 0.025, 1]) frames.push({ x: 0, w: p * total, ct: p * total, tt: 0, level: 0 });
  const fs = frameSet(frames, total);
  const opts = { width: 1200, rowHeight: 24, fontSize: 12, title: 't', js: false };
  const doc = readOurSvg(decodeChunks(renderSvg(fs, opts)));
  const layout = layoutSections(fs, opts);
  const all = [...fs.flame.toArray().map((f) => ['flame', f] as const), ...fs.inverted.toArray().map((f) => ['inverted', f] as const)];
  expect(doc.frames).toHaveLength(all.length);
  const off: unknown[] = [];
  all.forEach(([section, f], i) => {
    const ours = doc.frames[i];
    const box = frameBox(f, section, layout, opts, total);
    expect(ours.title).toBe(tooltip(f, section, fs, 's'));
    // data-w only where the width was clamped; the viewer takes width + 1 otherwise.
    const dataW = ours.element.getAttribute('data-w');
    expect(dataW === null).toBe(box.w === box.rawW - 1);
    const got = [ours.x, ours.y, ours.width, dataW === null ? ours.width + 1 : Number(dataW)];
    const want = [box.x, box.y, box.w, box.rawW];
    if (got.some((v, k) => !(Math.abs(v - want[k]) <= 1e-6))) off.push({ i, got, want });
  });
  expect(off).toEqual([]);
});

test('labels are fitLabel of the name, escaped and encoded, for every kind of character', () => {
  const names = [
    'work',
    'a_rather_long_function_name_that_gets_cut',
    '<module>',
    'a"b\'c<d>e&f"g\'h<i>j&k',
    'tab\tand\nnewline',
    'café_crème_brûlée',
    '漢字の関数名前です',
    'emoji_😀_name_😀_here',
    'lone\ud800surrogate_name',
    'ctrl\u0001char_in_name',
  ];
  const rand = rng(3);
  const total = 1;
  const frames: Array<Partial<Frame>> = [];
  for (let i = 0; i < 2000; i++) {
    // Widths from nothing to the whole graph, most of them where names are cut.
    const w = rand() < 0.8 ? (rand() * 400) / 1200 : rand();
    frames.push({ x: 0, w, ct: w, func: i % names.length, level: i % 3 });
  }
  const fs = frameSet(frames, total, names);
  const opts = { width: 1200, rowHeight: 24, fontSize: 12, title: 't', js: false };
  const doc = readOurSvg(decodeChunks(renderSvg(fs, opts)));
  const layout = layoutSections(fs, opts);
  const all = [...fs.flame.toArray().map((f) => ['flame', f] as const), ...fs.inverted.toArray().map((f) => ['inverted', f] as const)];
  // What escapeXml makes of characters XML cannot hold.
  const xmlSafe = (t: string): string =>
    t.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  const off: unknown[] = [];
  let cut = 0;
  all.forEach(([section, f], i) => {
    const box = frameBox(f, section, layout, opts, total);
    const name = names[f.func];
    const label = fitLabel(name, box.w - opts.rowHeight / 6 - 2, opts.fontSize);
    if (label.endsWith('..')) cut++;
    const want = label === '' ? undefined : xmlSafe(label);
    if (doc.frames[i].label !== want) off.push({ i, name, got: doc.frames[i].label, want });
  });
  expect(off).toEqual([]);
  expect(cut).toBeGreaterThan(500);
});
