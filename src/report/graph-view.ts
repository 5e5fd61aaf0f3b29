/**
 * The call graph, as plop's viewer draws it: a circle per function whose area grows with
 * its own time, an arrow per caller -> callee edge as wide as the edge's cumulative time.
 * It is laid out in layers from the roots down, as call graphs are drawn: each function on
 * the row of its shortest call path from a root, spread along it by d3-force. Labels go to
 * the functions with the most cumulative time first, each only where it overlaps no label
 * already placed; the others show while hovered. Functions and edges under the threshold
 * (per cent of the total, by cumulative time) are left out; the user sets it. Drag a circle
 * to move it, drag the background to pan, the wheel to zoom; click for the sandwich.
 */
import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3-force';
import { formatSix } from '../model/pynum';
import { textCells } from '../render/text';
import type { Report } from './data';
import { HIGHLIGHT } from './flame-view';

const SVGNS = 'http://www.w3.org/2000/svg';
/** Radius of a function with no own time, and of one with all of it. */
const R_MIN = 4;
const R_MAX = 60;
/** More nodes than this make the layout slow and the picture unreadable. */
const MAX_NODES = 800;
/** Rows of the layout apart, and labels' gap to their circle and to each other. */
const ROW_GAP = 130;
const LABEL_GAP = 3;

interface Node extends SimulationNodeDatum {
  readonly fn: number;
  readonly r: number;
  /** Its row: the length of its shortest call path from a root among the nodes shown. */
  layer: number;
  circle?: SVGCircleElement;
  text?: SVGTextElement;
  /** Whether its label has room (else it shows only while its circle is hovered). */
  labelled?: boolean;
}

interface Link extends SimulationLinkDatum<Node> {
  readonly edge: number;
  readonly width: number;
  line?: SVGLineElement;
}

export interface GraphHooks {
  openSandwich(fn: number): void;
  details(text: string | undefined): void;
  /** The threshold changed (for the URL). */
  changed(min: number): void;
}

export class GraphView {
  readonly el: HTMLDivElement;
  private readonly svg: SVGSVGElement;
  private readonly layer: SVGGElement;
  private readonly minInput: HTMLInputElement;
  private readonly note: HTMLSpanElement;
  private nodes: Node[] = [];
  private links: Link[] = [];
  private min = -1;
  private matches: Uint8Array | undefined;
  private view = { x: 0, y: 0, k: 1 };
  private simulation: ReturnType<typeof forceSimulation<Node>> | undefined;

  constructor(
    private readonly report: Report,
    private readonly hooks: GraphHooks,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'graph-view';
    const bar = document.createElement('div');
    bar.className = 'graph-bar';
    const label = document.createElement('label');
    label.textContent = 'hide functions and edges under ';
    this.minInput = document.createElement('input');
    this.minInput.id = 'graph-min';
    this.minInput.type = 'number';
    this.minInput.min = '0';
    this.minInput.max = '100';
    this.minInput.step = '0.1';
    label.append(this.minInput, ' % of the total (cumulative time)');
    this.note = document.createElement('span');
    this.note.id = 'graph-note';
    bar.append(label, this.note);
    this.svg = document.createElementNS(SVGNS, 'svg');
    this.svg.classList.add('graph');
    const defs = document.createElementNS(SVGNS, 'defs');
    const marker = document.createElementNS(SVGNS, 'marker');
    for (const [k, v] of Object.entries({ id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '9', markerHeight: '9', markerUnits: 'userSpaceOnUse', orient: 'auto' })) {
      marker.setAttribute(k, v);
    }
    const tip = document.createElementNS(SVGNS, 'path');
    tip.setAttribute('d', 'M0,0L10,5L0,10z');
    tip.setAttribute('fill', '#777');
    marker.append(tip);
    defs.append(marker);
    this.layer = document.createElementNS(SVGNS, 'g');
    this.svg.append(defs, this.layer);
    this.el.append(bar, this.svg);

    this.minInput.addEventListener('change', () => {
      const v = Number(this.minInput.value);
      if (Number.isFinite(v) && v >= 0 && v <= 100) {
        this.setThreshold(v);
        this.hooks.changed(v);
      }
    });
    this.wirePanZoom();
  }

  setThreshold(min: number): void {
    if (min === this.min) return;
    this.min = min;
    this.minInput.value = String(min);
    this.build();
  }

  setMatches(matches: Uint8Array | undefined): void {
    this.matches = matches;
    for (const n of this.nodes) n.circle?.setAttribute('fill', this.fillOf(n.fn));
  }

