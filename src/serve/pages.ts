/**
 * `flameprof serve`'s pages other than reports: the listing of a folder's profiles and the
 * groups of per-request profiles, a page at a time; and the error page. Every name is escaped
 * text; the one inline script is allowed by its hash (the CSP header says so).
 */
import { createHash } from 'node:crypto';
import { IMPORTERS } from '../import/registry';
import { asset } from '../render/assets';
import { escapeXml } from '../render/xml';
import { escapeRegex, groupPattern, type Group } from './groups';
import type { Summary } from './worker';

/** Rows per page: a page stays far under 1 MB whatever the folder holds. */
export const PAGE_ROWS = 200;

export interface ListingRow {
  /** Path under the served folder, with `/` separators. */
  readonly rel: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly durationMs: number | undefined;
  /** Decoded summary, the reason it could not be read, or undefined while it is being read. */
  readonly summary: Summary | undefined;
  readonly error: string | undefined;
}

/** Where the folder is: how many profiles, how many are still to be read, whether the first walk is done. */
export interface Progress {
  readonly dir: string;
  readonly total: number;
  readonly pending: number;
  readonly walked: boolean;
}

/** The pages' script (./page-script.ts, built into dist/pages.js), allowed by its hash. */
export function pageScriptHash(): string {
  return `sha256-${createHash('sha256').update(asset('pages.js')).digest('base64')}`;
}

const STYLE = `body { font: 13px system-ui, sans-serif; margin: 16px; color: #111; }
h1 { font-size: 18px; margin: 0 0 8px; overflow-wrap: anywhere; }
nav { margin: 0 0 8px; } nav a { margin-right: 12px; }
table { border-collapse: collapse; font: 12px monospace; }
th { text-align: left; background: #eee; padding: 3px 8px; }
td { padding: 2px 8px; white-space: nowrap; }
td.num { text-align: right; }
td.top, td.name { white-space: normal; overflow-wrap: anywhere; }
td.links a { margin-right: 8px; }
tr:hover { background: #f3f3ff; }
.err { color: #b00; }
.muted { color: #777; }
input.bad { outline: 2px solid #c00; }
#filter { width: 28em; }
.bar { margin: 8px 0; display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }`;

/** A link's query string from its parameters, leaving out those undefined. */
export function query(params: Record<string, string | number | undefined>): string {
  const parts = Object.entries(params).filter((kv): kv is [string, string | number] => kv[1] !== undefined && kv[1] !== '');
  return parts.length === 0 ? '' : `?${parts.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&')}`;
}

function head(title: string, progress: Progress): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<title>${escapeXml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    `<h1>${escapeXml(title)}</h1>\n<nav><a href="./">Profiles</a><a href="groups">Groups</a>` +
    `<span class="muted" id="progress">${progressText(progress)}</span></nav>\n`
  );
}

function progressText(p: Progress): string {
  if (!p.walked) return 'looking through the folder…';
  return p.pending > 0 ? `${p.pending} of ${p.total} profiles still being read: reload to see them` : `${p.total} profiles`;
}

function pager(base: string, params: Record<string, string | number | undefined>, page: number, pages: number): string {
  if (pages <= 1) return '';
  const link = (p: number, text: string): string => `<a href="${escapeXml(base + query({ ...params, page: p === 1 ? undefined : p }))}">${text}</a>`;
  return `<span>page ${page} of ${pages}</span>${page > 1 ? link(page - 1, '← previous') : ''}${page < pages ? link(page + 1, 'next →') : ''}`;
}

export interface ListingView {
  readonly match: string;
  readonly sort: 'newest' | 'slowest' | 'path';
  readonly page: number;
  /** How many profiles match, of which `rows` is this page. */
  readonly matching: number;
  readonly rows: readonly ListingRow[];
}

