#!/usr/bin/env node
// Build: bundle the CLI (dist/cli.bundle.js, so that `flameprof` starts fast, with its V8 code
// cache: scripts/code-cache.js), the server's worker and the browser scripts (the SVG's
// viewer, the report's page, serve's pages) with esbuild, then type-check and emit the
// library (dist/*.js + .d.ts) with tsc.
//
// --if-stale (what `prepare` runs) does nothing when dist/ is newer than every source: the
// first `npx flameprof` in a clone runs `prepare` again, right after `npm ci` built it.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const root = path.join(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));

/** The newest modification time of the files under `dir`, or of `dir` itself. */
function newest(file) {
  const st = fs.statSync(file);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(file).map((f) => newest(path.join(file, f))));
}

const built = ['dist/cli.bundle.js', 'dist/cli.bundle.cache', 'dist/index.d.ts', 'dist/report.js', 'dist/viewer.js', 'dist/pages.js', 'dist/serve-worker.js'].map((f) => path.join(root, f));
const sources = ['src', 'package.json', 'tsconfig.json', 'scripts/build.js', 'scripts/code-cache.js', 'bin/load-bundle.js'].map((f) => path.join(root, f));
if (process.argv.includes('--if-stale') && built.every((f) => fs.existsSync(f))) {
  const oldest = Math.min(...built.map((f) => fs.statSync(f).mtimeMs));
  if (Math.max(...sources.map(newest)) < oldest) process.exit(0);
}

fs.mkdirSync(path.join(root, 'dist'), { recursive: true });

/**
 * Bundle `entry` into dist/`out`: written to a temporary name and renamed, so that tests
 * spawning the CLI never see a half-written file. `check` may refuse the bundle's text.
 */
function bundle(entry, out, options, check = () => undefined) {
  const file = path.join(root, 'dist', out);
  const tmp = `${file}.${process.pid}.tmp`;
  require('esbuild').buildSync({ entryPoints: [path.join(root, entry)], outfile: tmp, bundle: true, legalComments: 'none', logLevel: 'warning', ...options });
  const problem = check(fs.readFileSync(tmp, 'utf8'));
  if (problem !== undefined) {
    fs.unlinkSync(tmp);
    throw new Error(`dist/${out}: ${problem}`);
  }
  fs.renameSync(tmp, file);
}

// Node bundles: whitespace and syntax only, so identifiers keep their names and --debug
// stack traces read.
const NODE = { platform: 'node', target: 'node20', format: 'cjs', minifyWhitespace: true, minifySyntax: true };

// The browser scripts, which our pages carry inline (render/assets.ts reads them): the HTML
// report's page (src/report/, with d3-force), the SVG's viewer (src/viewer/) and serve's
// pages. The report's tooltips come from the SVG writer's module, whose colours (never used
// by the page) load node:crypto on first use only.
const inline = (text) => (/<\/script|<!--/i.test(text) ? 'holds "</script" or "<!--": it cannot be inlined in a page' : undefined);
const BROWSER = { platform: 'browser', target: 'chrome100', format: 'iife', minify: true };
bundle('src/report/main.ts', 'report.js', { ...BROWSER, external: ['node:crypto'] }, inline);
bundle('src/viewer/main.ts', 'viewer.js', { ...BROWSER, target: 'es2020' }, inline);
bundle('src/serve/page-script.ts', 'pages.js', BROWSER, inline);
// flameprof serve's worker thread, which the server starts by file name.
bundle('src/serve/worker.ts', 'serve-worker.js', NODE);
// The CLI. yargs is more than half of it but only prints --help: left out, it is loaded
// from node_modules when --help asks for it.
bundle('src/cli.ts', 'cli.bundle.js', { ...NODE, external: ['yargs', 'yargs/*'], define: { FLAMEPROF_VERSION: JSON.stringify(pkg.version) } });
execFileSync(process.execPath, [path.join(root, 'scripts', 'code-cache.js')], { stdio: 'inherit' });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