  private fillOf(fn: number): string {
    return this.matches !== undefined && this.matches[fn] === 1 ? HIGHLIGHT : 'rgb(255,190,110)';
  }

  private build(): void {
    this.simulation?.stop();
    const r = this.report;
    const { tt, ct } = r.exact;
    const total = r.total > 0 ? r.total : 1;
    const cut = (this.min / 100) * total;
    let shown: number[] = [];
    for (let i = 0; i < r.labels.length; i++) if (ct[i] > 0 && ct[i] >= cut) shown.push(i);
    shown.sort((a, b) => ct[b] - ct[a] || a - b);
    const dropped = Math.max(0, shown.length - MAX_NODES);
    shown = shown.slice(0, MAX_NODES);
    const index = new Map<number, Node>();
    const w = this.svg.clientWidth || 1000;
    const h = this.svg.clientHeight || 700;
    this.nodes = shown.map((fn, k) => {
      // Area linear in own time, from a dot for none to R_MAX for all of it.
      const share = Math.min(1, Math.max(0, tt[fn] / total));
      const node: Node = { fn, r: Math.sqrt(R_MIN * R_MIN + (R_MAX * R_MAX - R_MIN * R_MIN) * share), layer: 0, x: w / 2 + 10 * Math.cos(k), y: h / 2 + 10 * Math.sin(k) };
      index.set(fn, node);
      return node;
    });
    const e = r.edges;
    this.links = [];
    for (let k = 0; k < e.n; k++) {
      const a = index.get(e.caller[k]);
      const b = index.get(e.callee[k]);
      if (a === undefined || b === undefined || a === b || e.ct[k] < cut) continue;
      this.links.push({ source: a, target: b, edge: k, width: 1 + 14 * Math.min(1, e.ct[k] / total) });
    }
    this.note.textContent =
      `${this.nodes.length} functions, ${this.links.length} edges` + (dropped > 0 ? ` (the ${dropped} smallest above the threshold left out: raise it)` : '');
    const layers = layered(this.nodes, this.links);

    this.layer.replaceChildren();
    const edgeLayer = document.createElementNS(SVGNS, 'g');
    const nodeLayer = document.createElementNS(SVGNS, 'g');
    this.layer.append(edgeLayer, nodeLayer);
    for (const l of this.links) {
      const line = document.createElementNS(SVGNS, 'line');
      line.setAttribute('stroke', '#999');
      line.setAttribute('stroke-opacity', '0.7');
      line.setAttribute('stroke-width', String(l.width));
      line.setAttribute('marker-end', 'url(#arrow)');
      line.dataset.edge = String(l.edge);
      line.addEventListener('mouseenter', () => this.hooks.details(this.edgeTip(l.edge)));
      l.line = line;
      edgeLayer.append(line);
    }
    for (const n of this.nodes) {
      const c = document.createElementNS(SVGNS, 'circle');
      c.setAttribute('r', String(n.r));
      c.setAttribute('fill', this.fillOf(n.fn));
      c.setAttribute('stroke', '#333');
      c.classList.add('node');
      c.dataset.fn = String(n.fn);
      c.dataset.tt = String(tt[n.fn]);
      c.addEventListener('mouseenter', () => {
        this.hooks.details(this.nodeTip(n.fn));
        // A label without room shows while its circle is hovered, above the others.
        if (!n.labelled && n.text !== undefined) {
          n.text.style.display = '';
          nodeLayer.append(n.text);
        }
      });
      c.addEventListener('mouseleave', () => {
        if (!n.labelled && n.text !== undefined) n.text.style.display = 'none';
      });
      this.wireDrag(c, n);
      const t = document.createElementNS(SVGNS, 'text');
      t.textContent = r.names[n.fn];
      t.classList.add('node-label');
      t.dataset.fn = String(n.fn);
      n.circle = c;
      n.text = t;
      nodeLayer.append(c, t);
    }
    // Each row starts spread out, in the order of the rows above (callers first), widest first.
    for (let l = 0; l < layers.length; l++) {
      const row = layers[l];
      const width = row.reduce((s, n) => s + 2 * n.r + 60, 0);
      let x = w / 2 - width / 2;
      for (const n of row) {
        n.x = x + n.r + 30;
        n.y = l * ROW_GAP;
        x += 2 * n.r + 60;
      }
    }
    const sim = forceSimulation<Node>(this.nodes)
      .force('link', forceLink<Node, Link>(this.links).distance((l) => (l.source as Node).r + (l.target as Node).r + 60).strength(0.2))
      .force('charge', forceManyBody<Node>().strength(-60).distanceMax(300))
      .force('collide', forceCollide<Node>((n) => n.r + 8))
      // Rows hold their functions; gravity keeps the pieces no edge joins from drifting off.
      .force('x', forceX<Node>(w / 2).strength(0.02))
      .force('y', forceY<Node>((n) => n.layer * ROW_GAP).strength(0.9))
      .stop();
    // Settled before the first picture: a graph that swims while one reads it is no use.
    sim.tick(Math.min(300, Math.ceil(60000 / Math.max(1, this.nodes.length))));
    sim.on('tick', () => this.place());
    sim.on('end', () => this.label());
    this.simulation = sim;
    this.place();
    this.label();
    this.fit(w, h);
    // Again once drawn: text is measured as drawn only then (its font applied).
    delete this.svg.dataset.labelled;
    requestAnimationFrame(() => {
      this.label();
      this.svg.dataset.labelled = '1';
    });
  }

