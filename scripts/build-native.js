#!/usr/bin/env node
// Build the optional native addon (src/native/*.c, binding.gyp: the frame writer and the
// write-behind thread) with node-gyp, against the headers of the Node that runs this. Run on
// install, and by scripts/build.js with --if-stale when a C source is newer than the addon.
// Never fails: where the addon cannot be built (no C compiler, no headers), the WebAssembly
// writer writes the same bytes and output is written synchronously.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const addon = path.join(root, 'build', 'Release', 'flameprof_native.node');
const sourceDir = path.join(root, 'src', 'native');
const newestSource = () => Math.max(...fs.readdirSync(sourceDir).map((f) => fs.statSync(path.join(sourceDir, f)).mtimeMs));

if (process.argv.includes('--if-stale') && fs.existsSync(addon) && fs.statSync(addon).mtimeMs >= newestSource()) {
  process.exit(0);
}
// An addon left from an older source must not outlive a failed build: it would write old bytes.
fs.rmSync(addon, { force: true });

// npm hands its own node-gyp to install scripts; run directly, use the copy that ships with
// this Node's npm.
const prefix = path.join(path.dirname(process.execPath), '..');
const gyp = process.env.npm_config_node_gyp || path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const args = [gyp, 'rebuild'];
// Headers installed with this Node: use them rather than download them.
if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);

const r = fs.existsSync(gyp) ? spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' }) : undefined;
if (r === undefined || r.status !== 0 || !fs.existsSync(addon)) {
  const why = r === undefined ? `no node-gyp at ${gyp}` : (`${r.stderr}`.split('\n').find((l) => /error/i.test(l)) ?? `node-gyp exited with ${r.status}`).trim();
  console.warn(`flameprof: native addon not built (${why.slice(0, 160)}); WebAssembly will write the frames`);
}
