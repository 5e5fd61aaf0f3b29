#!/usr/bin/env node
// Build: bundle the CLI into dist/cli.bundle.js with esbuild, so that `flameprof` starts
// fast, then type-check and emit the library (dist/*.js + .d.ts) with tsc.
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

const built = ['dist/cli.bundle.js', 'dist/index.d.ts', 'dist/report.js', 'dist/serve-worker.js'].map((f) => path.join(root, f));
const sources = ['src', 'package.json', 'tsconfig.json', 'scripts/build.js'].map((f) => path.join(root, f));
if (process.argv.includes('--if-stale') && built.every((f) => fs.existsSync(f))) {
  const oldest = Math.min(...built.map((f) => fs.statSync(f).mtimeMs));
  if (Math.max(...sources.map(newest)) < oldest) process.exit(0);
}

// Each bundle is written to a temporary name and renamed, so that tests spawning the CLI
// never see a half-written file.
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });

// The HTML report's page script (src/report/, with d3-force), which render/html.ts inlines
// into every report. It must hold nothing that ends its <script> element early.
const report = path.join(root, 'dist/report.js');
const reportTmp = `${report}.${process.pid}.tmp`;
require('esbuild').buildSync({
  entryPoints: [path.join(root, 'src/report/main.ts')],
  outfile: reportTmp,
  bundle: true,
  platform: 'browser',
  target: 'chrome100',
  format: 'iife',
  // The tooltips come from the SVG writer's module, whose colours (never used by the page)
  // load node:crypto on first use only.
  external: ['node:crypto'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
if (/<\/script|<!--/i.test(fs.readFileSync(reportTmp, 'utf8'))) {
  fs.unlinkSync(reportTmp);
  throw new Error('dist/report.js holds "</script" or "<!--": it cannot be inlined in the report');
}
fs.renameSync(reportTmp, report);

// flameprof serve's worker thread: its own bundle, which the server starts by file name.
const worker = path.join(root, 'dist/serve-worker.js');
const workerTmp = `${worker}.${process.pid}.tmp`;
require('esbuild').buildSync({
  entryPoints: [path.join(root, 'src/serve/worker.ts')],
  outfile: workerTmp,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
fs.renameSync(workerTmp, worker);

const bundle = path.join(root, 'dist/cli.bundle.js');
const tmp = `${bundle}.${process.pid}.tmp`;
require('esbuild').buildSync({
  entryPoints: [path.join(root, 'src/cli.ts')],
  outfile: tmp,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Whitespace and syntax only: identifiers keep their names, so --debug stack traces read.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  // yargs is more than half of the bundle but only prints --help: left out, it is loaded
  // from node_modules when --help asks for it.
  external: ['yargs', 'yargs/*'],
  define: { FLAMEPROF_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
fs.renameSync(tmp, bundle);
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
