/**
 * The HTML report's page: reads the data the writer embedded, builds the header (tabs,
 * search, details) and the five views, and keeps the state in the URL hash. Profile text
 * only ever reaches the page through `textContent`, attributes and canvas text.
 */
import { readReport, type Report } from './data';
import { FlameView } from './flame-view';
import { GraphView } from './graph-view';
import { SandwichView } from './sandwich-view';
import { regexProblem, searchRegex } from '../render/search';
import { formatHash, parseHash, VIEWS, type State, type ViewName } from './state';
import { DiffView } from './diff-view';
import { TableView } from './table-view';
import { STYLE } from './style';

const TAB_NAMES: Record<ViewName, string> = { flame: 'Flame', icicle: 'Icicle', table: 'Table', sandwich: 'Sandwich', graph: 'Call graph', diff: 'Changes' };

function main(): void {
  const style = document.createElement('style');
  style.textContent = STYLE;
  document.head.append(style);

  let report: Report;
  try {
    report = readReport(document);
  } catch (err) {
    const p = document.createElement('p');
    p.textContent = `flameprof: cannot show this report: ${(err as Error).message}`;
    document.body.append(p);
    return;
  }
  const el = (tag: string, cls?: string, text?: string): HTMLElement => {
    const e = document.createElement(tag);
    if (cls !== undefined) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  const header = el('header');
  const title = el('h1', 'title', report.data.title);
  const legend = el(
    'div',
    'legend',
    report.diff !== undefined
      ? report.diff.legend
      : report.sampled
      ? 'Whole stacks, as recorded: every width is exact.'
      : report.data.fromStacks
        ? "Widths are time on the estimator's stacks (--hide, --focus, --reverse): a cProfile dump records calls between two functions, not whole stacks. The table, sandwich and call graph use the exact numbers."
        : 'Green frames are estimated: a cProfile dump records calls between two functions, not whole stacks. The table, sandwich and call graph use the exact numbers.',
  );
  const tabs = el('nav', 'tabs');
  const tabButtons = new Map<ViewName, HTMLButtonElement>();
  // The table of changes exists only in a differential report.
  const shown = VIEWS.filter((v) => v !== 'diff' || report.diff !== undefined);
  shown.forEach((v, i) => {
    const b = el('button', 'tab', `${i + 1} ${TAB_NAMES[v]}`) as HTMLButtonElement;
    b.id = `tab-${v}`;
    b.addEventListener('click', () => go({ view: v }));
    tabButtons.set(v, b);
    tabs.append(b);
  });
  const search = el('input') as HTMLInputElement;
  search.id = 'search';
  search.placeholder = 'search (regex)';
  search.spellcheck = false;
  const clear = el('button', 'btn', 'Clear') as HTMLButtonElement;
  clear.id = 'clear';
  const reset = el('button', 'btn', 'Reset zoom') as HTMLButtonElement;
  reset.id = 'reset';
  reset.disabled = true;
  const status = el('span', 'status');
  status.id = 'status';
  const controls = el('div', 'controls');
  controls.append(tabs, search, clear, reset, status);
  const details = el('div', 'details');
  details.id = 'details';
  header.append(title);
  if (report.data.subtitle !== '') header.append(el('div', 'subtitle', report.data.subtitle));
  header.append(legend, controls, details);
  for (const w of report.data.warnings) header.append(el('div', 'warning', `note: ${w}`));
  const mainEl = el('main');
  document.body.append(header, mainEl);

  const showDetails = (text: string | undefined): void => {
    details.textContent = text ?? '';
  };
  const openSandwich = (fn: number): void => go({ view: 'sandwich', fn: report.labels[fn] });
  const zoomed = (): void => {
    reset.disabled = !(flame.zoomed || icicle.zoomed);
  };
  const flame = new FlameView(report, false, { details: showDetails, openSandwich, zoomed });
  const icicle = new FlameView(report, true, { details: showDetails, openSandwich, zoomed });
  const table = new TableView(report, { openSandwich, changed: (sort, filter) => go({ sort, filter }, true) });
  const sandwich = new SandwichView(report, { openSandwich, details: showDetails });
  const graph = new GraphView(report, { openSandwich, details: showDetails, changed: (min) => go({ min }, true) });
  const changes = report.diff === undefined ? undefined : new DiffView(report.diff, report.labels, report.data.unitWord, openSandwich);
  const views: Partial<Record<ViewName, { el: HTMLElement }>> = { flame, icicle, table, sandwich, graph, diff: changes };
  for (const v of shown) {
    views[v]!.el.hidden = true;
    mainEl.append(views[v]!.el);
  }
  if (report.total === 0 || (report.flame.frames.length === 0 && report.inverted.frames.length === 0)) {
    for (const v of [flame, icicle]) v.el.prepend(el('p', 'note', report.total === 0 ? 'This profile holds no time: there is nothing to draw.' : 'No frame is above the threshold: lower --threshold to see more.'));
  }

  let state: State = parseHash(location.hash, report.data.view);
  // The document's own URL with `hash`: a bare '#...' resolves against the base URL, which in
  // an iframe's srcdoc (the notebook magic's) is the notebook's, and the history refuses it.
  const withHash = (hash: string): string => location.href.split('#')[0] + hash;
  let applied: State | undefined;
  const byLabel = new Map<string, number>();
  report.labels.forEach((l, i) => byLabel.set(l, i));

  /** Change the state; `quiet` changes replace the history entry instead of adding one. */
  function go(change: Partial<State>, quiet = false): void {
    state = { ...state, ...change };
    if (!shown.includes(state.view)) state.view = report.data.view;
    // The function is the sandwich's: leaving it forgets it (and links do not keep it).
    if (state.view !== 'sandwich') state.fn = undefined;
    const hash = formatHash(state);
    if (hash !== location.hash) {
      if (quiet) history.replaceState(null, '', withHash(hash));
      else history.pushState(null, '', withHash(hash));
    }
    apply();
  }

  function apply(): void {
    const prev = applied;
    if (!shown.includes(state.view)) state = { ...state, view: report.data.view };
    if (state.view !== 'sandwich' && state.fn !== undefined) state = { ...state, fn: undefined };
    applied = state;
    if (formatHash(state) !== location.hash && location.hash !== '') history.replaceState(null, '', withHash(formatHash(state)));
    // What the details line says belongs to the view it was said in.
    if (prev !== undefined && prev.view !== state.view) showDetails(undefined);
    for (const v of shown) {
      views[v]!.el.hidden = v !== state.view;
      tabButtons.get(v)!.classList.toggle('active', v === state.view);
    }
    if (state.view === 'diff' && changes !== undefined && prev?.view !== 'diff') changes.draw();
    if (prev?.search !== state.search) setSearch(state.search);
    if (state.view === 'table' && (prev?.view !== 'table' || prev.sort !== state.sort || prev.filter !== state.filter)) table.set(state.sort, state.filter);
    if (state.view === 'sandwich') sandwich.show(state.fn === undefined ? -1 : byLabel.get(state.fn) ?? -1);
    if (state.view === 'graph') graph.setThreshold(state.min);
    if (state.view === 'flame') flame.paint();
    if (state.view === 'icicle') icicle.paint();
    reset.hidden = state.view !== 'flame' && state.view !== 'icicle';
  }

  function setSearch(pattern: string): void {
    if (search.value !== pattern) search.value = pattern;
    search.classList.remove('bad');
    status.classList.remove('err');
    let matches: Uint8Array | undefined;
    if (pattern !== '') {
      try {
        const re = searchRegex(pattern);
        matches = new Uint8Array(report.labels.length);
        report.labels.forEach((l, i) => (matches![i] = re.test(l) ? 1 : 0));
      } catch (err) {
        search.classList.add('bad');
        status.classList.add('err');
        status.textContent = `Invalid regular expression: ${regexProblem(err)}`;
      }
    }
    if (matches !== undefined) status.textContent = `Matched: ${matchedPercent(report, matches)} % of total time`;
    else if (pattern === '') status.textContent = '';
    for (const v of [flame, icicle, table, sandwich, graph, ...(changes === undefined ? [] : [changes])]) v.setMatches(matches);
  }

  search.addEventListener('input', () => go({ search: search.value }, true));
  clear.addEventListener('click', () => go({ search: '' }, true));
  reset.addEventListener('click', () => {
    flame.resetZoom();
    icicle.resetZoom();
  });
  window.addEventListener('hashchange', () => {
    state = parseHash(location.hash, report.data.view);
    apply();
  });
  window.addEventListener('popstate', () => {
    state = parseHash(location.hash, report.data.view);
    apply();
  });
  window.addEventListener('resize', () => {
    flame.schedule();
    icicle.schedule();
  });
  document.addEventListener('keydown', (e) => {
    const typing = e.target instanceof HTMLInputElement;
    if (e.key === 'Escape') {
      if (typing) (e.target as HTMLInputElement).blur();
      else if (flame.zoomed || icicle.zoomed) reset.click();
      else go({ search: '' }, true);
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    const n = Number(e.key);
    if (Number.isInteger(n) && n >= 1 && n <= shown.length) go({ view: shown[n - 1] });
    else if (e.key === '/') {
      e.preventDefault();
      search.focus();
    }
  });

  apply();
  // Read by tests and the bench: the page is drawn and listening.
  document.documentElement.dataset.ready = '1';
  (window as unknown as { flameprof: unknown }).flameprof = { flame, icicle, table, sandwich, graph, report };
}

/**
 * The share of the total that matching frames cover, each time counted once, as the SVG's
 * search gives it: of the flame, or of the inverted section when there is no flame.
 */
function matchedPercent(report: Report, matches: Uint8Array): string {
  const f = report.flame.frames.length > 0 ? report.flame.frames : report.inverted.frames;
  let covered = 0;
  let end = -Infinity;
  // Pre-order: a matching frame covers its subtree, which follows it.
  for (let i = 0; i < f.length; i++) {
    if (matches[f.func[i]] !== 1 || f.x[i] + f.w[i] <= end) continue;
    covered += f.x[i] + f.w[i] - Math.max(f.x[i], end);
    end = f.x[i] + f.w[i];
  }
  return ((100 * covered) / (report.total || 1)).toFixed(2);
}

main();
