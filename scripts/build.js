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

const built = [path.join(root, 'dist/cli.bundle.js'), path.join(root, 'dist/index.d.ts')];
const sources = ['src', 'package.json', 'tsconfig.json', 'scripts/build.js'].map((f) => path.join(root, f));
if (process.argv.includes('--if-stale') && built.every((f) => fs.existsSync(f))) {
  const oldest = Math.min(...built.map((f) => fs.statSync(f).mtimeMs));
  if (Math.max(...sources.map(newest)) < oldest) process.exit(0);
}

// Written to a temporary name and renamed, so that tests spawning the CLI never see a
// half-written file.
const bundle = path.join(root, 'dist/cli.bundle.js');
const tmp = `${bundle}.${process.pid}.tmp`;
fs.mkdirSync(path.dirname(bundle), { recursive: true });
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
