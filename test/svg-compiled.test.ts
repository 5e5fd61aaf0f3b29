/**
 * The compiled frame writers, native (src/native/svg-frames.c) and WebAssembly
 * (src/wasm/svg-frames.ts), both driven by src/render/svg-frames-compiled.ts, must write
 * exactly the bytes of the JavaScript one (src/render/svg-frames.ts), which the reference
 * tests hold to flameprof's own output. Every case renders all three and compares bytes:
 * real dumps and sampled stacks at several geometries, names of every kind (escaping, wide
 * characters, surrogates, cut labels, SHA-1's padding at every label length), numbers off
 * the fast paths (which the module leaves to JavaScript), and chunk sizes down to one byte.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFrames, readProfile } from '../src/flameprof';
import type { Frame, FrameSet } from '../src/frames';
import { columnsOf } from '../src/frames';
import { isWide, layoutSections, sha1Share } from '../src/layout';
import { ByteWriter, type ChunkOptions } from '../src/render/bytes';
import { renderSvg, type FrameEngine, type SvgOptions } from '../src/render/svg';
import { FrameWriter } from '../src/render/svg-frames';
import { CompiledFrameWriter, engineAvailable, type CompiledEngine } from '../src/render/svg-frames-compiled';
import { prng } from './helpers/prng';

const root = join(__dirname, '..');
const fixtures = join(__dirname, 'fixtures');

const GEOMETRIES: Array<Omit<SvgOptions, 'title'> & { threshold: number }> = [
  { width: 1200, rowHeight: 24, fontSize: 12, js: true, threshold: 0.1 },
  { width: 800, rowHeight: 16, fontSize: 10, js: false, threshold: 0.5 },
  { width: 1917, rowHeight: 13, fontSize: 7, js: true, threshold: 0.01 },
];

const COMPILED: CompiledEngine[] = ['native', 'wasm'];

function bytes(frames: FrameSet, opts: SvgOptions, engine: FrameEngine, chunks: ChunkOptions = {}): Buffer {
  return Buffer.concat([...renderSvg(frames, opts, chunks, engine)].map((c) => Buffer.from(c)));
}

/** Each compiled writer's output against JavaScript's, as bytes (a failure shows where they part). */
function expectSame(frames: FrameSet, opts: SvgOptions, chunks: ChunkOptions = {}): void {
  const js = bytes(frames, opts, 'js');
  for (const engine of COMPILED) {
    const out = bytes(frames, opts, engine, chunks);
    if (!out.equals(js)) {
      let at = 0;
      while (out[at] === js[at]) at++;
      expect([engine, out.subarray(Math.max(0, at - 200), at + 100).toString()]).toEqual([engine, js.subarray(Math.max(0, at - 200), at + 100).toString()]);
    }
    expect([engine, out.equals(js)]).toEqual([engine, true]);
  }
}

/** A compiled writer of the engine asked for, and no other. */
function compiled(frames: FrameSet, opts: SvgOptions, layout = layoutSections(frames, opts), engine: CompiledEngine): CompiledFrameWriter {
  const writer = CompiledFrameWriter.create(frames, opts, layout, 's', {}, engine)!;
  expect(writer.engine).toBe(engine);
  return writer;
}

/** Frames of a section written by a writer alone, with how many the compiled code left to JavaScript. */
function writeSection(frames: FrameSet, opts: SvgOptions, engine: FrameEngine): { out: Buffer; js: number } {
  const columns = columnsOf(frames);
  const layout = layoutSections(frames, opts, columns);
  const code = engine === 'js' ? undefined : compiled(frames, opts, layout, engine);
  const writer = code ?? new FrameWriter(frames, opts, layout, 's');
  const w = new ByteWriter({ buffer: code?.buffer, reuse: true });
  const out: Buffer[] = [];
  for (const list of [columns.flame, columns.inverted]) {
    for (let i = 0; i < list.length; ) {
      i = writer.writeFrames(w, list, i, list.length, list === columns.flame);
      if (w.full) out.push(Buffer.from(w.take()));
    }
  }
  out.push(Buffer.from(w.take()));
  return { out: Buffer.concat(out), js: code?.framesLeftToJs ?? 0 };
}

