/**
 * The interactive SVG without a browser: header and frame-area geometry against the
 * reference, the script's embedding (CDATA that no profile text can end), --no-js, --title,
 * and what hostile profile text turns into. The browser suite (browser.test.ts) checks
 * behaviour; this one checks the file.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'xmlbuilder2';
import { encodePstats } from '../helpers/encode-marshal';
import { buildFrames, renderToString } from '../../src/pipeline';
import { readProfile } from '../../src/pipeline';
import type { FrameSet } from '../../src/frames/frame-set';
import { CELL_WIDTH, textCells } from '../../src/render/text';
import { callGraphFromObjects, type FunctionStats } from '../../src/model/objects';
import type { CallGraphProfile } from '../../src/model/profile';
import { asset } from '../../src/render/assets';
import { headerHeight } from '../../src/render/svg';
import { readOurSvg } from '../helpers/svg-frames';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(__dirname, '..', 'fixtures');
const EXPECTED = join(FIXTURES, 'expected');

function frames(name: string, threshold?: number): FrameSet {
  return buildFrames(readProfile(readFileSync(join(FIXTURES, name)), name), { threshold });
}

function parse(svg: string): Document {
  return create(svg).node as unknown as Document;
}

function all(root: Document | Element, name: string): Element[] {
  const out: Element[] = [];
  const walk = (n: Node): void => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) continue;
      if (name === '*' || (c as Element).localName === name) out.push(c as Element);
      walk(c);
    }
  };
  walk(root);
  return out;
}

function byId(doc: Document, id: string): Element | undefined {
  const found: Element[] = [];
  const walk = (n: Node): void => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) continue;
      if ((c as Element).getAttribute('id') === id) found.push(c as Element);
      walk(c);
    }
  };
  walk(doc);
  expect(found.length).toBeLessThanOrEqual(1);
  return found[0];
}

function offsetOf(svg: string): number {
  const m = /<g id="frames" transform="translate\(0,([\d.]+)\)">/.exec(svg);
  if (!m) throw new Error('no #frames group');
  return Number(m[1]);
}

function rootHeight(svg: string): number {
  return Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)![1]);
}

/** The script's text as the XML parser sees it (CDATA sections joined). */
function scriptText(doc: Document): string {
  const scripts = all(doc, 'script');
  expect(scripts.length).toBe(1);
  return scripts[0].textContent ?? '';
}

describe('header and frame area', () => {
  const cases: Array<[string, Record<string, number>, string]> = [
    ['sample-py3.prof', {}, 'sample-py3.svg'],
    ['recursion.prof', { width: 800, rowHeight: 16, fontSize: 10, threshold: 0.5 }, 'recursion.w800-rh16-fs10-t0.5-m1000.svg'],
  ];
  for (const [input, opts, expected] of cases) {
    for (const js of [true, false]) {
      test(`${input} ${JSON.stringify(opts)} js=${js}: header is a constant offset over the reference's frame area`, () => {
        const fs = buildFrames(readProfile(readFileSync(join(FIXTURES, input)), input), opts);
        const svg = renderToString(fs, { ...opts, js, title: input });
        const offset = offsetOf(svg);
        expect(offset).toBe(headerHeight(opts.fontSize ?? 12, js));
        const reference = readFileSync(join(EXPECTED, expected), 'utf8');
        expect(rootHeight(svg) - offset).toBe(rootHeight(reference));
        // The header's own content stays above the frame area.
        const doc = parse(svg);
        for (const t of all(byId(doc, 'header')!, 'text')) {
          expect(Number(t.getAttribute('y'))).toBeLessThan(offset);
        }
        for (const r of all(byId(doc, 'header')!, 'rect')) {
          expect(Number(r.getAttribute('y')) + Number(r.getAttribute('height'))).toBeLessThanOrEqual(offset);
        }
      });
    }
  }

  test('the header has room for everything: the script adds the controls row and the details row', () => {
    for (const size of [8, 12, 20]) {
      expect(headerHeight(size, true)).toBeGreaterThanOrEqual(headerHeight(size, false) + 2 * size);
    }
    expect(headerHeight(12)).toBe(headerHeight(12, true));
  });

  test('the legend says what green and the inverted section mean, on one line', () => {
    const svg = renderToString(frames('sample-py3.prof'), { title: 't' });
    const legend = byId(parse(svg), 'legend')!;
    expect(legend.textContent).toContain('green = time estimated by call share');
    expect(legend.textContent).toContain('inverted section = own time by caller');
  });

  test('a title too long for the width is cut with ".." and never runs off the picture', () => {
    const title = 'x'.repeat(500);
    const svg = renderToString(frames('sample-py3.prof'), { width: 400, title });
    const shown = all(byId(parse(svg), 'header')!, 'text').find((t) => t.getAttribute('class') === 'title')!;
    const text = shown.textContent!;
    expect(text.endsWith('..')).toBe(true);
    expect(title.startsWith(text.slice(0, -2))).toBe(true);
    expect(textCells(text) * Math.round(12 * 1.4) * CELL_WIDTH).toBeLessThanOrEqual(400 - 8);
  });
});

