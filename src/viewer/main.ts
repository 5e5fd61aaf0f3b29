/**
 * The script embedded in our SVGs: zoom, search, hover details and label fitting. Built by
 * scripts/build.js into dist/viewer.js, which render/svg.ts puts into every SVG (unless --no-js).
 *
 * No profile text ever enters the script: it reads the frames from the DOM (attributes and
 * `<title>`s, escaped by render/xml.ts) and writes text only through `textContent`.
 *
 * What it relies on in the SVG (see render/svg.ts): the root's `width`, `data-total`,
 * `data-row-height`, `data-font-size`; `#flame` and `#inverted` holding `g.f` frames in
 * pre-order, each `<title>` then `<rect>` then optional `<text>`; `data-l` (level; derived
 * from y when absent), `data-w` (unclamped pixel width; width + 1 when absent), `data-n`
 * (length of the function name, present only when the name holds a ':'); the controls
 * `#controls`, `#reset`, `#search`, `#clear`, `#status`, `#details`.
 */
import { regexProblem, searchRegex } from '../render/search';
import { fitCells } from '../render/text';

viewer();

function viewer(): void {
  const doc = document;
  const script = doc.currentScript;
  const root = (script && script.closest('svg')) || doc.documentElement;
  const byId = (id: string): Element | null => root.querySelector('#' + id);
  const num = (el: Element, name: string): number => Number(el.getAttribute(name));

  // A fluid SVG (--width 100%) is laid out in its viewBox's units.
  const W = num(root, 'width') || (root as SVGSVGElement).viewBox.baseVal.width;
  const total = num(root, 'data-total');
  const rowH = num(root, 'data-row-height');
  const fontSize = num(root, 'data-font-size');
  const pad = rowH / 6;
  const SVGNS = 'http://www.w3.org/2000/svg';

  const controls = byId('controls');
  const resetBtn = byId('reset');
  const clearBtn = byId('clear');
  const input = byId('search') as HTMLInputElement | null;
  const status = byId('status');
  const details = byId('details');
  if (controls) controls.removeAttribute('display');

  // Width of one monospace cell as this browser draws it; the SVG was cut for 0.62 em.
  let cellW = fontSize * 0.62;
  function measureCells(): void {
    const t = doc.createElementNS(SVGNS, 'text');
    t.textContent = 'MMMMMMMMMMMMMMMMMMMM';
    root.appendChild(t);
    let m = 0;
    try {
      m = (t as SVGTextContentElement).getComputedTextLength() / 20;
    } catch (e) {
      m = 0;
    }
    root.removeChild(t);
    if (m > cellW) cellW = m;
  }

  /** The renderer's cut (render/text.ts), with this browser's cell width. */
  function fit(name: string, avail: number): string {
    return fitCells(name, Math.floor(avail / cellW));
  }

  interface Saved {
    x: string | null;
    width: string | null;
    text: string | null;
    tx: string | null;
  }

  interface Section {
    g: Element;
    els: Element[];
    rects: Element[];
    level: Int32Array;
    x: Float64Array;
    w: Float64Array;
    labels: string[] | null;
    /** Frames the current zoom changed, with what to put back. */
    touched: Map<number, Saved>;
    zoomed: boolean;
  }

  const sections: Section[] = [];
  const sectionOf = new Map<Element, Section>();
  const indexOf = new Map<Element, number>();
  for (const id of ['flame', 'inverted']) {
    const g = byId(id);
    if (!g) continue;
    const s: Section = {
      g,
      els: [],
      rects: [],
      level: new Int32Array(0),
      x: new Float64Array(0),
      w: new Float64Array(0),
      labels: null,
      touched: new Map(),
      zoomed: false,
    };
    sections.push(s);
    sectionOf.set(g, s);
  }

  function childOf(el: Element, tag: string): Element | null {
    for (let c = el.firstElementChild; c; c = c.nextElementSibling) if (c.localName === tag) return c;
    return null;
  }

  // Reading 100,000+ frames takes a moment, so it waits for the first click or search.
  let loaded = false;
  function load(): void {
    if (loaded) return;
    loaded = true;
    measureCells();
    for (const s of sections) {
      const els: Element[] = [];
      for (let c = s.g.firstElementChild; c; c = c.nextElementSibling) {
        if (c.classList.contains('f')) els.push(c);
      }
      const n = els.length;
      s.els = els;
      s.rects = new Array(n);
      s.level = new Int32Array(n);
      s.x = new Float64Array(n);
      s.w = new Float64Array(n);
      const ys = new Float64Array(n);
      let derive = false;
      for (let i = 0; i < n; i++) {
        const el = els[i];
        const r = childOf(el, 'rect') as Element;
        s.rects[i] = r;
        indexOf.set(el, i);
        s.x[i] = num(r, 'x');
        const dw = el.getAttribute('data-w');
        s.w[i] = dw !== null ? Number(dw) : num(r, 'width') + 1;
        const dl = el.getAttribute('data-l');
        if (dl !== null) s.level[i] = Number(dl);
        else derive = true;
        ys[i] = num(r, 'y');
      }
      if (derive && n > 0) {
        // Level 0 is the bottom row of the flame and the top row of the inverted section.
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = 0; i < n; i++) {
          if (ys[i] < lo) lo = ys[i];
          if (ys[i] > hi) hi = ys[i];
        }
        const flame = s.g.id === 'flame';
        for (let i = 0; i < n; i++) s.level[i] = Math.round((flame ? hi - ys[i] : ys[i] - lo) / rowH);
      }
    }
    // A font wider than the SVG assumed would make the server's labels spill: cut them again.
    if (cellW > fontSize * 0.62 + 1e-9) {
      for (const s of sections) {
        for (let i = 0; i < s.els.length; i++) {
          const r = s.rects[i];
          label2(s, i, num(r, 'x'), num(r, 'width'));
        }
      }
    }
  }

  /** The `file:line:name` label: the tooltip is `LABEL P% — details`. */
  function labelOf(el: Element): string {
    const t = childOf(el, 'title');
    const s = t ? t.textContent || '' : '';
    const dash = s.lastIndexOf(' \u2014 ');
    if (dash < 0) return s;
    const sp = s.lastIndexOf(' ', dash - 1);
    return sp < 0 ? s.slice(0, dash) : s.slice(0, sp);
  }

  function labels(s: Section): string[] {
    if (!s.labels) s.labels = s.els.map(labelOf);
    return s.labels;
  }

  function nameOf(s: Section, i: number): string {
    const full = labels(s)[i];
    const n = s.els[i].getAttribute('data-n');
    if (n !== null) return full.slice(full.length - Number(n));
    return full.slice(full.lastIndexOf(':') + 1);
  }

  function save(s: Section, i: number): void {
    if (s.touched.has(i)) return;
    const r = s.rects[i];
    const t = childOf(s.els[i], 'text');
    s.touched.set(i, {
      x: r.getAttribute('x'),
      width: r.getAttribute('width'),
      text: t ? t.textContent : null,
      tx: t ? t.getAttribute('x') : null,
    });
  }

  /** Put frame i's label in a box at x of the given drawn width (`label2`: the name the SVGs have always carried). */
  function label2(s: Section, i: number, x: number, width: number): void {
    const el = s.els[i];
    const text = fit(nameOf(s, i), width - pad - 2);
    let t = childOf(el, 'text');
    if (text === '') {
      if (t) t.textContent = '';
      return;
    }
    if (!t) {
      t = doc.createElementNS(SVGNS, 'text');
      t.setAttribute('y', String(num(s.rects[i], 'y') + rowH / 2));
      el.appendChild(t);
    }
    t.setAttribute('x', String(x + pad));
    t.textContent = text;
  }

  function place(s: Section, i: number, x: number, rawW: number): void {
    save(s, i);
    const r = s.rects[i];
    const width = Math.max(1, rawW - 1);
    r.setAttribute('x', String(x));
    r.setAttribute('width', String(width));
    label2(s, i, x, width);
    s.els[i].classList.add('z');
  }

  function unzoom(s: Section): void {
    s.touched.forEach((v, i) => {
      const el = s.els[i];
      const r = s.rects[i];
      if (v.x !== null) r.setAttribute('x', v.x);
      if (v.width !== null) r.setAttribute('width', v.width);
      const t = childOf(el, 'text');
      if (t) {
        if (v.text === null) el.removeChild(t);
        else {
          t.textContent = v.text;
          if (v.tx !== null) t.setAttribute('x', v.tx);
        }
      }
      el.classList.remove('z', 'a');
    });
    s.touched.clear();
    s.g.classList.remove('zoomed');
    s.zoomed = false;
  }

  /**
   * Frame i fills the width; its subtree (the following frames with a greater level: children
   * are not always drawn inside their parent) is scaled with it and clipped to the view; its
   * ancestors span the width; everything else in the section is hidden.
   */
  function zoom(s: Section, i: number): void {
    unzoom(s);
    const base = s.w[i];
    if (!(base > 0)) return;
    const scale = W / base;
    const x0 = s.x[i];
    const lv = s.level[i];
    const n = s.els.length;
    for (let j = i; j < n && (j === i || s.level[j] > lv); j++) {
      const left = (s.x[j] - x0) * scale;
      const right = left + s.w[j] * scale;
      const a = left > 0 ? left : 0;
      const b = right < W ? right : W;
      if (b > a || j === i) place(s, j, a, b - a);
    }
    let m = lv;
    for (let j = i - 1; j >= 0 && m > 0; j--) {
      if (s.level[j] < m) {
        m = s.level[j];
        place(s, j, 0, W);
        s.els[j].classList.add('a');
      }
    }
    s.g.classList.add('zoomed');
    s.zoomed = true;
    updateReset();
  }

  function resetAll(): void {
    for (const s of sections) if (s.zoomed) unzoom(s);
    updateReset();
  }

  function updateReset(): void {
    if (!resetBtn) return;
    const any = sections.some((s) => s.zoomed);
    resetBtn.classList.toggle('off', !any);
  }

  let matched: Element[] = [];
  function setStatus(text: string, error: boolean): void {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle('err', error);
  }

  /**
   * Highlight frames whose label matches, and say how much of the total they cover: the
   * union of their spans, so nested or overlapping matches count once. Case-insensitive
   * unless the expression holds a capital letter.
   */
  function search(pattern: string): void {
    for (const el of matched) el.classList.remove('m');
    matched = [];
    if (pattern === '') {
      setStatus('', false);
      return;
    }
    let re: RegExp;
    try {
      re = searchRegex(pattern);
    } catch (e) {
      setStatus('Invalid regular expression: ' + regexProblem(e), true);
      return;
    }
    load();
    let covered = -1;
    for (const s of sections) {
      const ls = labels(s);
      const spans: number[] = [];
      for (let i = 0; i < ls.length; i++) {
        if (!re.test(ls[i])) continue;
        s.els[i].classList.add('m');
        matched.push(s.els[i]);
        spans.push(i);
      }
      // The flame section says what share of the time runs through matches; the inverted
      // one is used only when there is no flame section.
      if (covered >= 0 || s.els.length === 0) continue;
      spans.sort((a, b) => s.x[a] - s.x[b]);
      let sum = 0;
      let end = -Infinity;
      for (const i of spans) {
        // Pixels back to profile units, so the share is of data-total.
        const a = (s.x[i] * total) / W;
        const b = a + (s.w[i] * total) / W;
        if (b <= end) continue;
        sum += b - (a > end ? a : end);
        end = b;
      }
      covered = sum;
    }
    const pct = total > 0 && covered > 0 ? (100 * covered) / total : 0;
    setStatus('Matched: ' + pct.toFixed(2) + ' % of total time', false);
  }

  // Search as the user types, after a pause; a longer one on huge graphs, where each search
  // restyles many frames.
  let frameCount = 0;
  for (const s of sections) frameCount += s.g.childElementCount;
  const pause = frameCount > 20000 ? 800 : 150;
  let timer: ReturnType<typeof setTimeout> | undefined;
  function searchSoon(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (input) search(input.value);
    }, pause);
  }
  function searchNow(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (input) search(input.value);
  }
  function clearSearch(): void {
    if (input) input.value = '';
    searchNow();
  }

  function showDetails(el: Element | null): void {
    if (!details) return;
    if (!el) {
      details.textContent = '';
      return;
    }
    const t = childOf(el, 'title');
    details.textContent = fit(t ? t.textContent || '' : '', W - 8);
  }

  function frameAt(target: EventTarget | null): Element | null {
    return target instanceof Element ? target.closest('g.f') : null;
  }

  root.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    if (resetBtn && resetBtn.contains(t)) return resetAll();
    if (clearBtn && clearBtn.contains(t)) return clearSearch();
    const f = frameAt(t);
    const s = f && f.parentNode ? sectionOf.get(f.parentNode as Element) : undefined;
    if (!f || !s) return;
    load();
    const i = indexOf.get(f);
    if (i !== undefined) zoom(s, i);
  });
  root.addEventListener('mouseover', (e) => {
    const f = frameAt(e.target);
    if (f) showDetails(f);
  });
  root.addEventListener('mouseout', (e) => {
    if (frameAt(e.target) && !frameAt((e as MouseEvent).relatedTarget)) showDetails(null);
  });
  for (const btn of [resetBtn, clearBtn]) {
    if (!btn) continue;
    btn.addEventListener('keydown', (e) => {
      const k = (e as KeyboardEvent).key;
      if (k !== 'Enter' && k !== ' ') return;
      e.preventDefault();
      if (btn === resetBtn) resetAll();
      else clearSearch();
    });
  }
  if (input) {
    input.addEventListener('input', searchSoon);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        searchNow();
      }
    });
  }
  doc.addEventListener('keydown', (e) => {
    const inInput = input !== null && doc.activeElement === input;
    if (e.key === 'Escape') {
      resetAll();
      if (inInput && input) input.blur();
    } else if (input && ((e.key === 'f' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !inInput))) {
      e.preventDefault();
      input.focus();
      input.select();
    }
  });
  updateReset();
}