const dumps = [
  ...readdirSync(fixtures)
    .filter((f) => f.endsWith('.prof'))
    .map((f) => join(fixtures, f)),
  ...readdirSync(join(root, 'samples'))
    .filter((f) => f.endsWith('.prof'))
    .map((f) => join(root, 'samples', f)),
  join(fixtures, 'sampled', 'plopload.plop'),
  join(fixtures, 'sampled', 'plopload.flame'),
];

describe.each(dumps)('%s', (file) => {
  test.each(GEOMETRIES)('the same bytes from every writer at width $width, row $rowHeight, font $fontSize, threshold $threshold', (g) => {
    const frames = buildFrames(readProfile(readFileSync(file), file), { threshold: g.threshold });
    expectSame(frames, { ...g, title: file });
  });
});

test('the native addon is built here and loads (npm install builds it where a C compiler is)', () => {
  expect(engineAvailable('native')).toBe(true);
  expect(engineAvailable('wasm')).toBe(true);
  const set = namedSet(['x'], prng(1));
  expect(CompiledFrameWriter.create(set, { ...GEOMETRIES[0], title: 't' }, layoutSections(set, GEOMETRIES[0]), 's', {})!.engine).toBe('native');
});

test.each(COMPILED)('%s writes every frame of real dumps itself, ties at the sixth digit included', (engine) => {
  const opts: SvgOptions = { width: 1200, rowHeight: 24, fontSize: 12, js: true, title: 't' };
  let frames = 0;
  for (const file of dumps) {
    const set = buildFrames(readProfile(readFileSync(file), file), { threshold: 0.01 });
    const code = writeSection(set, opts, engine);
    expect(code.out.equals(writeSection(set, opts, 'js').out)).toBe(true);
    // Times such as 0.006035205 tie at their sixth digit (~7 % of these frames): compiled
    // code decides them on the exact product rather than leaving them to toPrecision.
    expect([file, code.js]).toEqual([file, 0]);
    frames += set.flame.length + set.inverted.length;
  }
  expect(frames).toBeGreaterThan(10000);
});

/** A hand-made set: one function per name, frames of random widths on five levels. */
function namedSet(names: string[], rand: () => number, perName = 6): FrameSet {
  const flame: Frame[] = [];
  const total = 1000;
  names.forEach((_, func) => {
    for (let k = 0; k < perName; k++) {
      const w = total * rand() ** 3;
      const t = (w * rand()) / 1000;
      flame.push({ level: (func + k) % 5, x: (total - w) * rand(), w, func, color: 'normal', cc: 1 + k, nc: 2 + k, tt: t, ct: w / 1000, self: t });
    }
  });
  return {
    funcs: names.map((name, i) => ({ key: { file: `f${i}.py`, line: i, name }, label: `f${i}.py:${i}:${name}` })),
    flame,
    inverted: flame.map((f) => ({ ...f, color: f.level === 0 ? 'calleeless' : 'caller' })),
    total,
    unit: 'seconds',
    warnings: [],
  };
}

test('names of every kind: escaped, wide, astral, lone surrogates, holding ":", cut to fit, and labels of every length', () => {
  const rand = prng(7);
  const names = [
    '</script><script>alert(1)</script>',
    'a & b &amp; "q" \'s\' <tag>',
    'ctrl \u0001\u001f tab\t nl\n cr\r',
    'lone \ud800 high, \udc00 low, end \ud83d',
    'emoji 😀🔥👩‍💻 astral',
    'CJK 漢字テスト 한국어 ｗｉｄｅ',
    'nonchars \ufffe \uffff and \ufffd itself',
    'é accents ü and ß',
    'module:Class.method:inner',
    '',
    ':',
    'x'.repeat(300),
    // Longer than the output buffer's slack: the writer outgrows its memory for these.
    'long '.repeat(5000),
  ];
  // Labels `fN.py:N:` plus the name cross SHA-1's block and padding edges (55, 56, 63, 64, 119, 120 bytes).
  for (let n = 40; n <= 130; n++) names.push('n'.repeat(n));
  for (let k = 0; k < 40; k++) {
    names.push(Array.from({ length: 1 + Math.floor(rand() * 30) }, () => String.fromCharCode(Math.floor(rand() * 0x10000))).join(''));
  }
  const set = namedSet(names, rand);
  for (const g of GEOMETRIES) expectSame(set, { ...g, title: 'names' });
  // A library user's labels need not end with the name (the module then finds the name apart).
  const relabelled: FrameSet = { ...set, funcs: set.funcs.map((f, i) => ({ key: f.key, label: i % 2 ? `#${i} ${f.key.name} (own label)` : f.label })) };
  for (const g of GEOMETRIES) expectSame(relabelled, { ...g, title: 'relabelled' });
});

