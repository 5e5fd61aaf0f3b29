/**
 * Every function with its exact numbers, as pstats prints them: calls (`all/primitive` when
 * they differ), own time, own per call, cumulative, cumulative per call, `file:line(name)`.
 * Sortable by every column (the default, own time descending with ties in dump order, is
 * `sort_stats('tottime')`'s order) and filtered by a regular expression. Only the rows in
 * view exist in the page, so 100,000 functions scroll as easily as ten.
 */
import type { Report } from './data';
import { searchRegex } from '../render/search';

const ROW_H = 22;

interface Column {
  readonly key: string;
  readonly title: string;
  /** The value sorted by (numbers descending first, names ascending). */
  readonly value: (fn: number) => number | string;
  readonly text: (fn: number) => string;
}

export interface TableHooks {
  openSandwich(fn: number): void;
  /** The sort or the filter changed: the new values for the URL. */
  changed(sort: string, filter: string): void;
}

export class TableView {
  readonly el: HTMLDivElement;
  private readonly head: HTMLDivElement;
  private readonly scroll: HTMLDivElement;
  private readonly body: HTMLDivElement;
  private readonly filterInput: HTMLInputElement;
  private readonly note: HTMLSpanElement;
  private readonly columns: Column[];
  private order: Int32Array = new Int32Array(0);
  private sort = '-tt';
  private filter = '';
  private matches: Uint8Array | undefined;
  private readonly display: string[];

