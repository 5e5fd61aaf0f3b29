/**
 * The WebAssembly frame writer (src/wasm/svg-frames.ts through src/render/svg-frames-wasm.ts)
 * must write exactly the bytes of the JavaScript one (src/render/svg-frames.ts), which the
 * reference tests hold to flameprof's own output. Every case renders both and compares bytes:
 * real dumps and sampled stacks at several geometries, names of every kind (escaping, wide
 * characters, surrogates, cut labels, SHA-1's padding at every label length), numbers off
 * the fast paths (which the module leaves to JavaScript), and chunk sizes down to one byte.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFrames, readProfile } from '../src/flameprof';
import type { Frame, FrameSet } from '../src/frames';
import { columnsOf } from '../src/frames';
import { isWide, layoutSections, sha1Share } from '../src/layout';
import { ByteWriter, type ChunkOptions } from '../src/render/bytes';
import { renderSvg, type SvgOptions } from '../src/render/svg';
import { FrameWriter } from '../src/render/svg-frames';
import { WasmFrameWriter } from '../src/render/svg-frames-wasm';
import { prng } from './helpers/prng';

const root = join(__dirname, '..');
const fixtures = join(__dirname, 'fixtures');

const GEOMETRIES: Array<Omit<SvgOptions, 'title'> & { threshold: number }> = [
  { width: 1200, rowHeight: 24, fontSize: 12, js: true, threshold: 0.1 },
  { width: 800, rowHeight: 16, fontSize: 10, js: false, threshold: 0.5 },
  { width: 1917, rowHeight: 13, fontSize: 7, js: true, threshold: 0.01 },
];

function bytes(frames: FrameSet, opts: SvgOptions, engine: 'wasm' | 'js', chunks: ChunkOptions = {}): Buffer {
  return Buffer.concat([...renderSvg(frames, opts, chunks, engine)].map((c) => Buffer.from(c)));
}

/** The two writers' outputs, compared as bytes (a failure shows where they part). */
function expectSame(frames: FrameSet, opts: SvgOptions, chunks: ChunkOptions = {}): void {
  const js = bytes(frames, opts, 'js');
  const wasm = bytes(frames, opts, 'wasm', chunks);
  if (!wasm.equals(js)) {
    let at = 0;
    while (wasm[at] === js[at]) at++;
    expect(wasm.subarray(Math.max(0, at - 200), at + 100).toString()).toBe(js.subarray(Math.max(0, at - 200), at + 100).toString());
  }
  expect(wasm.equals(js)).toBe(true);
}

/** Frames of a section written by a writer alone, with how many the module left to JavaScript. */
function writeSection(frames: FrameSet, opts: SvgOptions, engine: 'wasm' | 'js'): { out: Buffer; js: number } {
  const columns = columnsOf(frames);
  const layout = layoutSections(frames, opts, columns);
  const wasm = WasmFrameWriter.create(frames, opts, layout, 's', {});
  const writer = engine === 'wasm' ? wasm! : new FrameWriter(frames, opts, layout, 's');
  const w = new ByteWriter({ buffer: engine === 'wasm' ? wasm!.buffer : undefined, reuse: true });
  const out: Buffer[] = [];
  for (const list of [columns.flame, columns.inverted]) {
    for (let i = 0; i < list.length; ) {
      i = writer.writeFrames(w, list, i, list.length, list === columns.flame);
      if (w.full) out.push(Buffer.from(w.take()));
    }
  }
  out.push(Buffer.from(w.take()));
  return { out: Buffer.concat(out), js: engine === 'wasm' ? wasm!.framesLeftToJs : 0 };
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
  test.each(GEOMETRIES)('the same bytes from both writers at width $width, row $rowHeight, font $fontSize, threshold $threshold', (g) => {
    const frames = buildFrames(readProfile(readFileSync(file), file), { threshold: g.threshold });
    expectSame(frames, { ...g, title: file });
  });
});

