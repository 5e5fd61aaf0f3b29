/**
 * Reads the frames out of SVG flame graphs, ours and flameprof 0.4's, into one shape so
 * that tests can compare them frame by frame.
 *
 * - Reference SVGs hold each frame as a nested `<svg class="func_g" x y width height>` with a
 *   `<title>`, a `<rect fill>` and a `<text>`.
 * - Ours (src/render/svg.ts): `<g id="frames" transform="translate(0,OFFSET)">` holding the
 *   `#flame` and `#inverted` sections of `<g class="f"><title/><rect/>[<text/>]</g>`.
 *
 * Parsing goes through xmlbuilder2 (the DOM), after a strict XML 1.0 well-formedness check:
 * xmlbuilder2's reader is lenient (it accepts mismatched end tags, a bare `&`, `<` inside
 * attribute values), so on its own it would not prove that a browser can open the file.
 */
import { create } from 'xmlbuilder2';

export interface SvgFrame {
  /** Which section the frame is in; reference frames are not grouped, so `undefined` there. */
  readonly section: 'flame' | 'inverted' | undefined;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** The fill with whitespace removed: `rgb(255, 0, 0)` and `rgb(255,0,0)` compare equal. */
  readonly fill: string;
  /** Text content of the frame's `<text>`, or `undefined` when the frame has none. */
  readonly label: string | undefined;
  /** Text content of the `<title>` (the tooltip). */
  readonly title: string;
  /** The frame's element, for tests that look at more than the above. */
  readonly element: Element;
}

export interface SvgDoc {
  readonly document: Document;
  /** Root `width` / `height` attributes. */
  readonly width: number;
  readonly height: number;
  /** y offset of the frame area (0 for the reference, the header's height for ours). */
  readonly offset: number;
  /** Height of the frame area: `height - offset`. Comparable across ours and the reference. */
  readonly frameAreaHeight: number;
  readonly frames: SvgFrame[];
}

/** Parse XML text: strict well-formedness check, then xmlbuilder2's DOM. Throws on bad XML. */
export function parseXml(text: string): Document {
  checkWellFormed(text);
  return create(protectReferences(text)).node as unknown as Document;
}

/**
 * xmlbuilder2 4.0.3 decodes text twice: named references first, then character references
 * in the result, so `&amp;#60;` (the text "&#60;") comes back as "<". Writing the named
 * references as character references first makes its single numeric pass the only one.
 * CDATA sections and comments are left alone: references mean nothing there.
 */
function protectReferences(text: string): string {
  const numeric: Record<string, string> = { amp: '&#38;', lt: '&#60;', gt: '&#62;', quot: '&#34;', apos: '&#39;' };
  return text.replace(/(<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->)|&(amp|lt|gt|quot|apos);/g, (m, verbatim: string | undefined, name: string) =>
    verbatim !== undefined ? m : numeric[name],
  );
}

/** The frames of an SVG that flameprof 0.4 wrote. */
export function readReferenceSvg(text: string): SvgDoc {
  const document = parseXml(text);
  const root = document.documentElement;
  const frames: SvgFrame[] = [];
  for (const el of elements(root, 'svg')) {
    if (!hasClass(el, 'func_g')) continue;
    // flameprof 0.4 puts the box on the frame's nested <svg>, its fill on the <rect> inside.
    frames.push(frame(undefined, el, el));
  }
  const height = numAttr(root, 'height');
  return { document, width: numAttr(root, 'width'), height, offset: 0, frameAreaHeight: height, frames };
}

/** The frames of one of our SVGs, flame section first (the reference's order too). */
export function readOurSvg(text: string): SvgDoc {
  const document = parseXml(text);
  const root = document.documentElement;
  if (root.localName !== 'svg') throw new Error(`root element is <${root.localName}>, expected <svg>`);
  const group = byId(root, 'frames');
  const m = /^\s*translate\(\s*0(?:\.0*)?\s*[,\s]\s*(-?[\d.]+(?:e[-+]?\d+)?)\s*\)\s*$/.exec(attr(group, 'transform'));
  if (!m) throw new Error(`#frames transform is '${group.getAttribute('transform')}', expected translate(0,OFFSET)`);
  const offset = Number(m[1]);
  const frames: SvgFrame[] = [];
  for (const section of ['flame', 'inverted'] as const) {
    const g = byId(group, section);
    if (g.parentNode !== group) throw new Error(`#${section} is not a child of #frames`);
    for (const el of elements(g, 'g')) {
      if (!hasClass(el, 'f')) continue;
      frames.push(frame(section, el, only(el, 'rect')));
    }
  }
  const height = numAttr(root, 'height');
  return { document, width: numAttr(root, 'width'), height, offset, frameAreaHeight: height - offset, frames };
}

