#!/usr/bin/env node
// Make dist/cli.bundle.cache (see bin/load-bundle.js): run the CLI's bundle on a bundled
// sample, to an SVG and to a folded log, then save V8's code for every function compiled on
// the way. scripts/build.js runs it after each bundle.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { loadBundle, stamp, CACHE } = require('../bin/load-bundle');

async function make() {
  const { exports: cli, script } = loadBundle({ useCache: false });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flameprof-cache-'));
  const sample = path.join(__dirname, '..', 'samples', 'pipeline.prof');
  const sink = { write: () => true };
  try {
    for (const args of [['-o', path.join(dir, 'run.svg'), sample], ['--format=log', '-o', path.join(dir, 'run.log'), sample]]) {
      const code = await cli.main(args, { stdout: sink, stderr: sink, stdin: () => (async function* () {})() });
      if (code !== 0) throw new Error(`flameprof ${args.join(' ')} exited with ${code}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const tmp = `${CACHE}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([Buffer.from(stamp(), 'latin1'), script.createCachedData()]));
  fs.renameSync(tmp, CACHE);
}

make().catch((err) => {
  console.error(`code-cache: ${err.message}`);
  process.exitCode = 1;
});
