'use strict';
/**
 * Decode + estimate of one dump, cold (the first time in this fresh process) and warm (the
 * fastest of ten more), in milliseconds, as JSON on stdout: `node bench/stages.js DUMP`.
 * The bench runs it in several fresh processes (issue 17: cold within 2x of warm).
 */
const { readFileSync } = require('node:fs');
const { readProfile, buildFrames } = require('../dist/index.js');

const path = process.argv[2];
const bytes = readFileSync(path);
const once = () => {
  const t0 = process.hrtime.bigint();
  buildFrames(readProfile(bytes, path));
  return Number(process.hrtime.bigint() - t0) / 1e6;
};
const cold = once();
let warm = Infinity;
for (let i = 0; i < 10; i++) warm = Math.min(warm, once());
process.stdout.write(JSON.stringify({ cold, warm }) + '\n');
