#!/usr/bin/env node
'use strict';
// The CLI is bundled into one file by `npm run build` (run by `npm ci` through `prepare`),
// with a V8 code cache for it (bin/load-bundle.js).
const { main } = require('./load-bundle').loadBundle().exports;

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: () => process.stdin,
}).then((code) => {
  process.exitCode = code;
});