export function listingPage(progress: Progress, v: ListingView): string {
  const pages = Math.max(1, Math.ceil(v.matching / PAGE_ROWS));
  const params = { match: v.match, sort: v.sort === 'newest' ? undefined : v.sort };
  const rows = v.rows.map((e) => {
    const href = `view/${e.rel.split('/').map(encodeURIComponent).join('/')}`;
    const s = e.summary;
    const cells = s
      ? `<td>${s.kind}</td><td class="num">${size(e.size)}</td><td class="num">${ms(e.durationMs)}</td><td class="num">${amount(s.total, s.unit)}</td>` +
        `<td class="top">${escapeXml(s.top)}${s.top === '' ? '' : ` <span class="muted">(${amount(s.topOwn, s.unit)})</span>`}</td>`
      : e.error !== undefined
        ? `<td class="err">cannot read</td><td class="num">${size(e.size)}</td><td class="num">${ms(e.durationMs)}</td><td colspan="2" class="err top">${escapeXml(e.error)}</td>`
        : `<td class="muted">reading…</td><td class="num">${size(e.size)}</td><td class="num">${ms(e.durationMs)}</td><td colspan="2" class="muted">reload to see</td>`;
    return (
      `<tr><td><input type="checkbox" class="pick" value="${escapeXml(`^${escapeRegex(e.rel)}$`)}" data-time="${e.mtimeMs}" aria-label="compare"></td>` +
      `<td class="name"><a href="${escapeXml(href)}">${escapeXml(e.rel)}</a></td>` +
      `<td>${time(e.mtimeMs)}</td>${cells}</tr>`
    );
  });
  const sorts = (['newest', 'slowest', 'path'] as const)
    .map((s) => (s === v.sort ? `<b>${s}</b>` : `<a href="${escapeXml(`./${query({ match: v.match, sort: s === 'newest' ? undefined : s })}`)}">${s}</a>`))
    .join(' ');
  return (
    head(`Profiles in ${progress.dir}`, progress) +
    `<div class="bar"><input id="filter" placeholder="paths matching (regex), Enter" spellcheck="false" value="${escapeXml(v.match)}" data-param="match">` +
    `<span id="count">${v.matching} of ${progress.total}</span>` +
    (v.matching > 0 && v.match !== '' ? `<a href="${escapeXml(`merge${query({ match: v.match })}`)}">merge these ${v.matching}</a>` : '') +
    `<button id="compare" disabled>Compare the two chosen</button><span>sort: ${sorts}</span>${pager('./', params, v.page, pages)}</div>\n` +
    '<table>\n<thead><tr><th></th><th>profile</th><th>modified (UTC)</th><th>kind</th><th>size</th><th>duration</th><th>total</th><th>top function by own time</th></tr></thead>\n<tbody>\n' +
    rows.join('\n') +
    '\n</tbody>\n</table>\n' +
    (progress.total === 0 && progress.walked ? `<p class="muted">No profiles here yet (${IMPORTERS.flatMap((i) => i.extensions).join(', ')}, or gzip of them).</p>\n` : '') +
    `<script>${asset('pages.js')}</script>\n</body>\n</html>\n`
  );
}

export interface GroupsView {
  readonly match: string;
  readonly ids: boolean;
  readonly sort: GroupSort;
  readonly page: number;
  readonly matching: number;
  readonly groups: readonly Group[];
  /** How many of the slowest a group's "slowest" link merges. */
  readonly slowest: number;
}

export const GROUP_SORTS = ['total', 'count', 'p95', 'max', 'newest', 'name'] as const;
export type GroupSort = (typeof GROUP_SORTS)[number];

