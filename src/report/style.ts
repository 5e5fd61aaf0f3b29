/** The report's style sheet (put in the page by main.ts: the file stays one self-contained page). */
export const STYLE = `
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; height: 100%; font: 13px system-ui, sans-serif; color: #111; background: #fff; }
body { display: flex; flex-direction: column; }
header { padding: 6px 10px 4px; border-bottom: 1px solid #ccc; background: #fafafa; }
h1.title { font-size: 16px; margin: 0 0 2px; overflow-wrap: anywhere; }
.subtitle { font-size: 13px; overflow-wrap: anywhere; }
.legend, .warning { color: #555; font-size: 12px; }
.warning { color: #8a5a00; overflow-wrap: anywhere; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 6px; margin-top: 4px; }
.tabs { display: flex; gap: 2px; margin-right: 8px; }
.tab { border: 1px solid #aaa; background: #eee; padding: 3px 9px; cursor: pointer; border-radius: 3px 3px 0 0; }
.tab.active { background: #fff; border-bottom-color: #fff; font-weight: 600; }
input { font: inherit; padding: 2px 4px; }
input.bad { outline: 2px solid #c00; }
#search { width: 18em; }
.btn { padding: 2px 8px; cursor: pointer; }
.status { color: #333; }
.status.err { color: #c00; }
.details { min-height: 1.4em; max-height: 4.2em; overflow: hidden; font: 12px monospace; margin-top: 3px; overflow-wrap: anywhere; }
main { flex: 1; min-height: 0; position: relative; }
main > div { position: absolute; inset: 0; }
.note { color: #555; padding: 8px; }
.flame-scroll { overflow: auto; }
.flame-canvas { position: sticky; top: 0; left: 0; display: block; }
.table-view, .graph-view { display: flex; flex-direction: column; }
.table-bar, .graph-bar { padding: 4px 10px; display: flex; gap: 10px; align-items: center; }
#table-filter { width: 22em; }
.table-scroll { flex: 1; overflow: auto; position: relative; font: 12px monospace; }
.table-body { position: relative; }
.trow { display: flex; height: 22px; line-height: 22px; white-space: nowrap; cursor: pointer; }
.table-body .trow { position: absolute; left: 0; right: 0; }
.table-body .trow:hover { background: #eef; }
.trow.m { background: rgb(245,190,245); }
.thead { position: sticky; top: 0; background: #eee; font-weight: 600; z-index: 1; cursor: default; }
.thead span { cursor: pointer; }
.thead .sorted::after { content: ' \\25b2'; }
.thead .sorted.desc::after { content: ' \\25bc'; }
.trow span { padding: 0 6px; overflow: hidden; text-overflow: ellipsis; }
.c-nc { width: 9em; text-align: right; }
.c-tt, .c-tpc, .c-ct, .c-cpc { width: 10em; text-align: right; }
.c-name { flex: 1; }
.sandwich-view { overflow: auto; padding: 8px 10px; }
.sandwich-title { font: 12px monospace; margin-bottom: 6px; overflow-wrap: anywhere; }
.sandwich-diagram { margin-bottom: 12px; }
.sandwich-row { position: relative; height: 24px; margin: 1px 0; }
.sbox { position: absolute; top: 0; height: 23px; line-height: 23px; font: 12px monospace; padding: 0 3px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; cursor: pointer; }
.callees .sbox { background: rgb(255,190,110); }
.sandwich-self { background: rgb(255,140,79); font-weight: 600; }
.callers .sbox { background: rgb(204,204,204); }
.sandwich-list { margin-top: 10px; }
.sandwich-list-title { font-weight: 600; margin-bottom: 3px; }
.sandwich-list table { border-collapse: collapse; font: 12px monospace; }
.sandwich-list td, .sandwich-list th { padding: 1px 8px; text-align: right; white-space: nowrap; }
.sandwich-list td:last-child, .sandwich-list th:last-child { text-align: left; white-space: normal; overflow-wrap: anywhere; }
.sandwich-list tr[data-fn] { cursor: pointer; }
.sandwich-list tr[data-fn]:hover { background: #eef; }
.diff-view { overflow: auto; padding: 8px 10px; }
.diff-table { border-collapse: collapse; font: 12px monospace; }
.diff-table th { cursor: pointer; background: #eee; padding: 2px 8px; position: sticky; top: 0; }
.diff-table td { padding: 1px 8px; text-align: right; white-space: nowrap; }
.diff-table td:last-child { text-align: left; }
.diff-table tr[data-fn] { cursor: pointer; }
.diff-table tr.grew td:first-child { color: #b00; }
.diff-table tr.shrank td:first-child { color: #00b; }
.diff-table tr.m { background: rgb(245,190,245); }
svg.graph { flex: 1; width: 100%; min-height: 0; cursor: grab; background: #fdfdfd; }
svg.graph .node { cursor: pointer; }
svg.graph .node-label { font: 11px monospace; pointer-events: none; dominant-baseline: central; }
`;
