/**
 * The byte writers under the renderers: numbers as the plain conversions write them,
 * text as UTF-8, chunks that are the caller's to keep unless asked otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFrames, render, renderToString } from '../src/flameprof';
import type { Frame, FrameSet } from '../src/frames';
import { readPstats } from '../src/load/pstats';
import { formatInt, roundHalfEven } from '../src/pynum';
import { ByteWriter, DECIMALS, bufferSize, decodeChunks, fragment, putFixed, putFragment, putFragmentPrefix, putNumber, putPadded, utf8 } from '../src/render/bytes';
import { nativeAddon } from '../src/native/addon';
import { renderLog } from '../src/render/log';
import { prng as rng } from './helpers/prng';

/** What a put function writes, as text. */
function written(put: (dv: DataView, pos: number) => number): string {
  const buf = new Uint8Array(512);
  const end = put(new DataView(buf.buffer), 3);
  return Buffer.from(buf.subarray(3, end)).toString('latin1');
}


test('putNumber writes what String() writes', () => {
  const rand = rng(1);
  const values = [0, -0, 1, 9, 10, 99, 100, 101, 999999, 1000000, 2 ** 31 - 1, 2 ** 31, 2 ** 53, 1e21, -1, -5, 0.5, 1.25, NaN, Infinity, -Infinity];
  for (let i = 0; i < 2000; i++) values.push(Math.floor(rand() * 10 ** Math.floor(rand() * 12)));
  for (const v of values) expect(written((dv, pos) => putNumber(dv, pos, v))).toBe(String(v));
});

test('putPadded writes exactly `width` digits, zero-padded, by fours, twos and ones', () => {
  const rand = rng(3);
  for (let width = 0; width <= 10; width++) {
    const values = [0, 1, 9, 10, 99, 100, 9999, 10000, 10001, 99999999, 100000000];
    for (let i = 0; i < 300; i++) values.push(Math.floor(rand() * 10 ** Math.floor(rand() * 11)));
    for (const n of values.filter((v) => v < 2 ** 31 && String(v).length <= width)) {
      expect(written((dv, pos) => putPadded(dv, pos, n, width))).toBe(width === 0 ? '' : String(n).padStart(width, '0'));
    }
  }
});

test('putFixed: plain decimals within 5e-10 of the value, no trailing zeros, exact for integers', () => {
  const rand = rng(2);
  const values = [0, 1, 4, 12.5, 0.1, 0.3, 1 / 3, 2 / 3, 1199.9999999999, 1199.99999999951, 0.0000000004, 0.0000000006, 1e-300, 5e-324, 2 ** 31 - 2];
  for (let i = 0; i < 5000; i++) values.push(rand() * 10 ** Math.floor(rand() * 8 - 2));
  for (let i = 0; i < 1000; i++) values.push(Math.floor(rand() * 5000) * 0.5);
  const bad: unknown[] = [];
  for (const v of values) {
    const s = written((dv, pos) => putFixed(dv, pos, v));
    const ok = /^(0|[1-9]\d*)(\.\d*[1-9])?$/.test(s) && Math.abs(Number(s) - v) <= 0.5 * 10 ** -DECIMALS * (1 + 1e-6) && (!Number.isInteger(v) || s === String(v));
    if (!ok) bad.push({ v, s });
  }
  expect(bad).toEqual([]);
});

test('putFixed writes what it cannot scale as String() does', () => {
  for (const v of [-1, -0.5, 2 ** 31, 1e300, NaN, Infinity, -Infinity]) expect(written((dv, pos) => putFixed(dv, pos, v))).toBe(String(v));
});

test('fragments are the UTF-8 of their text, whole or cut, at any length and alignment', () => {
  const texts = ['', 'a', 'ab', 'abc', 'abcd', 'abcde', 'é', 'aé', '漢字', '😀', 'x😀y', '\ud800', 'a\udc00b', '<g class="f" data-l="'];
  for (const t of texts) {
    const want = Buffer.from(t, 'utf8');
    for (const at of [0, 1, 2, 3, 5]) {
      const buf = new Uint8Array(64).fill(0x5a);
      const dv = new DataView(buf.buffer);
      const f = fragment(t);
      expect(f.length).toBe(want.length);
      expect(putFragment(dv, at, f)).toBe(at + want.length);
      expect(Buffer.from(buf.subarray(at, at + want.length)).equals(want)).toBe(true);
      // Nothing before the fragment is touched.
      expect([...buf.subarray(0, at)].every((b) => b === 0x5a)).toBe(true);
      for (let n = 0; n <= want.length; n++) {
        const end = putFragmentPrefix(dv, at, f, n);
        expect(end).toBe(at + n);
        expect(Buffer.from(buf.subarray(at, end)).equals(want.subarray(0, n))).toBe(true);
      }
    }
  }
});