test('the module writes every frame of real dumps itself, ties at the sixth digit included', () => {
  const opts: SvgOptions = { width: 1200, rowHeight: 24, fontSize: 12, js: true, title: 't' };
  let frames = 0;
  for (const file of dumps) {
    const set = buildFrames(readProfile(readFileSync(file), file), { threshold: 0.01 });
    const wasm = writeSection(set, opts, 'wasm');
    expect(wasm.out.equals(writeSection(set, opts, 'js').out)).toBe(true);
    // Times such as 0.006035205 tie at their sixth digit (~7 % of these frames): the module
    // decides them on the exact product rather than leaving them to toPrecision.
    expect([file, wasm.js]).toEqual([file, 0]);
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
  const wasm = writeSection(set, opts, 'wasm');
  expect(wasm.out.equals(writeSection(set, opts, 'js').out)).toBe(true);
  // The slow paths were taken (else this test proves nothing about them), but not for every frame.
  expect(wasm.js).toBeGreaterThan(100);
  expect(wasm.js).toBeLessThan(set.flame.length + set.inverted.length);
  // Sampled stacks: counts and their own words.
  expectSame({ ...set, unit: 'samples' }, opts);
});

test('chunks of any size, copied or reused, add up to the same bytes', () => {
  const file = join(fixtures, 'textproc.prof');
  const frames = buildFrames(readProfile(readFileSync(file), file), { threshold: 0.01 });
  const opts: SvgOptions = { ...GEOMETRIES[0], title: 't' };
  for (const chunkSize of [1, 7, 300, 4096]) {
    for (const reuse of [false, true]) {
      // A reused chunk is overwritten by the next: copied as it comes.
      const chunks: Buffer[] = [];
      for (const c of renderSvg(frames, opts, { chunkSize, reuse }, 'wasm')) chunks.push(Buffer.from(c));
      expect(Buffer.concat(chunks).equals(bytes(frames, opts, 'js'))).toBe(true);
    }
  }
});

test("the module's SHA-1 share is node:crypto's, and its isWide is layout's at every code unit", () => {
  const set = namedSet(['x'], prng(1));
  const layout = layoutSections(set, GEOMETRIES[0]);
  const wasm = WasmFrameWriter.create(set, { ...GEOMETRIES[0], title: 't' }, layout, 's', {})!;
  const rand = prng(11);
  const labels = ['', 'a', 'lone \ud800 surrogate', '\udc00', 'pair 😀', 'nonchar \uffff', 'CJK 漢字'];
  for (let n = 0; n < 200; n++) labels.push('é'.repeat(n % 7) + 'a'.repeat(n));
  for (let k = 0; k < 200; k++) {
    labels.push(Array.from({ length: Math.floor(rand() * 80) }, () => String.fromCharCode(Math.floor(rand() * 0x10000))).join(''));
  }
  // The scratch space fits the set's longest label and name: these are shorter.
  const long = namedSet(['y'.repeat(400)], prng(1));
  const wasmLong = WasmFrameWriter.create(long, { ...GEOMETRIES[0], title: 't' }, layoutSections(long, GEOMETRIES[0]), 's', {})!;
  for (const label of labels) expect(wasmLong.labelShare(label)).toBe(sha1Share(label));
  for (let c = 0; c < 0x10000; c++) {
    if (wasm.isWide(c) !== isWide(c)) expect([c, wasm.isWide(c)]).toEqual([c, isWide(c)]);
  }
});

test('without WebAssembly (node --jitless) the CLI writes the same SVG with JavaScript alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flameprof-jitless-'));
  const dump = join(fixtures, 'textproc.prof');
  const cli = join(root, 'bin', 'flameprof.js');
  execFileSync(process.execPath, [cli, '--threshold', '0.01', '-o', join(dir, 'wasm.svg'), dump], { stdio: 'pipe' });
  execFileSync(process.execPath, ['--jitless', cli, '--threshold', '0.01', '-o', join(dir, 'js.svg'), dump], { stdio: 'pipe' });
  const wasm = readFileSync(join(dir, 'wasm.svg'));
  expect(wasm.length).toBeGreaterThan(10000);
  expect(wasm.equals(readFileSync(join(dir, 'js.svg')))).toBe(true);
});
