/**
 * `flameprof serve`'s pages other than reports: the listing of a folder's profiles, newest
 * first, with a filter box and a choice of two to compare; and the error page. Every name
 * is escaped text; the one inline script is allowed by its hash (the CSP header says so).
 */
import { createHash } from 'node:crypto';
import { IMPORTERS } from '../import/registry';
import { asset } from '../render/assets';
import { escapeXml } from '../render/xml';
import type { Summary } from './worker';

export interface ListingEntry {
  /** Path under the served folder, with `/` separators. */
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** Decoded summary, the reason it could not be read, or undefined while it is being read. */
  readonly summary: Summary | undefined;
  readonly error: string | undefined;
}

/** The listing's script (./listing-page.ts, built into dist/listing.js), allowed by its hash. */
export function listingScriptHash(): string {
  return `sha256-${createHash('sha256').update(asset('listing.js')).digest('base64')}`;
}

const STYLE = `body { font: 13px system-ui, sans-serif; margin: 16px; color: #111; }
h1 { font-size: 18px; margin: 0 0 8px; overflow-wrap: anywhere; }
table { border-collapse: collapse; font: 12px monospace; }
th { text-align: left; background: #eee; padding: 3px 8px; }
td { padding: 2px 8px; white-space: nowrap; }
td.num { text-align: right; }
td.top, td.name { white-space: normal; overflow-wrap: anywhere; }
tr:hover { background: #f3f3ff; }
.err { color: #b00; }
.muted { color: #777; }
input.bad { outline: 2px solid #c00; }
.bar { margin: 8px 0; display: flex; gap: 10px; align-items: center; }`;

export function listingPage(dir: string, entries: readonly ListingEntry[], pending: number): string {
  const rows = entries.map((e) => {
    const href = `view/${e.name.split('/').map(encodeURIComponent).join('/')}`;
    const s = e.summary;
    const cells = s
      ? `<td>${s.kind}</td><td class="num">${size(e.size)}</td><td class="num">${amount(s.total, s.unit)}</td>` +
        `<td class="top">${escapeXml(s.top)}${s.top === '' ? '' : ` <span class="muted">(${amount(s.topOwn, s.unit)})</span>`}</td>`
      : e.error !== undefined
        ? `<td class="err">cannot read</td><td class="num">${size(e.size)}</td><td colspan="2" class="err top">${escapeXml(withoutContent(e.error))}</td>`
        : `<td class="muted">reading…</td><td class="num">${size(e.size)}</td><td colspan="2" class="muted">reload to see</td>`;
    const text = `${e.name} ${s?.kind ?? ''} ${s?.top ?? ''}`;
    return (
      `<tr data-text="${escapeXml(text)}"><td><input type="checkbox" class="pick" value="${escapeXml(e.name)}" data-mtime="${e.mtimeMs}" aria-label="compare"></td>` +
      `<td class="name"><a href="${escapeXml(href)}">${escapeXml(e.name)}</a></td>` +
      `<td>${new Date(e.mtimeMs).toISOString().replace('T', ' ').slice(0, 19)}</td>${cells}</tr>`
    );
  });
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    `<title>flameprof: ${escapeXml(dir)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n` +
    `<h1>Profiles in ${escapeXml(dir)}</h1>\n` +
    `<div class="bar"><input id="filter" placeholder="filter (regex)" spellcheck="false"> <span id="count"></span>` +
    `<button id="compare" disabled>Compare the two chosen</button>` +
    (pending > 0 ? `<span class="muted">${pending} still being read: reload to see them</span>` : '') +
    '</div>\n' +
    '<table>\n<thead><tr><th></th><th>profile</th><th>modified (UTC)</th><th>kind</th><th>size</th><th>total</th><th>top function by own time</th></tr></thead>\n<tbody>\n' +
    rows.join('\n') +
    '\n</tbody>\n</table>\n' +
    (entries.length === 0 ? `<p class="muted">No profiles here yet (${IMPORTERS.flatMap((i) => i.extensions).join(', ')}, or gzip of them).</p>\n` : '') +
    `<script>${asset('listing.js')}</script>\n</body>\n</html>\n`
  );
}

/**
 * A reader's message without what it quotes of the file (the readers quote a bad line or
 * value as a JSON string): a page never shows a file's content, which may not be a profile
 * at all.
 */
export function withoutContent(message: string): string {
  return message.replace(/"(?:[^"\\]|\\.)*"/g, (q) => (q === '"stack count"' ? q : '(not shown)'));
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
