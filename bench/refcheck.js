#!/usr/bin/env node
// Correctness gate for optimisations: every expected folded log must come out byte for byte.
// Run after `node scripts/build.js`: node bench/refcheck.js
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const fixtures = path.join(root, 'test/fixtures');
const expectedDir = path.join(fixtures, 'expected');
const SMALL = ['--width', '800', '--row-height', '16', '--font-size', '10', '--threshold', '0.5', '--log-mult', '1000'];

let bad = 0;
let n = 0;
for (const file of fs.readdirSync(expectedDir).filter((f) => f.endsWith('.log')).sort()) {
  const m = /^(.*?)(\.w800-rh16-fs10-t0\.5-m1000)?\.log$/.exec(file);
  const args = ['bin/flameprof.js', '--format', 'log', ...(m[2] ? SMALL : []), `test/fixtures/${m[1]}.prof`];
  const got = execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 28 });
  const want = fs.readFileSync(path.join(expectedDir, file));
  n++;
  if (!got.equals(want)) {
    bad++;
    console.log(`DIFF ${file}`);
  }
}
console.log(bad === 0 ? `refcheck: all ${n} logs identical` : `refcheck: ${bad} of ${n} logs differ`);
process.exitCode = bad === 0 ? 0 : 1;
