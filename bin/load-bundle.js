'use strict';
// Loads the CLI's bundle (dist/cli.bundle.js) the way `require` would, but with the V8 code
// cache that `npm run build` made for it (dist/cli.bundle.cache) after a typical run: the
// functions that every run needs come compiled, not parsed and compiled as they are first
// called. bench/run.js measures what it saves: ~4 ms of start-up, ~9 ms of a 10 MB render.
//
// The cache is used only for the bundle it was made from: its first 40 bytes are the bundle's
// build id (the SHA-1 that the build wrote on the bundle's first line). V8 itself rejects a
// cache made by another V8 or with other flags (node --jitless, say), and compiles as usual.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const BUNDLE = path.join(__dirname, '..', 'dist', 'cli.bundle.js');
const CACHE = path.join(__dirname, '..', 'dist', 'cli.bundle.cache');
/** The bundle's first line: this, then the build id. */
const ID_PREFIX = '// flameprof build ';
const ID_LENGTH = 40;

/** The build id on the bundle's first line, or undefined. */
function buildId(source) {
  return source.startsWith(ID_PREFIX) ? source.slice(ID_PREFIX.length, ID_PREFIX.length + ID_LENGTH) : undefined;
}

/** The cache for the bundle with this id, or undefined. */
function readCache(id) {
  let bytes;
  try {
    bytes = fs.readFileSync(CACHE);
  } catch {
    return undefined;
  }
  return id !== undefined && bytes.length > ID_LENGTH && bytes.toString('latin1', 0, ID_LENGTH) === id ? bytes.subarray(ID_LENGTH) : undefined;
}

/**
 * The bundle's exports, and what became of the cache: 'used', 'rejected' (by V8), or 'none'
 * (missing, or made for another bundle). `useCache: false` compiles from source (to make one).
 */
function loadBundle({ useCache = true } = {}) {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  const cachedData = useCache ? readCache(buildId(source)) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, Module.createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  return { exports: module.exports, cache, script, id: buildId(source) };
}

module.exports = { loadBundle, BUNDLE, CACHE, ID_PREFIX };
