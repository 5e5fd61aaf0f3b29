#!/usr/bin/env node
'use strict';
// The CLI is bundled into one file by `npm run build` (run on install by `prepare`), with a
// V8 code cache: loading one file, compiled already, is most of our start-up time.
const { main } = require('./load-bundle').loadBundle().exports;

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  readStdin: () => require('node:fs').readFileSync(0),
}).then((code) => {
  process.exitCode = code;
});
