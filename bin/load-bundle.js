'use strict';
// Loads the CLI's bundle (dist/cli.bundle.js) as `require` would, with the V8 code cache that
// the build made for it (dist/cli.bundle.cache) after a typical run: the functions a run
// needs then come compiled, not parsed and compiled as each is first called.
//
// The cache's first line is the size and modification time of the bundle it was made from:
// a cache for another bundle is not used. V8 itself rejects a cache from another V8 version or
// with other flags, and then compiles as usual.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const BUNDLE = path.join(__dirname, '..', 'dist', 'cli.bundle.js');
const CACHE = path.join(__dirname, '..', 'dist', 'cli.bundle.cache');

/** The line a cache for the bundle as it is now starts with. */
function stamp() {
  const st = fs.statSync(BUNDLE);
  return `${st.size} ${st.mtimeMs}\n`;
}

/** The cache's code if it was made for the bundle as it is now, else undefined. */
function readCache() {
  try {
    const bytes = fs.readFileSync(CACHE);
    const line = stamp();
    return bytes.toString('latin1', 0, line.length) === line ? bytes.subarray(line.length) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bundle's exports, the script (to make a cache from), and what became of the cache:
 * 'used', 'rejected' (by V8) or 'none'. `useCache: false` compiles from source.
 */
function loadBundle({ useCache = true } = {}) {
  const cachedData = useCache ? readCache() : undefined;
  const script = new vm.Script(Module.wrap(fs.readFileSync(BUNDLE, 'utf8')), { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: module.exports, script, cache };
}

module.exports = { loadBundle, stamp, CACHE };
