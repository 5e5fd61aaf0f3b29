#!/usr/bin/env node
'use strict';
// The CLI is bundled into one file by `npm run build` (run on install by `prepare`):
// loading one file instead of dozens is most of our start-up time.
const { main } = require('../dist/cli.bundle.js');

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => require('node:fs').readFileSync(0),
}).then((code) => {
  process.exitCode = code;
});