describe('script embedding', () => {
  test('one <script> in CDATA that compiles; the controls are hidden until it runs', () => {
    const svg = renderToString(frames('sample-py3.prof'), { title: 't' });
    const doc = parse(svg);
    const body = scriptText(doc);
    expect(body.length).toBeGreaterThan(1000);
    expect(() => new Function(body)).not.toThrow();
    expect(svg).toContain('<script type="application/ecmascript"><![CDATA[');
    expect(byId(doc, 'controls')!.getAttribute('display')).toBe('none');
    for (const id of ['reset', 'search', 'clear', 'status', 'details']) expect(byId(doc, id)).toBeDefined();
    expect(all(doc, 'text').find((t) => t.getAttribute('id') === 'reset')).toBeUndefined();
    expect(byId(doc, 'reset')!.textContent).toContain('Reset zoom');
  });

  test('--no-js (js: false) leaves the script and the controls out entirely', () => {
    const svg = renderToString(frames('sample-py3.prof'), { title: 't', js: false });
    const doc = parse(svg);
    expect(all(doc, 'script')).toEqual([]);
    expect(all(doc, 'foreignObject')).toEqual([]);
    for (const id of ['controls', 'reset', 'search', 'clear', 'status', 'details']) expect(byId(doc, id)).toBeUndefined();
    expect(svg).not.toMatch(/<script|CDATA|\.zoomed/);
  });

  test('a "]]>" in the script text is split so that the CDATA section holds it whole', () => {
    // The script is ours, but minifiers can produce a[b[c]]>d: the split must keep it intact.
    const body = asset('viewer.js').trimEnd();
    const svg = renderToString(frames('sample-py3.prof'), { title: 't' });
    expect(scriptText(parse(svg))).toBe(`\n${body}\n`);
    const raw = svg.slice(svg.indexOf('<![CDATA['), svg.lastIndexOf(']]></script>'));
    expect(raw.split(']]>').length - 1).toBe(body.split(']]>').length - 1);
  });

  test('the viewer script does not depend on the profile', () => {
    const a = scriptText(parse(renderToString(frames('sample-py3.prof'), { title: 'a' })));
    const b = scriptText(parse(renderToString(hostileFrames(), { title: '</script>' })));
    expect(b).toBe(a);
  });
});

// ---- hostile names ----------------------------------------------------------------------

const HOSTILE = [
  '</script><script>alert(1)</script>',
  ']]><script>alert(2)</script><![CDATA[',
  '" onload="alert(3)" x="',
  "' onmouseover='alert(4)' x='",
  '<img src=x onerror="alert(5)">',
  'javascript:alert(6)',
  'ctl\u0000\u0001\u0008\u000b\u000c\u001f\u007f\r\n\tend',
  // No numeric reference like &#60; here: xmlbuilder2's reader decodes those twice (the
  // browser suite checks them in a real XML parser).
  '<!-- --> &amp; &lt; <![CDATA[ x ]]>',
  'a:b:c',
];

function hostileProfile(): CallGraphProfile {
  const fns: FunctionStats[] = [
    { key: { file: 'main.py', line: 1, name: 'main' }, stat: { cc: 1, nc: 1, tt: 0.5, ct: 0 }, callers: [] },
  ];
  HOSTILE.forEach((name, k) => {
    const t = 1 + k / 10;
    fns.push({
      key: { file: `${HOSTILE[(k + 3) % HOSTILE.length]}.py`, line: k + 2, name },
      stat: { cc: 1, nc: 1, tt: t, ct: t },
      callers: [{ caller: 0, timing: { cc: 1, nc: 1, tt: t, ct: t }, estimated: false }],
    });
  });
  fns[0].stat.ct = fns.reduce((s, f) => s + f.stat.tt, 0);
  return callGraphFromObjects(fns);
}