  constructor(
    private readonly report: Report,
    private readonly hooks: TableHooks,
  ) {
    const { cc, nc, tt, ct } = report.exact;
    const sampled = report.sampled;
    this.display = report.labels.map((_, i) => stdString(report.files[i], report.lines[i], report.names[i], sampled));
    // Times to the microsecond (pstats dumps, profiles of times); counts as they are.
    const seconds = report.data.unit === 'seconds';
    const num = (v: number): string => (seconds ? v.toFixed(6) : String(v));
    const per = (a: number, b: number): number => (b > 0 ? a / b : 0);
    this.columns = [
      ...(sampled
        ? []
        : [{ key: 'nc', title: 'calls', value: (i: number) => nc[i], text: (i: number) => (nc[i] === cc[i] ? String(nc[i]) : `${nc[i]}/${cc[i]}`) }]),
      { key: 'tt', title: seconds ? 'own s' : 'own', value: (i) => tt[i], text: (i) => num(tt[i]) },
      ...(sampled ? [] : [{ key: 'tpc', title: 'own/call', value: (i: number) => per(tt[i], nc[i]), text: (i: number) => per(tt[i], nc[i]).toFixed(6) }]),
      { key: 'ct', title: seconds ? 'cumulative s' : 'cumulative', value: (i) => ct[i], text: (i) => num(ct[i]) },
      ...(sampled ? [] : [{ key: 'cpc', title: 'cum/call', value: (i: number) => per(ct[i], cc[i]), text: (i: number) => per(ct[i], cc[i]).toFixed(6) }]),
      { key: 'name', title: sampled ? 'function' : 'file:line(function)', value: (i) => this.display[i], text: (i) => this.display[i] },
    ];

    this.el = document.createElement('div');
    this.el.className = 'table-view';
    const bar = document.createElement('div');
    bar.className = 'table-bar';
    this.filterInput = document.createElement('input');
    this.filterInput.id = 'table-filter';
    this.filterInput.placeholder = 'filter functions (regex)';
    this.filterInput.spellcheck = false;
    this.note = document.createElement('span');
    this.note.id = 'table-note';
    bar.append(this.filterInput, this.note);
    this.head = document.createElement('div');
    this.head.className = 'trow thead';
    for (const c of this.columns) {
      const h = document.createElement('span');
      h.className = `c-${c.key}`;
      h.dataset.key = c.key;
      h.textContent = c.title;
      h.addEventListener('click', () => {
        // Numbers sort largest first on the first click, names A to Z.
        const first = c.key === 'name' ? c.key : `-${c.key}`;
        const next = this.sort === first ? (first.startsWith('-') ? c.key : `-${c.key}`) : first;
        this.set(next, this.filter);
        this.hooks.changed(this.sort, this.filter);
      });
      this.head.append(h);
    }
    this.scroll = document.createElement('div');
    this.scroll.className = 'table-scroll';
    this.body = document.createElement('div');
    this.body.className = 'table-body';
    this.scroll.append(this.head, this.body);
    this.el.append(bar, this.scroll);
    this.scroll.addEventListener('scroll', () => this.draw());
    this.filterInput.addEventListener('input', () => {
      this.set(this.sort, this.filterInput.value);
      this.hooks.changed(this.sort, this.filter);
    });
    this.body.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest('.trow') as HTMLElement | null;
      if (row !== null && row.dataset.fn !== undefined) this.hooks.openSandwich(Number(row.dataset.fn));
    });
  }

  /** Sort by a column key ('-' first: descending) and keep the rows that match `filter`. */
  set(sort: string, filter: string): void {
    const key = sort.replace(/^-/, '');
    const col = this.columns.find((c) => c.key === key) ?? this.columns.find((c) => c.key === 'tt')!;
    this.sort = (sort.startsWith('-') ? '-' : '') + col.key;
    this.filter = filter;
    if (this.filterInput.value !== filter) this.filterInput.value = filter;
    let re: RegExp | undefined;
    this.filterInput.classList.remove('bad');
    this.note.textContent = '';
    if (filter !== '') {
      try {
        re = searchRegex(filter);
      } catch (err) {
        this.filterInput.classList.add('bad');
        this.note.textContent = `not a regular expression: ${(err as Error).message}`;
      }
    }
    const rows: number[] = [];
    for (let i = 0; i < this.display.length; i++) {
      if (re === undefined || re.test(this.display[i]) || re.test(this.report.labels[i])) rows.push(i);
    }
    const desc = this.sort.startsWith('-');
    const values = this.display.map((_, i) => col.value(i));
    // Array#sort is stable: ties keep dump order, as pstats' sort does.
    rows.sort((a, b) => {
      const va = values[a];
      const vb = values[b];
      const d = typeof va === 'number' ? (va as number) - (vb as number) : va < vb ? -1 : va > vb ? 1 : 0;
      return desc ? -d : d;
    });
    this.order = Int32Array.from(rows);
    if (re !== undefined) this.note.textContent = `${rows.length} of ${this.display.length} functions`;
    for (const h of this.head.children) {
      const el = h as HTMLElement;
      el.classList.toggle('sorted', el.dataset.key === col.key);
      el.classList.toggle('desc', el.dataset.key === col.key && desc);
    }
    this.body.style.height = `${this.order.length * ROW_H}px`;
    this.draw();
  }

  setMatches(matches: Uint8Array | undefined): void {
    this.matches = matches;
    this.draw();
  }

  /** Build the rows in view (and a few around them). */
  draw(): void {
    const top = this.scroll.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_H) - 5);
    const last = Math.min(this.order.length, first + Math.ceil((this.scroll.clientHeight || 800) / ROW_H) + 10);
    const frag = document.createDocumentFragment();
    for (let k = first; k < last; k++) {
      const fn = this.order[k];
      const row = document.createElement('div');
      row.className = 'trow';
      if (this.matches !== undefined && this.matches[fn] === 1) row.classList.add('m');
      row.style.top = `${k * ROW_H}px`;
      row.dataset.fn = String(fn);
      for (const c of this.columns) {
        const cell = document.createElement('span');
        cell.className = `c-${c.key}`;
        cell.textContent = c.text(fn);
        row.append(cell);
      }
      frag.append(row);
    }
    this.body.replaceChildren(frag);
  }
}

/** How pstats names a function: `file:line(name)`, built-ins as `{name}`. */
export function stdString(file: string, line: number, name: string, sampled: boolean): string {
  if (file === '~' && line === 0) return name.startsWith('<') && name.endsWith('>') ? `{${name.slice(1, -1)}}` : name;
  if (sampled && line < 0) return name;
  return `${file}:${line}(${name})`;
}
