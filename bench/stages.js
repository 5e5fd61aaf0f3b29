'use strict';
/**
 * One measured pipeline run in a fresh process (so every case starts as cold as the CLI
 * does), stage by stage, with the code the CLI runs: its bundle, loaded as bin/flameprof.js
 * loads it (with the code cache that the build made). Prints one JSON line.
 *
 *   node bench/stages.js FILE THRESHOLD FORMAT OUTFILE [--stages decode,estimate] [--reps N]
 *
 * render and write interleave, as in the CLI's -o (with its ChunkWriter): the time spent in
 * the renderer's generator counts as render, the time handing chunks to the writer and
 * waiting for it as write (with the addon's write-behind thread, only what the render did not
 * hide). The baseline is one fs.writeFileSync of a string of the same length to a new file,
 * best of three.
 */
const fs = require('node:fs');
const path = require('node:path');

const { loadBundle } = require('../bin/load-bundle');

const bundle = loadBundle();
const { readPstats, buildFrames, render, ChunkWriter } = bundle.exports;

const [file, thresholdArg, format, outFile, ...rest] = process.argv.slice(2);
const threshold = Number(thresholdArg);
const opt = (name, dflt) => {
  const i = rest.indexOf(name);
  return i >= 0 ? rest[i + 1] : dflt;
};
const onlyFront = opt('--stages', 'all') === 'decode,estimate';
const reps = Number(opt('--reps', '1'));

const now = () => Number(process.hrtime.bigint()) / 1e6;

function once() {
  const t = {};
  let t0 = now();
  const bytes = fs.readFileSync(file);
  t.read = now() - t0;
  t0 = now();
  const profile = readPstats(bytes);
  t.decode = now() - t0;
  t0 = now();
  const frames = buildFrames(profile, { threshold });
  t.estimate = now() - t0;
  // From the columns: `frames.flame` would make an object per frame, as the CLI never does,
  // and the garbage collector would then run during the render (a major GC half the time).
  t.frames = frames.columns.flame.length + frames.columns.inverted.length;
  t.inputBytes = bytes.length;
  if (onlyFront) return t;

  t.render = 0;
  t.write = 0;
  let outBytes = 0;
  const t0w = now();
  const fd = fs.openSync(outFile, 'w');
  // Its thread starts here (and the addon may load here): part of the write.
  const out = new ChunkWriter(fd);
  t.write += now() - t0w;
  t.behind = out.behind;
  const it = render(frames, { threshold, format }, path.basename(file), out.chunks)[Symbol.iterator]();
  for (;;) {
    const a = now();
    const r = it.next();
    const b = now();
    t.render += b - a;
    if (r.done) break;
    outBytes += r.value.length;
    out.write(r.value);
    t.write += now() - b;
  }
  const c = now();
  out.finish();
  fs.closeSync(fd);
  t.write += now() - c;
  t.outBytes = outBytes;

  // The same number of bytes, written the simplest way there is. Every write goes to a new
  // file and no file is removed before the end: writing into pages just freed by a deleted
  // file is several times faster than into new ones, and our output had new ones.
  const same = 'x'.repeat(outBytes);
  t.baselineWrite = Infinity;
  const written = [outFile];
  for (let i = 0; i < 3; i++) {
    const file = `${outFile}.base${i}`;
    const a = now();
    fs.writeFileSync(file, same);
    t.baselineWrite = Math.min(t.baselineWrite, now() - a);
    written.push(file);
  }
  for (const file of written) fs.unlinkSync(file);
  return t;
}

let best;
for (let i = 0; i < reps; i++) {
  const t = once();
  if (best === undefined) best = t;
  else for (const k of Object.keys(t)) if (typeof t[k] === 'number') best[k] = Math.min(best[k], t[k]);
}
best.maxRssMB = process.resourceUsage().maxRSS / 1024;
best.codeCache = bundle.cache;
process.stdout.write(JSON.stringify(best) + '\n');