test('a ByteWriter hands out copies, or one reused buffer when asked, and grows for outsized writes', () => {
  const text = 'x'.repeat(100) + 'é'.repeat(100);
  const run = (reuse: boolean): Uint8Array[] => {
    const w = new ByteWriter({ chunkSize: 64, reuse });
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < 5; i++) {
      w.text(`${i}:${text}|`);
      w.bytes(utf8('<'.repeat(20000)));
      if (w.full) chunks.push(w.take());
    }
    chunks.push(w.take());
    return chunks;
  };
  const copies = run(false);
  const want = Array.from({ length: 5 }, (_, i) => `${i}:${text}|${'<'.repeat(20000)}`).join('');
  expect(decodeChunks(copies)).toBe(want);
  expect(new Set(copies.map((c) => c.buffer)).size).toBe(copies.length);
  // Views, not copies: each chunk must be used before the next is taken.
  const views = run(true);
  expect(views.length).toBeGreaterThan(1);
  expect(decodeChunks(views.map((v) => Uint8Array.from(v)))).toBe(want);
});

test('a ByteWriter reuses its home buffer, and goes back to it once an outsized chunk is handed out', () => {
  const home = new Uint8Array(bufferSize({ chunkSize: 64 }));
  const w = new ByteWriter({ chunkSize: 64, reuse: true, buffer: home });
  w.text('small');
  const first = w.take();
  expect(first.buffer).toBe(home.buffer);
  expect(Buffer.from(home.subarray(0, 5)).toString()).toBe('small');
  w.bytes(utf8('<'.repeat(100000)));
  expect(w.buf).not.toBe(home);
  const big = w.take();
  expect(big.length).toBe(100000);
  expect(big.buffer).not.toBe(home.buffer);
  expect([w.buf.buffer, w.buf.byteOffset]).toEqual([home.buffer, 0]);
  w.text('again');
  expect(w.take().buffer).toBe(home.buffer);
  expect(() => new ByteWriter({ chunkSize: 64, buffer: new Uint8Array(64) })).toThrow(RangeError);
});

test('with reuse: n, a ByteWriter takes turns in n areas of its buffer, an outsized chunk taking one turn', () => {
  const area = bufferSize({ chunkSize: 64 });
  expect(bufferSize({ chunkSize: 64, reuse: 3 })).toBe(3 * area);
  const home = new Uint8Array(bufferSize({ chunkSize: 64, reuse: 3 }));
  const w = new ByteWriter({ chunkSize: 64, reuse: 3, buffer: home });
  const offsets: number[] = [];
  const texts: string[] = [];
  for (const text of ['a', 'b', 'c', 'd', '<'.repeat(100000), 'f', 'g']) {
    w.text(text);
    const c = w.take();
    offsets.push(c.buffer === home.buffer ? c.byteOffset : -1);
    texts.push(Buffer.from(c).toString());
  }
  expect(offsets).toEqual([0, area, 2 * area, 0, -1, 2 * area, 0]);
  expect(texts.join('')).toBe('abcd' + '<'.repeat(100000) + 'fg');
  // Each area still holds the last chunk that took its turn there (the outsized one took area 1's).
  expect(String.fromCharCode(home[0], home[area], home[2 * area])).toBe('gbf');
  expect(() => new ByteWriter({ chunkSize: 64, reuse: 3, buffer: new Uint8Array(2 * area) })).toThrow(RangeError);
});

test('decodeChunks joins characters split across chunks', () => {
  const bytes = Buffer.from('a😀béc漢', 'utf8');
  const chunks = [...bytes].map((b) => Uint8Array.of(b));
  expect(decodeChunks(chunks)).toBe('a😀béc漢');
});

describe('render()', () => {
  const frames = buildFrames(readPstats(readFileSync(join(__dirname, 'fixtures', 'textproc.prof'))), { threshold: 0.01 });

  test.each(['svg', 'log', 'speedscope'] as const)('%s: chunks kept by the caller make the same output as renderToString', (format) => {
    const chunks = [...render(frames, { format })];
    expect(chunks.length).toBeGreaterThan(0);
    expect(decodeChunks(chunks)).toBe(renderToString(frames, { format }));
  });

  test('reused chunks are views of one buffer, each right when it is handed out', () => {
    const whole = Buffer.from(renderToString(frames, { format: 'svg' }), 'utf8');
    const parts: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for (const c of render(frames, { format: 'svg' }, 'flameprof', { reuse: true, chunkSize: 4096 })) {
      parts.push(Buffer.from(c));
      buffers.add(c.buffer);
    }
    expect(parts.length).toBeGreaterThan(10);
    expect(buffers.size).toBeLessThan(parts.length);
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
  });

  /** The chunks read by a consumer that holds on to the last `held` before reading each. */
  function readLate(chunks: Iterable<Uint8Array>, held: number): Buffer {
    const waiting: Uint8Array[] = [];
    const parts: Buffer[] = [];
    for (const c of chunks) {
      waiting.push(c);
      if (waiting.length > held) parts.push(Buffer.from(waiting.shift()!));
    }
    return Buffer.concat([...parts, ...waiting.map((c) => Buffer.from(c))]);
  }

  test.each(['svg', 'log'] as const)('%s: with reuse: 4, a chunk stays right until three more are handed out, and no longer', (format) => {
    const whole = Buffer.from(renderToString(frames, { format }), 'utf8');
    const ring = (): Iterable<Uint8Array> => render(frames, { format }, 'flameprof', { reuse: 4, chunkSize: 512 });
    expect([...ring()].length).toBeGreaterThan(12);
    expect(readLate(ring(), 3).equals(whole)).toBe(true);
    // One more held, and the first area is overwritten before its chunk is read: the buffers are reused.
    expect(readLate(ring(), 4).equals(whole)).toBe(false);
  });
});

