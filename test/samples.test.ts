/**
 * The bundled samples (samples/NAME.prof, used by the README's quick start and pictures):
 * each dump loads, renders to well-formed SVG, and shows the functions its program is about.
 * The names below are read off samples/NAME.py, not computed by our code.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { create } from 'xmlbuilder2';
import { buildFrames, loadProfiles, renderToString } from '../src/pipeline';
import { readPstats } from '../src/import/pstats';
import type { FrameSet } from '../src/frames/frame-set';
import { callGraphObjects } from '../src/model/objects';

const SAMPLES = join(__dirname, '..', 'samples');

/** The program's own functions that must appear as frames of the flame section. */
const MAIN_FUNCTIONS: Record<string, string[]> = {
  pipeline: ['main', 'generate_text', 'tokenize', 'normalize', 'count_words', 'sort_counts', 'format_report'],
  recursive: ['main', 'make_expression', 'evaluate', 'parse_expr', 'parse_term', 'parse_factor', 'build_tree', 'walk'],
  shared: ['main', 'load_users', 'load_orders', 'load_prices', 'parse_record', 'split_fields', 'to_number', 'make_lines'],
};

/** flameprof 0.4's green ("guessed") palette, from the layout spec. */
const GREEN = ['rgb(44,255,210)', 'rgb(57,242,168)', 'rgb(71,230,126)', 'rgb(85,218,84)', 'rgb(99,206,42)'];

interface SvgFrame {
  section: string;
  title: string;
  fill: string;
}

function childElements(n: Node): Element[] {
  const out: Element[] = [];
  for (let c = n.firstChild; c !== null; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

function descendants(n: Node, name: string): Element[] {
  const out: Element[] = [];
  for (const el of childElements(n)) {
    if (el.localName === name) out.push(el);
    out.push(...descendants(el, name));
  }
  return out;
}

/** Frames of our SVG in document order, per the SVG contract (#frames > #flame, #inverted > g.f). */
function svgFrames(svg: string): SvgFrame[] {
  const doc = create(svg).node as unknown as Document;
  const root = doc.documentElement;
  expect(root.localName).toBe('svg');
  expect(Number(root.getAttribute('width'))).toBeGreaterThan(0);
  expect(Number(root.getAttribute('height'))).toBeGreaterThan(0);
  const group = descendants(root, 'g').find((g) => g.getAttribute('id') === 'frames');
  if (!group) throw new Error('no #frames group');
  const sections = childElements(group).filter((g) => g.localName === 'g');
  expect(sections.map((g) => g.getAttribute('id'))).toEqual(['flame', 'inverted']);
  const frames: SvgFrame[] = [];
  for (const section of sections) {
    for (const g of childElements(section)) {
      if (g.getAttribute('class') !== 'f') continue;
      const [title] = descendants(g, 'title');
      const [rect] = descendants(g, 'rect');
      frames.push({
        section: section.getAttribute('id') ?? '',
        title: title?.textContent ?? '',
        fill: (rect?.getAttribute('fill') ?? '').replace(/\s+/g, ''),
      });
    }
  }
  return frames;
}

const load = (name: string) => loadProfiles([join(SAMPLES, `${name}.prof`)]);
const frameName = (fs: FrameSet, i: number) => fs.funcs[fs.flame.toArray()[i].func].key.name;

describe.each(Object.keys(MAIN_FUNCTIONS))('samples/%s.prof', (name) => {
  const profile = load(name);
  const frames = buildFrames(profile);
  const svg = renderToString(frames, { title: `${name}.prof` });

  test('is a pstats dump whose file paths are relative (nothing from the machine that made it)', () => {
    const direct = readPstats(readFileSync(join(SAMPLES, `${name}.prof`)));
    expect(profile).toEqual({ ...direct, sources: [join(SAMPLES, `${name}.prof`)], format: 'pstats' });
    const files = new Set(callGraphObjects(direct).map((f) => f.key.file));
    // `~` is where cProfile files built-in functions.
    expect([...files].sort()).toEqual([`samples/${name}.py`, '~']);
  });

  test('renders to a well-formed SVG with one element per frame', () => {
    const parsed = svgFrames(svg);
    expect(parsed.filter((f) => f.section === 'flame')).toHaveLength(frames.flame.length);
    expect(parsed.filter((f) => f.section === 'inverted')).toHaveLength(frames.inverted.length);
    expect(frames.warnings).toEqual([]);
  });

  test("shows the program's own functions in the flame section, tooltips naming file and line", () => {
    const titles = svgFrames(svg)
      .filter((f) => f.section === 'flame')
      .map((f) => f.title);
    const file = `samples/${name}.py`;
    const shown = new Set<string>();
    for (const t of titles) {
      const m = /^(.*?):(\d+):(\S+) \d+\.\d\d%/.exec(t);
      if (m && m[1] === file) shown.add(m[3]);
    }
    for (const fn of MAIN_FUNCTIONS[name]) expect(shown).toContain(fn);
  });
});

describe('samples/shared.prof: one helper called from three places', () => {
  const profile = load('shared');
  const frames = buildFrames(profile);
  const fills = svgFrames(renderToString(frames)).filter((f) => f.section === 'flame').map((f) => f.fill);
  const indices = (fn: string) => frames.flame.toArray().map((_, i) => i).filter((i) => frameName(frames, i) === fn);

  test('the helper itself is drawn once per caller, from exact edges (normal colour)', () => {
    const helper = indices('parse_record');
    expect(helper).toHaveLength(3);
    for (const i of helper) expect(frames.flame.toArray()[i].color).toBe('normal');
  });

  test("the helper's callees are estimated: green frames, once under each caller", () => {
    for (const fn of ['split_fields', 'to_number']) {
      const idx = indices(fn);
      expect(idx).toHaveLength(3);
      for (const i of idx) {
        expect(frames.flame.toArray()[i].color).toBe('guessed');
        expect(GREEN).toContain(fills[i]);
      }
    }
  });

  test('the three shares of split_fields add up to its time in the dump', () => {
    if (profile.kind !== 'callgraph') throw new Error('expected a call graph');
    const dumped = callGraphObjects(profile).find((f) => f.key.name === 'split_fields');
    if (!dumped) throw new Error('split_fields is not in the dump');
    const shares = indices('split_fields').map((i) => frames.flame.toArray()[i].w);
    for (const w of shares) expect(w).toBeGreaterThan(0);
    const sum = shares.reduce((a, b) => a + b, 0);
    expect(Math.abs(sum - dumped.stat.ct) / dumped.stat.ct).toBeLessThan(1e-3);
  });
});
