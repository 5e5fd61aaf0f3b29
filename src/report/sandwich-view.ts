/**
 * One function's sandwich: its callees growing up from it and its callers growing down from
 * it, each box as wide as the exact caller -> callee edge's cumulative time (pstats dumps
 * record edges, not stacks, so one level each way is what is known exactly; click a box to
 * move the sandwich to that function). Below, the same edges as pstats'
 * `print_callers` / `print_callees` list them.
 */
import { formatSix } from '../model/pynum';
import type { Report } from './data';
import { HIGHLIGHT } from './flame-view';
import { stdString } from './table-view';

export interface SandwichHooks {
  openSandwich(fn: number): void;
  details(text: string | undefined): void;
}

export class SandwichView {
  readonly el: HTMLDivElement;
  private fn = -1;
  private matches: Uint8Array | undefined;

  constructor(
    private readonly report: Report,
    private readonly hooks: SandwichHooks,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'sandwich-view';
    this.el.addEventListener('click', (e) => {
      const t = (e.target as HTMLElement).closest('[data-fn]') as HTMLElement | null;
      if (t !== null) this.hooks.openSandwich(Number(t.dataset.fn));
    });
    this.el.addEventListener('mouseover', (e) => {
      const t = (e.target as HTMLElement).closest('[data-tip]') as HTMLElement | null;
      this.hooks.details(t === null ? undefined : t.dataset.tip);
    });
  }

  show(fn: number): void {
    this.fn = fn;
    this.draw();
  }

  setMatches(matches: Uint8Array | undefined): void {
    this.matches = matches;
    this.draw();
  }

  private draw(): void {
    const r = this.report;
    const fn = this.fn;
    const el = this.el;
    el.replaceChildren();
    if (fn < 0 || fn >= r.labels.length) {
      el.append(para('note', 'No function chosen: click one in the table, double-click one in the flame, or click a node of the call graph.'));
      return;
    }
    const { cc, nc, tt, ct } = r.exact;
    const e = r.edges;
    const callers = [...r.callersOf[fn]].sort((a, b) => e.ct[b] - e.ct[a] || a - b);
    const callees = [...r.calleesOf[fn]].sort((a, b) => e.ct[b] - e.ct[a] || a - b);
    const sum = (list: number[]): number => list.reduce((s, k) => s + e.ct[k], 0);
    // Recursion can make the edges add up to more than the function's cumulative time.
    const whole = Math.max(ct[fn], sum(callers), sum(callees) + tt[fn]) || 1;

    el.append(para('sandwich-title', `${r.labels[fn]}: ${this.numbers(cc[fn], nc[fn], tt[fn], ct[fn])}`));
    const diagram = document.createElement('div');
    diagram.className = 'sandwich-diagram';
    diagram.append(this.row('callees', callees, (k) => e.callee[k], whole, 'calls'));
    const self = this.box(fn, 0, ct[fn] / whole, `${r.labels[fn]}: ${this.numbers(cc[fn], nc[fn], tt[fn], ct[fn])}`);
    self.classList.add('sandwich-self');
    const mid = document.createElement('div');
    mid.className = 'sandwich-row';
    mid.append(self);
    diagram.append(mid, this.row('callers', callers, (k) => e.caller[k], whole, 'called by'));
    el.append(diagram);

    el.append(this.list('Callers (print_callers): who calls it, and the calls made along each edge', 'callers', callers, (k) => e.caller[k]));
    el.append(this.list('Callees (print_callees): what it calls, and the calls made along each edge', 'callees', callees, (k) => e.callee[k]));
  }

  private row(cls: string, edges: number[], other: (k: number) => number, whole: number, verb: string): HTMLElement {
    const r = this.report;
    const e = r.edges;
    const row = document.createElement('div');
    row.className = `sandwich-row ${cls}`;
    let x = 0;
    for (const k of edges) {
      const f = other(k);
      const w = e.ct[k] / whole;
      const tip = `${r.labels[f]} (${verb} ${r.labels[this.fn]}): ${this.numbers(e.cc[k], e.nc[k], e.tt[k], e.ct[k])} along this edge`;
      row.append(this.box(f, x, w, tip));
      x += w;
    }
    return row;
  }

  private box(fn: number, x: number, w: number, tip: string): HTMLElement {
    const b = document.createElement('div');
    b.className = 'sbox';
    b.style.left = `${x * 100}%`;
    b.style.width = `calc(${w * 100}% - 1px)`;
    b.dataset.fn = String(fn);
    b.dataset.tip = tip;
    if (this.matches !== undefined && this.matches[fn] === 1) b.style.background = HIGHLIGHT;
    b.textContent = this.report.names[fn];
    return b;
  }

  private list(title: string, cls: string, edges: number[], other: (k: number) => number): HTMLElement {
    const r = this.report;
    const e = r.edges;
    const wrap = document.createElement('div');
    wrap.className = `sandwich-list ${cls}`;
    wrap.append(para('sandwich-list-title', title));
    const table = document.createElement('table');
    const head = table.insertRow();
    const seconds = r.data.unit === 'seconds';
    const times = seconds ? ['own s', 'cumulative s'] : ['own', 'cumulative'];
    for (const h of r.sampled ? [...times, 'function'] : ['calls', ...times, 'file:line(function)']) {
      const th = document.createElement('th');
      th.textContent = h;
      head.append(th);
    }
    if (edges.length === 0) {
      const row = table.insertRow();
      const td = row.insertCell();
      td.colSpan = 4;
      td.textContent = 'none';
    }
    for (const k of edges) {
      const f = other(k);
      const row = table.insertRow();
      row.dataset.fn = String(f);
      row.dataset.nc = String(e.nc[k]);
      row.dataset.cc = String(e.cc[k]);
      row.dataset.tt = String(e.tt[k]);
      row.dataset.ct = String(e.ct[k]);
      const num = (v: number): string => (seconds ? v.toFixed(6) : String(v));
      const cells = [num(e.tt[k]), num(e.ct[k])];
      if (!r.sampled) cells.unshift(e.nc[k] === e.cc[k] ? String(e.nc[k]) : `${e.nc[k]}/${e.cc[k]}`);
      for (const c of [...cells, stdString(r.files[f], r.lines[f], r.names[f], r.sampled)]) row.insertCell().textContent = c;
    }
    wrap.append(table);
    return wrap;
  }

  private numbers(cc: number, nc: number, tt: number, ct: number): string {
    const u = this.report.data.unitWord;
    if (this.report.sampled) return `own ${formatSix(tt)} ${u}, cumulative ${formatSix(ct)} ${u}`;
    const calls = `${nc} call${nc === 1 ? '' : 's'}${cc !== nc ? ` (${cc} primitive)` : ''}`;
    return `${calls}, own ${formatSix(tt)} ${u}, cumulative ${formatSix(ct)} ${u}`;
  }
}

function para(cls: string, text: string): HTMLElement {
  const p = document.createElement('div');
  p.className = cls;
  p.textContent = text;
  return p;
}
