/**
 * The report's state as it lives in the URL hash (`#view=sandwich&fn=...&search=...`), so
 * that a link reopens the same view.
 */

/** The views, by their keys 1-6 ('diff' only in a differential report). */
export const VIEWS = ['flame', 'icicle', 'table', 'sandwich', 'graph', 'diff'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface State {
  view: ViewName;
  /** The sandwich's function, as its `file:line:name` label. */
  fn: string | undefined;
  /** A regular expression whose matches every view highlights. */
  search: string;
  /** The table's filter (a regular expression) and sort column ('-' first: descending). */
  filter: string;
  sort: string;
  /** The call graph's threshold, per cent of the total. */
  min: number;
}

export const DEFAULT_STATE: Readonly<State> = { view: 'flame', fn: undefined, search: '', filter: '', sort: '-tt', min: 0.5 };

/** The state a hash names; `home` is the view when it names none. */
export function parseHash(hash: string, home: ViewName = DEFAULT_STATE.view): State {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const view = p.get('view');
  const min = Number(p.get('min'));
  return {
    view: (VIEWS as readonly string[]).includes(view ?? '') ? (view as ViewName) : home,
    fn: p.get('fn') ?? undefined,
    search: p.get('search') ?? '',
    filter: p.get('filter') ?? '',
    sort: p.get('sort') ?? DEFAULT_STATE.sort,
    min: p.has('min') && Number.isFinite(min) && min >= 0 && min <= 100 ? min : DEFAULT_STATE.min,
  };
}

export function formatHash(s: State): string {
  const p = new URLSearchParams();
  p.set('view', s.view);
  if (s.fn !== undefined) p.set('fn', s.fn);
  if (s.search !== '') p.set('search', s.search);
  if (s.filter !== '') p.set('filter', s.filter);
  if (s.sort !== DEFAULT_STATE.sort) p.set('sort', s.sort);
  if (s.min !== DEFAULT_STATE.min) p.set('min', String(s.min));
  return '#' + p.toString();
}
