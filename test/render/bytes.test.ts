/**
 * The byte writers under the renderers: numbers as the plain conversions write them,
 * text as UTF-8, chunks that are the caller's to keep unless asked otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFrames, render, renderToString } from '../../src/pipeline';
import type { Frame, FrameSet } from '../../src/frames/frame-set';
import { readPstats } from '../../src/import/pstats';
import { formatInt, roundHalfEven } from '../../src/model/pynum';
import { ByteWriter, DECIMALS, decodeChunks, fragment, putFixed, putFragment, putFragmentPrefix, putNumber, putPadded, utf8 } from '../../src/render/bytes';
import { renderLog } from '../../src/render/log';
import { prng as rng } from '../helpers/prng';
import { handFrames } from '../helpers/hand-frames';

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
  /** The chunks as handed out, and copies of them made at once. */
  const run = (reuse: boolean): [Uint8Array[], Uint8Array[]] => {
    const w = new ByteWriter({ chunkSize: 64, reuse });
    const chunks: Uint8Array[] = [];
    const atOnce: Uint8Array[] = [];
    const take = (): void => {
      chunks.push(w.take());
      atOnce.push(Uint8Array.from(chunks[chunks.length - 1]));
    };
    for (let i = 0; i < 5; i++) {
      w.text(`${i}:${text}|`);
      w.bytes(utf8('<'.repeat(20000)));
      if (w.full) take();
    }
    take();
    return [chunks, atOnce];
  };
  const [copies] = run(false);
  const want = Array.from({ length: 5 }, (_, i) => `${i}:${text}|${'<'.repeat(20000)}`).join('');
  expect(decodeChunks(copies)).toBe(want);
  expect(new Set(copies.map((c) => c.buffer)).size).toBe(copies.length);
  // Views, not copies: each chunk is right when it is handed out.
  const [views, atOnce] = run(true);
  expect(views.length).toBeGreaterThan(1);
  expect(decodeChunks(atOnce)).toBe(want);
});

test('a reusing ByteWriter hands out views of one buffer, and keeps a bigger one once an outsized chunk made it grow', () => {
  const w = new ByteWriter({ chunkSize: 64, reuse: true });
  const home = w.buf;
  w.text('small');
  const first = w.take();
  expect(first.buffer).toBe(home.buffer);
  expect(Buffer.from(first).toString()).toBe('small');
  w.bytes(utf8('<'.repeat(100000)));
  expect(w.buf).not.toBe(home);
  const big = w.take();
  expect(big.length).toBe(100000);
  expect(Buffer.from(big).toString()).toBe('<'.repeat(100000));
  w.text('again');
  const again = w.take();
  expect(again.buffer).toBe(big.buffer);
  expect(Buffer.from(again).toString()).toBe('again');
});

test('decodeChunks joins characters split across chunks', () => {
  const bytes = Buffer.from('a😀béc漢', 'utf8');
  const chunks = [...bytes].map((b) => Uint8Array.of(b));
  expect(decodeChunks(chunks)).toBe('a😀béc漢');
});

describe('render()', () => {
  const frames = buildFrames(readPstats(readFileSync(join(__dirname, '..', 'fixtures', 'textproc.prof'))), { threshold: 0.01 });

  test.each(['svg', 'log', 'speedscope'] as const)('%s: chunks kept by the caller make the same output as renderToString', (format) => {
    const chunks = [...render(frames, { format })];
    expect(chunks.length).toBeGreaterThan(0);
    expect(decodeChunks(chunks)).toBe(renderToString(frames, { format }));
  });

  test('reused chunks are views of one buffer, each right when it is handed out', () => {
    const whole = Buffer.from(renderToString(frames, { format: 'svg' }), 'utf8');
    const parts: Buffer[] = [];
    const buffers = new Set<ArrayBufferLike>();
    for (const c of render(frames, { format: 'svg' }, { reuse: true, chunkSize: 4096 })) {
      parts.push(Buffer.from(c));
      buffers.add(c.buffer);
    }
    expect(parts.length).toBeGreaterThan(10);
    expect(buffers.size).toBeLessThan(parts.length);
    expect(Buffer.concat(parts).equals(whole)).toBe(true);
  });
});

describe('the folded log as bytes', () => {
  function frameSet(labels: string[], frames: Array<Partial<Frame>>): FrameSet {
    return handFrames({
      funcs: labels.map((label, i) => ({ key: { file: 'f.py', line: i, name: label }, label })),
      flame: frames.map((f): Frame => ({ level: 0, x: 0, w: 1, func: 0, color: 'normal', cc: 1, nc: 1, tt: 0, ct: 0, self: 0, ...f })),
      inverted: [],
      total: 1,
      unit: 'seconds',
    });
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
    for (const f of fs.flame.toArray()) {
      path.length = f.level;
      path.push(labels[f.func]);
      text += `${path.join(';')} ${formatInt(roundHalfEven(f.self * 1e6))}\n`;
    }
    const want = Buffer.from(text, 'utf8');
    for (const chunkSize of [1, 100, 1 << 16]) {
      const got = Buffer.concat([...renderLog(fs, 1e6, { chunkSize })]);
      expect([chunkSize, got.equals(want)]).toEqual([chunkSize, true]);
    }
    // Reused chunks are right when handed out.
    const parts: Buffer[] = [];
    for (const c of renderLog(fs, 1e6, { chunkSize: 100, reuse: true })) parts.push(Buffer.from(c));
    expect(Buffer.concat(parts).equals(want)).toBe(true);
  });
});