describe('the folded log as bytes', () => {
  function frameSet(labels: string[], frames: Array<Partial<Frame>>): FrameSet {
    return {
      funcs: labels.map((label, i) => ({ key: { file: 'f.py', line: i, name: label }, label })),
      flame: frames.map((f): Frame => ({ level: 0, x: 0, w: 1, func: 0, color: 'normal', cc: 1, nc: 1, tt: 0, ct: 0, self: 0, ...f })),
      inverted: [],
      total: 1,
      unit: 'seconds',
      warnings: [],
    };
  }

  test('labels in UTF-8 (a lone surrogate as U+FFFD), counts as Python prints them, across any chunking', () => {
    const labels = ['a.py:1:main', 'é.py:2:ünï', 'c.py:3:漢字😀', 'd.py:4:lone\ud800', 'e.py:5:' + 'x'.repeat(5000)];
    const selves = [0, 1.5e-6, 2.5e-6, 1e30, 123.4567, 2 ** 31 / 1e6, 1e-7, 0.5];
    const frames: Array<Partial<Frame>> = [];
    for (let i = 0; i < 40; i++) frames.push({ level: i % 4, func: (i * 7) % labels.length, self: selves[i % selves.length] });
    const fs = frameSet(labels, frames);
    // The plain way: whole paths joined per line.
    const path: string[] = [];
    let text = '';
    for (const f of fs.flame) {
      path.length = f.level;
      path.push(labels[f.func]);
      text += `${path.join(';')} ${formatInt(roundHalfEven(f.self * 1e6))}\n`;
    }
    const want = Buffer.from(text, 'utf8');
    for (const engine of ['native', 'js'] as const) {
      for (const chunkSize of [1, 100, 1 << 16]) {
        const got = Buffer.concat([...renderLog(fs, 1e6, { chunkSize }, engine)]);
        expect([engine, chunkSize, got.equals(want)]).toEqual([engine, chunkSize, true]);
      }
      // Reused chunks are right when handed out.
      const parts: Buffer[] = [];
      for (const c of renderLog(fs, 1e6, { chunkSize: 100, reuse: true }, engine)) parts.push(Buffer.from(c));
      expect(Buffer.concat(parts).equals(want)).toBe(true);
    }
  });

  test('the addon writes the lines it can, the same bytes as JavaScript, and leaves it the rest', () => {
    const addon = nativeAddon()!;
    expect(typeof addon.foldedLines).toBe('function');
    const spy = jest.spyOn(addon, 'foldedLines');
    try {
      for (const name of ['textproc.prof', 'sample-py3.prof', 'sample-py2.prof']) {
        const fs = buildFrames(readPstats(readFileSync(join(__dirname, 'fixtures', name))), { threshold: 0.001 });
        for (const chunkSize of [7, 4096, 1 << 18]) {
          spy.mockClear();
          const native = Buffer.concat([...renderLog(fs, 1000, { chunkSize })]);
          // Frames the addon wrote, from what each call was given and where it stopped.
          const byAddon = spy.mock.calls.reduce((n, call, k) => n + Math.floor((spy.mock.results[k].value as number) / 2 ** 32) - (call[13] as number), 0);
          expect(byAddon).toBeGreaterThan(fs.flame.length / 2);
          expect(native.equals(Buffer.concat([...renderLog(fs, 1000, { chunkSize }, 'js')]))).toBe(true);
        }
      }
      // Hostile labels: the addon's UTF-8 is TextEncoder's, and a huge count goes to JavaScript.
      const labels = ['<&>"\'.py:1:\u0000\u001f', 'x.py:2:\udc00\ud800\ud83d\ude00', 'y.py:3:' + 'é'.repeat(3000)];
      const frames: Array<Partial<Frame>> = [];
      // Ties at .5 (Python rounds them to even), and now and then a count beyond 2^31.
      const selves = [1.25e-4, 2.5e-6, 0.5e-6, 3.5e-6];
      for (let i = 0; i < 300; i++) frames.push({ level: i % 5, func: i % 3, self: i % 50 === 7 ? 1e300 : selves[i % 4] * i });
      const hostile = frameSet(labels, frames);
      spy.mockClear();
      const got = Buffer.concat([...renderLog(hostile, 1e6, { chunkSize: 64 })]);
      expect(spy).toHaveBeenCalled();
      expect(got.equals(Buffer.concat([...renderLog(hostile, 1e6, { chunkSize: 64 }, 'js')]))).toBe(true);
    } finally {
      spy.mockRestore();
    }
  });
});