function hostileFrames(): FrameSet {
  return buildFrames(readProfile(encodePstats(hostileProfile()), 'hostile.prof'));
}

describe('hostile profile text', () => {
  const fs = hostileFrames();
  const svg = renderToString(fs, { title: HOSTILE.join(' ') });
  const doc = parse(svg);
  const visible = (s: string): string => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd');

  test('the SVG is well-formed XML with the same frames as ever', () => {
    const parsed = readOurSvg(svg);
    expect(parsed.frames.length).toBe(fs.flame.length + fs.inverted.length);
  });

  test('every name reads back as text, exactly (characters XML cannot hold become U+FFFD)', () => {
    const titles = all(byId(doc, 'flame')!, 'title').map((t) => t.textContent ?? '');
    expect(titles.length).toBe(fs.flame.length);
    expect(titles.map((t) => t.slice(0, t.lastIndexOf(' ', t.lastIndexOf(' — ') - 1)))).toEqual(
      fs.flame.toArray().map((f) => visible(fs.funcs[f.func].label)),
    );
    for (const name of HOSTILE) {
      expect(titles.some((t) => t.includes(visible(name)))).toBe(true);
    }
  });

  test('nothing becomes markup: one script (ours), no handlers, no links, no images', () => {
    expect(all(doc, 'script').length).toBe(1);
    expect(all(doc, 'img')).toEqual([]);
    expect(all(doc, 'a')).toEqual([]);
    const attrs = all(doc, '*').flatMap((el) => Array.from(el.attributes).map((a) => a.name));
    expect(attrs.filter((a) => /^on/i.test(a) || /href$/i.test(a))).toEqual([]);
    expect(svg.match(/<!\[CDATA\[/g)?.length).toBe(svg.match(/\]\]><\/script>/g)?.length);
  });

  test('a name holding ":" carries its length (the viewer cannot tell it from the file otherwise)', () => {
    const groups = all(byId(doc, 'flame')!, 'g');
    fs.flame.toArray().forEach((f, i) => {
      const name = fs.funcs[f.func].key.name;
      const n = groups[i].getAttribute('data-n');
      if (name.includes(':')) expect(n).toBe(String(name.length));
      else expect(n).toBeNull();
    });
    expect(fs.flame.toArray().some((f) => fs.funcs[f.func].key.name.includes(':'))).toBe(true);
  });

  test('the title in the header is text, not markup', () => {
    const title = all(byId(doc, 'header')!, 'text').find((t) => t.getAttribute('class') === 'title')!;
    const want = visible(HOSTILE.join(' '));
    const got = title.textContent ?? '';
    expect(got === want || (got.endsWith('..') && want.startsWith(got.slice(0, -2)))).toBe(true);
  });
});

describe('the CLI', () => {
  // `npm test` builds the bundle first; on its own, run `node scripts/build.js` before this.
  const run = (...args: string[]): string =>
    execFileSync(process.execPath, [join(ROOT, 'bin', 'flameprof.js'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const sample = join(FIXTURES, 'sample-py3.prof');

  test('the bundled CLI embeds a script that compiles', () => {
    const doc = parse(run(sample));
    const body = scriptText(doc);
    expect(() => new Function(body)).not.toThrow();
  });

  test('--no-js leaves the script out', () => {
    const svg = run('--no-js', sample);
    expect(svg).not.toContain('<script');
    expect(offsetOf(svg)).toBe(headerHeight(12, false));
  });

  test('the title defaults to the input names; --title replaces it, as text', () => {
    const titleOf = (svg: string): string =>
      all(byId(parse(svg), 'header')!, 'text').find((t) => t.getAttribute('class') === 'title')!.textContent ?? '';
    expect(titleOf(run(sample))).toBe('sample-py3.prof');
    expect(titleOf(run(sample, join(FIXTURES, 'recursion.prof')))).toBe('sample-py3.prof + recursion.prof');
    expect(titleOf(run('--title', '<b>"Mine" & </script>', sample))).toBe('<b>"Mine" & </script>');
  });
});