/**
 * One frame: its element `el` (title, text, rect), its box read from `box`. The DOM element
 * is hidden from jest's printing: a failed expectation would print the whole tree.
 */
function frame(section: SvgFrame['section'], el: Element, box: Element): SvgFrame {
  const f: SvgFrame = {
    section,
    x: numAttr(box, 'x'),
    y: numAttr(box, 'y'),
    width: numAttr(box, 'width'),
    height: numAttr(box, 'height'),
    fill: normalizeFill(attr(only(el, 'rect'), 'fill')),
    label: optional(el, 'text')?.textContent ?? undefined,
    title: only(el, 'title').textContent ?? '',
    element: el,
  };
  Object.defineProperty(f, 'element', { enumerable: false });
  return f;
}

export function normalizeFill(fill: string): string {
  return fill.replace(/\s+/g, '');
}

/**
 * The part of a reference tooltip that ours must start with: `file:line:name P%`, i.e. the
 * title without its trailing `(cc nc tt ct)` group.
 */
export function referenceTooltipPrefix(title: string): string {
  const m = /^([\s\S]* (?:-?\d+\.\d\d|nan|-?inf)%) \([^()]*\)$/.exec(title);
  if (!m) throw new Error(`unexpected reference tooltip: ${JSON.stringify(title)}`);
  return m[1];
}

// ---- DOM helpers ----------------------------------------------------------------------

/** Descendant elements named `name`, in document order (namespace-agnostic). */
export function elements(root: Element | Document, name: string): Element[] {
  const out: Element[] = [];
  const walk = (n: Node): void => {
    for (let c = n.firstChild; c !== null; c = c.nextSibling) {
      if (c.nodeType === 1) {
        if ((c as Element).localName === name) out.push(c as Element);
        walk(c);
      }
    }
  };
  walk(root);
  return out;
}

export function byId(root: Element, id: string): Element {
  const found: Element[] = [];
  const walk = (n: Node): void => {
    for (let c = n.firstChild; c !== null; c = c.nextSibling) {
      if (c.nodeType === 1) {
        if ((c as Element).getAttribute('id') === id) found.push(c as Element);
        walk(c);
      }
    }
  };
  walk(root);
  if (found.length !== 1) throw new Error(`expected one element with id '${id}', found ${found.length}`);
  return found[0];
}

function hasClass(el: Element, cls: string): boolean {
  return (el.getAttribute('class') ?? '').split(/\s+/).includes(cls);
}

/** The single descendant named `name`, for the small subtree of one frame. */
function only(el: Element, name: string): Element {
  const found = elements(el, name);
  if (found.length !== 1) throw new Error(`a frame has ${found.length} <${name}> elements, expected 1`);
  return found[0];
}

function optional(el: Element, name: string): Element | undefined {
  const found = elements(el, name);
  if (found.length > 1) throw new Error(`a frame has ${found.length} <${name}> elements, expected at most 1`);
  return found[0];
}

function attr(el: Element, name: string): string {
  const v = el.getAttribute(name);
  if (v === null) throw new Error(`<${el.localName}> has no ${name} attribute`);
  return v;
}

function numAttr(el: Element, name: string): number {
  const v = attr(el, name);
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`<${el.localName}> ${name}="${v}" is not a number`);
  return n;
}

// ---- Strict XML 1.0 well-formedness ---------------------------------------------------

const NAME_START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D' +
  '\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = NAME_START + '\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040';
const NAME = `[${NAME_START}][${NAME_CHAR}]*`;
/** Characters XML 1.0 allows anywhere (the `Char` production). Lone surrogates are not. */
const ILLEGAL_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const REFERENCE = `&(?:${NAME}|#[0-9]+|#x[0-9a-fA-F]+);`;

const RE = {
  xmlDecl: /<\?xml(?:\s+version\s*=\s*(?:"1\.0"|'1\.0'))(?:\s+encoding\s*=\s*(?:"[A-Za-z][\w.-]*"|'[A-Za-z][\w.-]*'))?(?:\s+standalone\s*=\s*(?:"(?:yes|no)"|'(?:yes|no)'))?\s*\?>/y,
  space: /[ \t\r\n]*/y,
  comment: /<!--((?:[^-]|-[^-])*)-->/uy,
  pi: new RegExp(`<\\?(${NAME})(?:[ \\t\\r\\n]([\\s\\S]*?))?\\?>`, 'uy'),
  doctype: new RegExp(
    `<!DOCTYPE[ \\t\\r\\n]+${NAME}(?:[ \\t\\r\\n]+(?:SYSTEM[ \\t\\r\\n]+(?:"[^"]*"|'[^']*')|PUBLIC[ \\t\\r\\n]+(?:"[^"]*"|'[^']*')[ \\t\\r\\n]+(?:"[^"]*"|'[^']*')))?[ \\t\\r\\n]*>`,
    'uy',
  ),
  startTag: new RegExp(`<(${NAME})((?:[ \\t\\r\\n]+${NAME}[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:"[^"<]*"|'[^'<]*'))*)[ \\t\\r\\n]*(/?)>`, 'uy'),
  attr: new RegExp(`(${NAME})[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:"([^"<]*)"|'([^'<]*)')`, 'gu'),
  endTag: new RegExp(`</(${NAME})[ \\t\\r\\n]*>`, 'uy'),
  cdata: /<!\[CDATA\[([\s\S]*?)\]\]>/y,
  charData: /[^<&]+/y,
  reference: new RegExp(REFERENCE, 'uy'),
};