test('numbers off the fast paths are left to JavaScript, and come out the same', () => {
  const rand = prng(3);
  const hard = [0, -0, 1, 0.5, 1.5, 2.5e-7, 1e-15, 9.99999e-16, 4.5e-20, 999999.5, 999999.4, 1e6, 123456.5, 1e300, -3, -0.25, 2 ** 31, 2 ** 53, NaN, Infinity, 1 / 3];
  const flame: Frame[] = [];
  for (let i = 0; i < 3000; i++) {
    const pick = (): number => (rand() < 0.5 ? hard[Math.floor(rand() * hard.length)] : rand() * 10 ** (Math.floor(rand() * 20) - 12));
    const ct = pick();
    flame.push({ level: i % 7, x: rand() * 100, w: rand() < 0.1 ? 0.005 * Math.floor(rand() * 4) : rand() * 100, func: i % 3, color: i % 4 === 0 ? 'guessed' : 'normal', cc: pick(), nc: pick(), tt: pick(), ct, self: 0 });
  }
  // Percentages at ties of their last digit (x.xx5 %), which Python rounds on the exact value.
  for (let k = 0; k < 200; k++) flame.push({ level: 1, x: 0, w: 10, func: 0, color: 'normal', cc: 1, nc: 1, tt: 0, ct: (2 * k + 1) * 0.005, self: 0 });
  const set: FrameSet = {
    funcs: ['a', 'b', 'c'].map((name, i) => ({ key: { file: 'x.py', line: i, name }, label: `x.py:${i}:${name}` })),
    flame,
    inverted: flame.map((f) => ({ ...f, color: 'caller' })),
    total: 100,
    unit: 'seconds',
    warnings: [],
  };
  for (const g of GEOMETRIES) expectSame(set, { ...g, title: 'numbers' });
  const opts: SvgOptions = { ...GEOMETRIES[0], title: 'n' };
  const js = writeSection(set, opts, 'js').out;
  for (const engine of COMPILED) {
    const code = writeSection(set, opts, engine);
    expect(code.out.equals(js)).toBe(true);
    // The slow paths were taken (else this test proves nothing about them), but not for every frame.
    expect(code.js).toBeGreaterThan(100);
    expect(code.js).toBeLessThan(set.flame.length + set.inverted.length);
  }
  // Sampled stacks: counts and their own words.
  expectSame({ ...set, unit: 'samples' }, opts);
});

test('chunks of any size, copied or reused, add up to the same bytes', () => {
  const file = join(fixtures, 'textproc.prof');
  const frames = buildFrames(readProfile(readFileSync(file), file), { threshold: 0.01 });
  const opts: SvgOptions = { ...GEOMETRIES[0], title: 't' };
  const js = bytes(frames, opts, 'js');
  for (const engine of COMPILED) {
    for (const chunkSize of [1, 7, 300, 4096]) {
      for (const reuse of [false, true, 3]) {
        // A reused chunk is overwritten by the next (with reuse: 3, the third after it): copied as it comes.
        const chunks: Buffer[] = [];
        for (const c of renderSvg(frames, opts, { chunkSize, reuse }, engine)) chunks.push(Buffer.from(c));
        expect([engine, chunkSize, reuse, Buffer.concat(chunks).equals(js)]).toEqual([engine, chunkSize, reuse, true]);
      }
    }
  }
});

test.each(COMPILED)("%s: the SHA-1 share is node:crypto's, and isWide is layout's at every code unit", (engine) => {
  const set = namedSet(['x'], prng(1));
  const code = compiled(set, { ...GEOMETRIES[0], title: 't' }, undefined, engine);
  const rand = prng(11);
  const labels = ['', 'a', 'lone \ud800 surrogate', '\udc00', 'pair 😀', 'nonchar \uffff', 'CJK 漢字'];
  for (let n = 0; n < 200; n++) labels.push('é'.repeat(n % 7) + 'a'.repeat(n));
  for (let k = 0; k < 200; k++) {
    labels.push(Array.from({ length: Math.floor(rand() * 80) }, () => String.fromCharCode(Math.floor(rand() * 0x10000))).join(''));
  }
  // The scratch space fits the set's longest label and name: these are shorter.
  const long = namedSet(['y'.repeat(400)], prng(1));
  const codeLong = compiled(long, { ...GEOMETRIES[0], title: 't' }, undefined, engine);
  for (const label of labels) expect(codeLong.labelShare(label)).toBe(sha1Share(label));
  for (let c = 0; c < 0x10000; c++) {
    if (code.isWide(c) !== isWide(c)) expect([c, code.isWide(c)]).toEqual([c, isWide(c)]);
  }
});