export function groupsPage(progress: Progress, v: GroupsView): string {
  const pages = Math.max(1, Math.ceil(v.matching / PAGE_ROWS));
  const params = { match: v.match, ids: v.ids ? 1 : undefined, sort: v.sort === 'total' ? undefined : v.sort };
  const rows = v.groups.map((g) => {
    const pattern = groupPattern(g.key);
    const links = [
      `<a href="${escapeXml(`merge${query({ match: pattern })}`)}">merged</a>`,
      g.count > v.slowest ? `<a href="${escapeXml(`merge${query({ match: pattern, slowest: v.slowest })}`)}">slowest ${v.slowest}</a>` : '',
      `<a href="${escapeXml(`./${query({ match: pattern, sort: 'slowest' })}`)}">list</a>`,
    ];
    if (g.count > 1 && g.newest.mtimeMs > g.oldestMs) {
      // The group against itself: the first half of its time span against the second.
      const middle = new Date((g.oldestMs + g.newest.mtimeMs) / 2).toISOString();
      links.push(`<a href="${escapeXml(`diff${query({ before: pattern, before_until: middle, after: pattern, after_since: middle })}`)}">older vs newer half</a>`);
    }
    const total = [g.seconds > 0 || g.samples === 0 ? amount(g.seconds, 'seconds') : '', g.samples > 0 ? amount(g.samples, 'samples') : ''].filter((t) => t !== '').join(' + ');
    const notes = [g.pending > 0 ? `${g.pending} being read` : '', g.unreadable > 0 ? `<span class="err">${g.unreadable} unreadable</span>` : ''].filter((t) => t !== '').join(', ');
    return (
      `<tr><td><input type="checkbox" class="pick" value="${escapeXml(pattern)}" data-time="${g.newest.mtimeMs}" aria-label="compare"></td>` +
      `<td class="name">${escapeXml(g.key)}</td><td class="num">${g.count}</td><td class="num">${total}</td>` +
      `<td class="num">${ms(g.p50)}</td><td class="num">${ms(g.p95)}</td><td class="num">${ms(g.max)}</td>` +
      `<td><a href="${escapeXml(`view/${g.newest.rel.split('/').map(encodeURIComponent).join('/')}`)}">${time(g.newest.mtimeMs)}</a></td>` +
      `<td class="links">${links.join('')}</td><td>${notes}</td></tr>`
    );
  });
  const sorts = GROUP_SORTS.map((s) =>
    s === v.sort ? `<b>${s}</b>` : `<a href="${escapeXml(`groups${query({ ...params, sort: s === 'total' ? undefined : s })}`)}">${s}</a>`,
  ).join(' ');
  const ids = `<a href="${escapeXml(`groups${query({ ...params, ids: v.ids ? undefined : 1 })}`)}">${v.ids ? 'keep ids apart' : 'fold ids ({id})'}</a>`;
  return (
    head(`Groups in ${progress.dir}`, progress) +
    `<div class="bar"><input id="filter" placeholder="groups matching (regex), Enter" spellcheck="false" value="${escapeXml(v.match)}" data-param="match">` +
    `<span id="count">${v.matching} groups</span>${ids}<button id="compare" disabled>Compare the two chosen</button><span>sort: ${sorts}</span>${pager('groups', params, v.page, pages)}</div>\n` +
    '<table>\n<thead><tr><th></th><th>group</th><th>profiles</th><th>total</th><th>p50</th><th>p95</th><th>max</th><th>newest (UTC)</th><th></th><th></th></tr></thead>\n<tbody>\n' +
    rows.join('\n') +
    '\n</tbody>\n</table>\n' +
    '<p class="muted">Durations from the names (<code>{duration}ms</code>), else the profile\'s total time; p50 and p95 by nearest rank.</p>\n' +
    `<script>${asset('pages.js')}</script>\n</body>\n</html>\n`
  );
}

export function errorPage(status: number, title: string, message: string): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<title>${status} ${escapeXml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    `<h1>${escapeXml(title)}</h1>\n<p class="err">${escapeXml(message)}</p>\n<p><a href="/">All profiles</a></p>\n</body>\n</html>\n`
  );
}

function size(n: number): string {
  return n < 1024 ? `${n} B` : n < 2 ** 20 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 2 ** 20).toFixed(1)} MB`;
}

function amount(v: number, unit: 'seconds' | 'samples'): string {
  return unit === 'seconds' ? `${Number(v.toPrecision(4))} s` : `${v} samples`;
}

function ms(v: number | undefined): string {
  return v === undefined ? '' : `${Number(v.toPrecision(4))} ms`;
}

function time(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
