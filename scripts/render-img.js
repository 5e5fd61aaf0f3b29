#!/usr/bin/env node
// Render the README's pictures, img/NAME.svg, from the committed sample dumps
// samples/NAME.prof with our own CLI, exactly as a user would run it. Builds first, so the
// pictures always show the current renderer. (The dumps themselves come from
// samples/regenerate.sh, which needs Python; this script does not.)
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const SAMPLES = ['pipeline', 'shared'];

execFileSync(process.execPath, [path.join(root, 'scripts/build.js')], { cwd: root, stdio: 'inherit' });
fs.mkdirSync(path.join(root, 'img'), { recursive: true });
for (const name of SAMPLES) {
  const out = `img/${name}.svg`;
  // Relative paths from the repository root: the SVG's default title is the input's name.
  execFileSync(process.execPath, ['bin/flameprof.js', '-o', out, `samples/${name}.prof`], { cwd: root, stdio: 'inherit' });
  console.log(`${out} (${fs.statSync(path.join(root, out)).size} bytes)`);
}
