#!/usr/bin/env node
// Build: type-check and emit the library (dist/*.js + .d.ts) with tsc, then bundle the CLI
// into dist/cli.bundle.js with esbuild so that `flameprof` starts fast.
'use strict';
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const root = path.join(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));

execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.json')], {
  stdio: 'inherit',
});
require('esbuild').buildSync({
  entryPoints: [path.join(root, 'src/cli.ts')],
  outfile: path.join(root, 'dist/cli.bundle.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  define: { FLAMEPROF_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});