  /**
   * Which labels show: the functions with the most cumulative time first, each where its
   * label (right of its circle) overlaps no label already shown. Hovering shows the others.
   */
  private label(): void {
    const ct = this.report.exact.ct;
    // Every label's box where it stands: as the browser draws it, or (the view not shown)
    // from the label font's monospace cells.
    for (const n of this.nodes) n.text!.style.display = '';
    const boxes = new Map<Node, [number, number, number, number]>();
    for (const n of this.nodes) {
      const b = n.text!.getBBox();
      const x0 = n.x! + n.r + LABEL_GAP;
      boxes.set(n, b.width > 0 ? [b.x, b.y, b.x + b.width, b.y + b.height] : [x0, n.y! - 7, x0 + textCells(n.text!.textContent ?? '') * 11 * 0.65, n.y! + 12]);
    }
    const placed: Array<[number, number, number, number]> = [];
    const order = [...this.nodes].sort((a, b) => ct[b.fn] - ct[a.fn] || a.fn - b.fn);
    for (const n of order) {
      const box = boxes.get(n)!;
      const free = !placed.some((p) => p[0] < box[2] + LABEL_GAP && box[0] < p[2] + LABEL_GAP && p[1] < box[3] + 1 && box[1] < p[3] + 1);
      n.labelled = free;
      n.text!.style.display = free ? '' : 'none';
      if (free) placed.push(box);
    }
  }

