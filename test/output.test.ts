/**
 * Output files (src/output.ts): written behind the render by the addon's thread, in order,
 * with the errors a synchronous write would give, and never half-written.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFrames, render, renderToString } from '../src/flameprof';
import { readPstats } from '../src/load/pstats';
import { nativeAddon } from '../src/native/addon';
import { ChunkWriter, writeAtomically } from '../src/output';

const frames = buildFrames(readPstats(readFileSync(join(__dirname, 'fixtures', 'textproc.prof'))), { threshold: 0.01 });
const dir = mkdtempSync(join(tmpdir(), 'flameprof-output-'));

test('the addon writes behind: the renderer rotates through four buffers, and the file gets every chunk in order', () => {
  for (const format of ['svg', 'log'] as const) {
    const path = join(dir, `behind.${format}`);
    const fd = openSync(path, 'w');
    const out = new ChunkWriter(fd);
    expect([out.behind, out.chunks.reuse]).toEqual([true, 4]);
    let n = 0;
    // Small chunks: the thread is often still writing one when the next comes.
    for (const c of render(frames, { format }, 'flameprof', { ...out.chunks, chunkSize: 256 })) {
      out.write(c);
      n++;
    }
    out.finish();
    closeSync(fd);
    expect(n).toBeGreaterThan(50);
    expect(readFileSync(path, 'utf8')).toBe(renderToString(frames, { format }));
  }
});

test('a chunk that comes after a long pause still wakes the thread (it naps, then sleeps)', () => {
  // In a child process: a thread left asleep would block the put, and the test runner with it.
  const script = `
    const fs = require('node:fs');
    const m = { exports: {} };
    process.dlopen(m, ${JSON.stringify(join(__dirname, '..', 'build', 'Release', 'flameprof_native.node'))});
    const addon = m.exports;
    const path = ${JSON.stringify(join(dir, 'pause.txt'))};
    const fd = fs.openSync(path, 'w');
    const writer = addon.writerOpen(fd);
    const pause = (ms) => { const until = Date.now() + ms; while (Date.now() < until); };
    const parts = ['first ', 'after a pause ', 'at once ', 'last'];
    const written = [];
    // inFlight 0: each put returns once its chunk is written.
    for (const [k, part] of parts.entries()) {
      // Well past the thread's naps (40 x 20 us): it now waits to be signalled.
      if (k === 1 || k === 3) pause(30);
      written.push(addon.writerPut(writer, Buffer.from(part), 0), fs.readFileSync(path, 'utf8'));
    }
    written.push(addon.writerClose(writer));
    console.log(JSON.stringify(written));
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 20000 });
  expect([r.signal, r.stderr]).toEqual([null, '']);
  expect(JSON.parse(r.stdout)).toEqual([
    0,
    'first ',
    0,
    'first after a pause ',
    0,
    'first after a pause at once ',
    0,
    'first after a pause at once last',
    0,
  ]);
});

test("a failed write behind is the error fs.writeSync gives, at the next write or at the end", () => {
  const syncError = (): Error => {
    const fd = openSync('/dev/full', 'w');
    try {
      writeSync(fd, Buffer.from('x'));
    } catch (err) {
      return err as Error;
    } finally {
      closeSync(fd);
    }
    throw new Error('/dev/full took a write');
  };
  const want = syncError();
  expect(want.message).toBe('ENOSPC: no space left on device, write');

  const fd = openSync('/dev/full', 'w');
  const out = new ChunkWriter(fd);
  expect(out.behind).toBe(true);
  let thrown: unknown;
  try {
    for (let k = 0; k < 8; k++) out.write(new Uint8Array(1000));
    out.finish();
  } catch (err) {
    thrown = err;
  }
  out.stop();
  closeSync(fd);
  expect(thrown).toBeInstanceOf(Error);
  expect([(thrown as Error).message, (thrown as NodeJS.ErrnoException).code]).toEqual([want.message, 'ENOSPC']);
});

test("writeAtomically: whole files only, and a renderer's error keeps its own words", () => {
  const path = join(dir, 'whole.svg');
  writeAtomically(path, (chunks) => render(frames, { format: 'svg' }, 'flameprof', { ...chunks, chunkSize: 1024 }));
  expect(readFileSync(path, 'utf8')).toBe(renderToString(frames, { format: 'svg' }));

  const broken = join(dir, 'broken.svg');
  function* failing(): Generator<Uint8Array> {
    for (let k = 0; k < 10; k++) yield new Uint8Array(4096).fill(65);
    throw new Error('the renderer broke');
  }
  expect(() => writeAtomically(broken, failing)).toThrow('the renderer broke');
  expect(existsSync(broken)).toBe(false);
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('a big SVG is rendered in memory the ChunkWriter lends (huge pages), freed once the thread has written it', () => {
  const addon = nativeAddon()!;
  const lend = jest.spyOn(addon, 'hugeMemory');
  const free = jest.spyOn(addon, 'hugeMemoryFree');
  try {
    const merged = readPstats(readFileSync(join(__dirname, 'fixtures', 'merged.prof')));
    // Below 2,000 frames the renderer keeps an ordinary buffer: few of its pages are touched.
    for (const [threshold, lent] of [
      [0.01, 1],
      [0.5, 0],
    ] as const) {
      const set = buildFrames(merged, { threshold });
      const count = set.flame.length + set.inverted.length;
      expect(lent === 1 ? count >= 2000 : count < 2000).toBe(true);
      lend.mockClear();
      free.mockClear();
      const path = join(dir, `lent-${threshold}.svg`);
      const fd = openSync(path, 'w');
      const out = new ChunkWriter(fd);
      for (const c of render(set, { format: 'svg', threshold }, 'flameprof', out.chunks)) out.write(c);
      expect(free).not.toHaveBeenCalled();
      out.finish();
      closeSync(fd);
      expect(readFileSync(path, 'utf8')).toBe(renderToString(set, { format: 'svg', threshold }));
      expect(lend).toHaveBeenCalledTimes(lent);
      if (lent === 1) {
        const memory = lend.mock.results[0].value as ArrayBuffer;
        expect(free.mock.calls).toEqual([[memory]]);
        // Detached: no view of it reaches the unmapped memory.
        expect(memory.byteLength).toBe(0);
      }
    }
  } finally {
    lend.mockRestore();
    free.mockRestore();
  }
});

test('a renderer that throws still gets its lent memory freed, after the thread stops', () => {
  const addon = nativeAddon()!;
  const free = jest.spyOn(addon, 'hugeMemoryFree');
  try {
    const set = buildFrames(readPstats(readFileSync(join(__dirname, 'fixtures', 'merged.prof'))), { threshold: 0.01 });
    const path = join(dir, 'thrown.svg');
    expect(() =>
      writeAtomically(path, function* (chunks) {
        let n = 0;
        for (const c of render(set, { format: 'svg', threshold: 0.01 }, 'flameprof', chunks)) {
          yield c;
          if (++n === 3) throw new Error('stopped by the test');
        }
      }),
    ).toThrow('stopped by the test');
    expect(free).toHaveBeenCalledTimes(1);
    expect((free.mock.calls[0][0] as ArrayBuffer).byteLength).toBe(0);
    expect(existsSync(path)).toBe(false);
  } finally {
    free.mockRestore();
  }
});