test('renders that take turns keep their own state in the native writer', () => {
  // Two generators advanced in turn: the addon's statics are reloaded from each one's memory.
  const file = join(fixtures, 'textproc.prof');
  const a = buildFrames(readProfile(readFileSync(file), file), { threshold: 0.01 });
  const b = namedSet(['p', 'q <&>', 'r'.repeat(50)], prng(5), 400);
  const opts: SvgOptions = { ...GEOMETRIES[0], title: 't' };
  const its = [a, b].map((set) => renderSvg(set, opts, { chunkSize: 4096 }, 'native')[Symbol.iterator]());
  const outs: Buffer[][] = [[], []];
  for (let live = 2; live > 0; ) {
    live = 0;
    its.forEach((it, k) => {
      const r = it.next();
      if (!r.done) {
        outs[k].push(Buffer.from(r.value));
        live++;
      }
    });
  }
  expect(outs[0].length).toBeGreaterThan(10);
  expect(Buffer.concat(outs[0]).equals(bytes(a, opts, 'js'))).toBe(true);
  expect(Buffer.concat(outs[1]).equals(bytes(b, opts, 'js'))).toBe(true);
});

test('the CLI writes the same SVG with the addon, without it (WebAssembly), and without either (node --jitless)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flameprof-engines-'));
  const dump = join(fixtures, 'textproc.prof');
  const cli = join(root, 'bin', 'flameprof.js');
  const run = (name: string, node: string[], env: NodeJS.ProcessEnv): Buffer => {
    execFileSync(process.execPath, [...node, cli, '--threshold', '0.01', '-o', join(dir, name), dump], { stdio: 'pipe', env: { ...process.env, ...env } });
    return readFileSync(join(dir, name));
  };
  const native = run('native.svg', [], {});
  expect(native.length).toBeGreaterThan(10000);
  expect(run('wasm.svg', [], { FLAMEPROF_NO_NATIVE: '1' }).equals(native)).toBe(true);
  expect(run('js.svg', ['--jitless'], { FLAMEPROF_NO_NATIVE: '1' }).equals(native)).toBe(true);
  // The addon needs no WebAssembly.
  expect(run('jitless-native.svg', ['--jitless'], {}).equals(native)).toBe(true);
});

test('worker threads write with WebAssembly, not the addon, whose state is one thread\'s', async () => {
  const { Worker } = await import('node:worker_threads');
  // The built library: a worker cannot load TypeScript.
  const dist = join(root, 'dist', 'render', 'svg-frames-compiled.js');
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const { engineAvailable } = require(${JSON.stringify(dist)});
     parentPort.postMessage([engineAvailable('native'), engineAvailable('wasm')]);`,
    { eval: true },
  );
  const answer = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  expect(answer).toEqual([false, true]);
});

test('an install that cannot build the addon still succeeds, says so in one line, and leaves no old addon', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flameprof-native-'));
  mkdirSync(join(dir, 'scripts'));
  mkdirSync(join(dir, 'src', 'native'), { recursive: true });
  mkdirSync(join(dir, 'build', 'Release'), { recursive: true });
  copyFileSync(join(root, 'scripts', 'build-native.js'), join(dir, 'scripts', 'build-native.js'));
  for (const f of readdirSync(join(root, 'src', 'native'))) copyFileSync(join(root, 'src', 'native', f), join(dir, 'src', 'native', f));
  // An addon from an older source, which a failed build must not leave behind.
  const old = join(dir, 'build', 'Release', 'flameprof_native.node');
  writeFileSync(old, 'old');
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.js')], {
    encoding: 'utf8',
    env: { ...process.env, npm_config_node_gyp: join(dir, 'no-node-gyp.js') },
  });
  expect(r.status).toBe(0);
  expect(r.stderr).toBe(`flameprof: native addon not built (no node-gyp at ${join(dir, 'no-node-gyp.js')}); WebAssembly will write the frames\n`);
  expect(existsSync(old)).toBe(false);
});
