#!/usr/bin/env node
'use strict';
// The CLI is bundled into one file by `npm run build` (run by `npm ci` through `prepare`):
// loading one file, not dozens of modules, is most of a short run's start-up.
const { main } = require('../dist/cli.bundle.js');

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => require('node:fs').readFileSync(0),
}).then((code) => {
  process.exitCode = code;
});