  /** Scale and move the picture so that every node is in view. */
  private fit(w: number, h: number): void {
    if (this.nodes.length === 0) return;
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const n of this.nodes) {
      x0 = Math.min(x0, n.x! - n.r);
      y0 = Math.min(y0, n.y! - n.r);
      // Room for the label on the right.
      x1 = Math.max(x1, n.x! + n.r + 120);
      y1 = Math.max(y1, n.y! + n.r);
    }
    const k = Math.min(1.5, (w - 20) / (x1 - x0), (h - 20) / (y1 - y0));
    this.view = { k, x: (w - k * (x0 + x1)) / 2, y: (h - k * (y0 + y1)) / 2 };
    this.apply();
  }

  private place(): void {
    for (const l of this.links) {
      const a = l.source as Node;
      const b = l.target as Node;
      const dx = b.x! - a.x!;
      const dy = b.y! - a.y!;
      const d = Math.hypot(dx, dy) || 1;
      // From circle edge to circle edge, so the arrowhead is seen.
      l.line!.setAttribute('x1', String(a.x! + (dx * a.r) / d));
      l.line!.setAttribute('y1', String(a.y! + (dy * a.r) / d));
      l.line!.setAttribute('x2', String(b.x! - (dx * (b.r + 2)) / d));
      l.line!.setAttribute('y2', String(b.y! - (dy * (b.r + 2)) / d));
    }
    for (const n of this.nodes) {
      n.circle!.setAttribute('cx', String(n.x));
      n.circle!.setAttribute('cy', String(n.y));
      n.text!.setAttribute('x', String(n.x! + n.r + 3));
      n.text!.setAttribute('y', String(n.y));
    }
  }

  private nodeTip(fn: number): string {
    const r = this.report;
    const { cc, nc, tt, ct } = r.exact;
    const u = r.data.unitWord;
    const pct = (v: number): string => `${((100 * v) / (r.total || 1)).toFixed(2)}%`;
    const calls = r.sampled ? '' : `, ${nc[fn]} call${nc[fn] === 1 ? '' : 's'}${cc[fn] !== nc[fn] ? ` (${cc[fn]} primitive)` : ''}`;
    return `${r.labels[fn]}: own ${formatSix(tt[fn])} ${u} (${pct(tt[fn])}), cumulative ${formatSix(ct[fn])} ${u} (${pct(ct[fn])})${calls}`;
  }

  private edgeTip(k: number): string {
    const r = this.report;
    const e = r.edges;
    const u = r.data.unitWord;
    const calls = r.sampled ? '' : `${e.nc[k]} call${e.nc[k] === 1 ? '' : 's'}, `;
    return `${r.labels[e.caller[k]]} -> ${r.labels[e.callee[k]]}: ${calls}cumulative ${formatSix(e.ct[k])} ${u} along this edge`;
  }

  private apply(): void {
    this.layer.setAttribute('transform', `translate(${this.view.x},${this.view.y}) scale(${this.view.k})`);
  }

  private wirePanZoom(): void {
    this.svg.addEventListener(
      'wheel',
      (ev) => {
        ev.preventDefault();
        const rect = this.svg.getBoundingClientRect();
        const mx = ev.clientX - rect.left;
        const my = ev.clientY - rect.top;
        const k = Math.min(20, Math.max(0.05, this.view.k * Math.exp(-ev.deltaY / 300)));
        // Zoom about the pointer.
        this.view = { k, x: mx - ((mx - this.view.x) * k) / this.view.k, y: my - ((my - this.view.y) * k) / this.view.k };
        this.apply();
      },
      { passive: false },
    );
    let pan: { x: number; y: number; vx: number; vy: number } | undefined;
    this.svg.addEventListener('pointerdown', (ev) => {
      if ((ev.target as Element).classList.contains('node')) return;
      pan = { x: ev.clientX, y: ev.clientY, vx: this.view.x, vy: this.view.y };
      this.svg.setPointerCapture(ev.pointerId);
    });
    this.svg.addEventListener('pointermove', (ev) => {
      if (pan === undefined) return;
      this.view = { ...this.view, x: pan.vx + ev.clientX - pan.x, y: pan.vy + ev.clientY - pan.y };
      this.apply();
    });
    this.svg.addEventListener('pointerup', () => (pan = undefined));
  }

  private wireDrag(c: SVGCircleElement, n: Node): void {
    let start: { x: number; y: number; moved: boolean } | undefined;
    c.addEventListener('pointerdown', (ev) => {
      ev.stopPropagation();
      start = { x: ev.clientX, y: ev.clientY, moved: false };
      c.setPointerCapture(ev.pointerId);
    });
    c.addEventListener('pointermove', (ev) => {
      if (start === undefined) return;
      if (Math.hypot(ev.clientX - start.x, ev.clientY - start.y) > 3) start.moved = true;
      if (!start.moved) return;
      const rect = this.svg.getBoundingClientRect();
      n.fx = n.x = (ev.clientX - rect.left - this.view.x) / this.view.k;
      n.fy = n.y = (ev.clientY - rect.top - this.view.y) / this.view.k;
      // Follow the pointer at once; the others settle around it as the layout runs again.
      this.place();
      this.simulation?.alpha(0.3).restart();
    });
    c.addEventListener('pointerup', () => {
      if (start !== undefined && !start.moved) this.hooks.openSandwich(n.fn);
      if (start?.moved === true) this.label();
      start = undefined;
    });
  }
}

/**
 * Each node's row: the length of its shortest call path from a root (a node no shown edge
 * calls; in a cycle with no root, the one with the most cumulative time first), by breadth-
 * first search along the edges. Returns the rows, each in the order its nodes were reached.
 */
function layered(nodes: Node[], links: Link[]): Node[][] {
  const callees = new Map<Node, Node[]>();
  const called = new Set<Node>();
  for (const l of links) {
    const a = l.source as Node;
    const b = l.target as Node;
    callees.set(a, [...(callees.get(a) ?? []), b]);
    called.add(b);
  }
  const rows: Node[][] = [];
  const seen = new Set<Node>();
  const visit = (starts: Node[]): void => {
    let frontier = starts.filter((n) => !seen.has(n));
    for (const n of frontier) seen.add(n);
    let layer = 0;
    while (frontier.length > 0) {
      const row = (rows[layer] ??= []);
      const next: Node[] = [];
      for (const n of frontier) {
        n.layer = layer;
        row.push(n);
        for (const c of callees.get(n) ?? []) {
          if (!seen.has(c)) {
            seen.add(c);
            next.push(c);
          }
        }
      }
      frontier = next;
      layer++;
    }
  };
  // Nodes are sorted by cumulative time, biggest first.
  visit(nodes.filter((n) => !called.has(n)));
  for (const n of nodes) if (!seen.has(n)) visit([n]);
  return rows;
}