const PREDEFINED = new Set(['lt', 'gt', 'amp', 'apos', 'quot']);

/**
 * Throws unless `text` is a well-formed XML 1.0 document: one root element, matched tags,
 * quoted attributes without `<`, no duplicate attributes, `&` only in a reference to a
 * predefined entity or a legal character, no `]]>` in text, no character outside `Char`.
 */
export function checkWellFormed(text: string): void {
  const fail = (pos: number, why: string): never => {
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const col = pos - before.lastIndexOf('\n');
    throw new Error(`not well-formed XML at line ${line}, column ${col}: ${why} near ${JSON.stringify(text.slice(pos, pos + 40))}`);
  };
  const bad = ILLEGAL_CHAR.exec(text);
  if (bad) fail(bad.index, `character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`);

  let pos = 0;
  const at = (re: RegExp): RegExpExecArray | null => {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (m) pos = re.lastIndex;
    return m;
  };
  const checkRefs = (s: string, start: number): void => {
    for (let i = s.indexOf('&'); i >= 0; i = s.indexOf('&', i + 1)) {
      const m = new RegExp(REFERENCE, 'uy');
      m.lastIndex = i;
      const r = m.exec(s);
      if (!r) fail(start, 'a bare & in an attribute value');
      else checkReference(r[0], start);
    }
  };
  const checkReference = (ref: string, where: number): void => {
    const body = ref.slice(1, -1);
    if (body[0] !== '#') {
      if (!PREDEFINED.has(body)) fail(where, `undeclared entity &${body};`);
      return;
    }
    const cp = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
    if (!(cp <= 0x10ffff) || ILLEGAL_CHAR.test(String.fromCodePoint(cp))) fail(where, `${ref} refers to a character XML does not allow`);
  };
  const misc = (): void => {
    for (;;) {
      at(RE.space);
      if (at(RE.comment) || piOk()) continue;
      return;
    }
  };
  const piOk = (): boolean => {
    const start = pos;
    const m = at(RE.pi);
    if (!m) return false;
    if (m[1].toLowerCase() === 'xml') fail(start, 'an XML declaration is only allowed at the very start');
    return true;
  };

  at(RE.xmlDecl);
  misc();
  if (at(RE.doctype)) misc();

  const stack: string[] = [];
  let sawRoot = false;
  for (;;) {
    if (stack.length === 0) {
      if (sawRoot) {
        misc();
        if (pos !== text.length) fail(pos, 'content after the root element');
        return;
      }
      if (text.startsWith('</', pos) || text[pos] !== '<') fail(pos, 'expected the root element');
    }
    const start = pos;
    if (text[pos] === '<') {
      let m: RegExpExecArray | null;
      if ((m = at(RE.startTag))) {
        sawRoot = true;
        const names = new Set<string>();
        for (const a of m[2].matchAll(RE.attr)) {
          if (names.has(a[1])) fail(start, `duplicate attribute ${a[1]}`);
          names.add(a[1]);
          checkRefs(a[2] ?? a[3] ?? '', start);
        }
        if (m[3] !== '/') stack.push(m[1]);
      } else if ((m = at(RE.endTag))) {
        const open = stack.pop();
        if (open !== m[1]) fail(start, `</${m[1]}> does not close <${open ?? '(nothing)'}>`);
      } else if (stack.length > 0 && (at(RE.comment) || at(RE.cdata) || piOk())) {
        // comment, CDATA section or processing instruction inside an element
      } else {
        fail(start, 'a < that starts no tag');
      }
    } else if (text[pos] === '&') {
      const m = at(RE.reference);
      if (!m) fail(start, 'a bare & in text');
      else checkReference(m[0], start);
    } else {
      if (stack.length === 0) fail(start, 'text outside the root element');
      const m = at(RE.charData);
      if (m && m[0].includes(']]>')) fail(start + m[0].indexOf(']]>'), ']]> in text');
    }
    if (pos >= text.length && stack.length > 0) fail(pos, `<${stack[stack.length - 1]}> is never closed`);
  }
}
