/**
 * Profile text is data. A dump whose file and function names carry markup, script, XML
 * terminators, control characters and any Unicode must give an SVG that parses, shows the
 * names as they are (U+FFFD where XML cannot hold a character), and runs nothing of theirs.
 */
import { encodePstats } from './helpers/encode-marshal';
import { buildFrames, renderToString } from '../src/pipeline';
import type { FrameSet } from '../src/frames/frame-set';
import { readPstats } from '../src/import/pstats';
import { funcLabel, type CallGraphProfile } from '../src/model/profile';
import { elements, readOurSvg, type SvgDoc } from './helpers/svg-frames';
import { hostileProfile } from './helpers/hostile';
import { callGraphFromObjects, callGraphObjects } from '../src/model/objects';

/** What XML 1.0 can hold: the `Char` production. Anything else must arrive as U+FFFD. */
function xmlSafe(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

const original = hostileProfile();
// Through real marshal bytes, as a dump on disk would come.
const decoded = readPstats(encodePstats(original));

/** The same graph with harmless names: what the document looks like when nobody attacks. */
function benignProfile(): CallGraphProfile {
  return callGraphFromObjects(callGraphObjects(original).map((f, i) => ({ ...f, key: { ...f.key, file: i === 2 ? 'plain.py' : f.key.file, name: i < 2 ? f.key.name : `fn${i}` } })));
}

function svgOf(fs: FrameSet, width = 1200, title?: string): { text: string; doc: SvgDoc } {
  const text = renderToString(fs, { format: 'svg', width, title: title ?? 'hostile.prof' });
  return { text, doc: readOurSvg(text) };
}

test('the names survive the marshal round trip exactly', () => {
  expect(callGraphObjects(decoded).map((f) => f.key)).toEqual(callGraphObjects(original).map((f) => f.key));
});

describe('SVG', () => {
  const fs = buildFrames(decoded);
  // 20,000 px: wide enough that every label is drawn whole.
  const wide = svgOf(fs, 20000);
  const narrow = svgOf(fs, 1200);

  test('parses, with one frame per function in the flame and the inverted sections', () => {
    const n = callGraphObjects(original).length;
    expect(wide.doc.frames.filter((f) => f.section === 'flame')).toHaveLength(n);
    // Inverted: main and dispatch have no own time; each hostile function, then its callers.
    expect(wide.doc.frames.filter((f) => f.section === 'inverted')).toHaveLength(3 * (n - 2));
  });

  test('every tooltip starts with the full label, exactly (U+FFFD only for what XML cannot hold)', () => {
    // Flame order: main, dispatch, then its callees by key (the hostile file's '<' sorts before 'h').
    const expected = callGraphObjects(original).map((f) => `${xmlSafe(funcLabel(f.key))} `);
    const flame = wide.doc.frames.filter((f) => f.section === 'flame');
    expect(flame.map((f, i) => f.title.slice(0, expected[i].length))).toEqual(expected);
  });

  test('labels are the names, whole where there is room and cut with ".." where not', () => {
    const names = callGraphObjects(original).map((f) => xmlSafe(f.key.name));
    const flame = (doc: SvgDoc) => doc.frames.filter((f) => f.section === 'flame');
    expect(flame(wide.doc).map((f) => f.label)).toEqual(names);
    let cut = 0;
    for (const [i, f] of flame(narrow.doc).entries()) {
      if (f.label === undefined || f.label === names[i]) continue;
      cut++;
      expect(f.label.endsWith('..')).toBe(true);
      // (A cut through a surrogate pair would show as U+FFFD and fail this.)
      expect(names[i].startsWith(f.label.slice(0, -2))).toBe(true);
    }
    expect(cut).toBeGreaterThan(0);
  });

  test('no element or attribute comes from profile text, and the script is the same as for harmless names', () => {
    const benign = svgOf(buildFrames(benignProfile()), 20000);
    const shape = (doc: SvgDoc) => {
      const names = new Set<string>();
      const attrs = new Set<string>();
      for (const el of allElements(doc.document.documentElement)) {
        names.add(el.localName);
        for (const a of Array.from(el.attributes)) attrs.add(a.name);
      }
      return { names: [...names].sort(), attrs: [...attrs].sort() };
    };
    const ours = shape(wide.doc);
    const plain = shape(benign.doc);
    expect(ours.names).toEqual(plain.names);
    // Attributes: those of the harmless graph, or data-* ones the viewer reads (e.g. where a
    // name with ':' starts in its label); never an event handler.
    expect(ours.attrs.filter((a) => !plain.attrs.includes(a) && !/^data-[a-z]+$/.test(a))).toEqual([]);
    expect(ours.attrs.filter((a) => /^on/i.test(a))).toEqual([]);
    expect(elements(wide.doc.document, 'img')).toEqual([]);
    const scripts = (doc: SvgDoc) => elements(doc.document, 'script').map((s) => s.textContent);
    expect(scripts(wide.doc)).toEqual(scripts(benign.doc));
    // Nor in the raw text: the only "<script" and "<img" are ours.
    const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;
    expect(count(wide.text, /<script/gi)).toBe(count(benign.text, /<script/gi));
    expect(count(wide.text, /<img/gi)).toBe(0);
    expect(count(wide.text, /<!DOCTYPE|<!ENTITY/g)).toBe(0);
    // And no attribute value holds a script URL.
    for (const el of allElements(wide.doc.document.documentElement)) {
      for (const a of Array.from(el.attributes)) expect(a.value).not.toMatch(/^\s*javascript:/i);
    }
  });

  test('a hostile --title is text too', () => {
    const title = '</title><script>alert(1)</script> & "x" \u0001';
    const { text, doc } = svgOf(fs, 1200, title);
    const benign = svgOf(fs, 1200, 'plain');
    expect(elements(doc.document, 'script')).toHaveLength(elements(benign.doc.document, 'script').length);
    const texts = elements(doc.document, 'text').map((t) => t.textContent);
    expect(texts).toContain(xmlSafe(title));
    expect(text).not.toContain('<script>alert');
  });
});

test('the folded log carries the labels raw (as UTF-8), in key order', () => {
  const fs = buildFrames(decoded);
  const [main, dispatch, ...rest] = callGraphObjects(original).map((f) => funcLabel(f.key));
  // main and dispatch have no own time; every other 1 s = 1000000 µs. '<' sorts before 'h'.
  const expected = [`${main} 0\n`, `${main};${dispatch} 0\n`, ...rest.map((l) => `${main};${dispatch};${l} 1000000\n`)].join('');
  // The log is UTF-8 bytes, which cannot hold a lone surrogate: compare what gets written.
  expect(Buffer.from(renderToString(fs, { format: 'log' }), 'utf8').equals(Buffer.from(expected, 'utf8'))).toBe(true);
});

function allElements(root: Element): Element[] {
  const out: Element[] = [root];
  for (let i = 0; i < out.length; i++) {
    for (let c = out[i].firstChild; c !== null; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  }
  return out;
}
