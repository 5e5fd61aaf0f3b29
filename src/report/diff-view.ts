/**
 * A differential report's table: every function of either side with its exact own and
 * cumulative time before and after, ranked by the change in own time (click a heading for
 * another column). Growth first: what got slower leads.
 */
import { formatSix } from '../model/pynum';
import type { Diff } from './data';

const MAX_ROWS = 2000;

const COLUMNS = [
  { key: 'dtt', title: 'change in own' },
  { key: 'ttBefore', title: 'own before' },
  { key: 'ttAfter', title: 'own after' },
  { key: 'dct', title: 'change in cumulative' },
  { key: 'ctBefore', title: 'cumulative before' },
  { key: 'ctAfter', title: 'cumulative after' },
  { key: 'name', title: 'file:line:function' },
] as const;
type Key = (typeof COLUMNS)[number]['key'];

export class DiffView {
  readonly el: HTMLDivElement;
  private sort: Key = 'dtt';
  private matches: Uint8Array | undefined;
  private readonly byLabel: Map<string, number>;

  constructor(
    private readonly diff: Diff,
    labels: readonly string[],
    private readonly unit: string,
    private readonly openSandwich: (fn: number) => void,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'diff-view';
    this.byLabel = new Map(labels.map((l, i) => [l, i]));
    this.el.addEventListener('click', (e) => {
      const t = e.target as HTMLElement;
      const key = t.dataset.key as Key | undefined;
      if (key !== undefined) {
        this.sort = key;
        this.draw();
        return;
      }
      const row = t.closest('tr[data-fn]') as HTMLElement | null;
      if (row !== null) this.openSandwich(Number(row.dataset.fn));
    });
  }

  /** Highlight functions of the shown side matching the search (by its function index). */
  setMatches(matches: Uint8Array | undefined): void {
    this.matches = matches;
    this.draw();
  }

  draw(): void {
    const d = this.diff;
    const value = (k: Key, i: number): number | string => {
      switch (k) {
        case 'dtt':
          return d.ttAfter[i] - d.ttBefore[i];
        case 'dct':
          return d.ctAfter[i] - d.ctBefore[i];
        case 'name':
          return d.labels[i];
        default:
          return d[k][i];
      }
    };
    const order = d.labels.map((_, i) => i);
    const k = this.sort;
    order.sort((a, b) => {
      const va = value(k, a);
      const vb = value(k, b);
      return typeof va === 'number' ? (vb as number) - va : va < vb ? -1 : va > vb ? 1 : 0;
    });
    const table = document.createElement('table');
    table.className = 'diff-table';
    const head = table.insertRow();
    for (const c of COLUMNS) {
      const th = document.createElement('th');
      th.textContent = c.title + (c.key === k ? (c.key === 'name' ? ' \u25b2' : ' \u25bc') : '');
      th.dataset.key = c.key;
      head.append(th);
    }
    const signed = (v: number): string => (v > 0 ? `+${formatSix(v)}` : formatSix(v));
    for (const i of order.slice(0, MAX_ROWS)) {
      const row = table.insertRow();
      const fn = this.byLabel.get(d.labels[i]);
      if (fn !== undefined) row.dataset.fn = String(fn);
      row.dataset.label = d.labels[i];
      const dtt = d.ttAfter[i] - d.ttBefore[i];
      const dct = d.ctAfter[i] - d.ctBefore[i];
      row.className = dtt > 0 ? 'grew' : dtt < 0 ? 'shrank' : '';
      if (fn !== undefined && this.matches !== undefined && this.matches[fn] === 1) row.classList.add('m');
      for (const t of [signed(dtt), formatSix(d.ttBefore[i]), formatSix(d.ttAfter[i]), signed(dct), formatSix(d.ctBefore[i]), formatSix(d.ctAfter[i]), d.labels[i]]) {
        row.insertCell().textContent = t;
      }
    }
    const note = document.createElement('div');
    note.className = 'note';
    note.textContent =
      `Exact numbers from both profiles, in ${this.unit}.` + (order.length > MAX_ROWS ? ` The first ${MAX_ROWS} of ${order.length} functions.` : '');
    this.el.replaceChildren(note, table);
  }
}
