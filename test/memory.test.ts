/**
 * The addon's memory on huge pages (src/native/memory.c): what the SVG renderer's big renders
 * run in when the CLI writes a file (src/output.ts lends it, test/output.test.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { nativeAddon } from '../src/native/addon';

const addon = nativeAddon()!;

/** The process's anonymous memory on huge pages, in kB (Linux). */
function anonHugeKb(): number {
  const m = /AnonHugePages:\s+(\d+) kB/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'));
  return Number(m![1]);
}

/** What the kernel does with madvise(MADV_HUGEPAGE): [always] or [madvise] honour it. */
function hugePagesOffered(): boolean {
  const path = '/sys/kernel/mm/transparent_hugepage/enabled';
  return existsSync(path) && !readFileSync(path, 'utf8').includes('[never]');
}

test('hugeMemory: zeroed, writable, of the size asked; freeing detaches it, once', () => {
  expect(typeof addon.hugeMemory).toBe('function');
  const size = 3 * 1024 * 1024 + 5;
  const m = addon.hugeMemory!(size)!;
  expect(m).toBeInstanceOf(ArrayBuffer);
  expect(m.byteLength).toBe(size);
  const u = new Uint8Array(m);
  expect(u.every((b) => b === 0)).toBe(true);
  u[0] = 1;
  u[size - 1] = 2;
  expect([u[0], u[size - 1]]).toEqual([1, 2]);
  addon.hugeMemoryFree(m);
  expect([m.byteLength, u.length]).toEqual([0, 0]);
  expect(() => addon.hugeMemoryFree(m)).toThrow('hugeMemoryFree takes a buffer from hugeMemory, once');
  expect(() => addon.hugeMemoryFree(new ArrayBuffer(64))).toThrow('hugeMemoryFree takes a buffer from hugeMemory, once');
  expect(() => addon.hugeMemory!(0)).toThrow('hugeMemory(bytes), 1 to 1 GiB');
  expect(() => addon.hugeMemory!(Number.NaN)).toThrow('hugeMemory(bytes), 1 to 1 GiB');
});

test('hugeMemory is on huge pages where the kernel offers them, and many in a row do not pile up', () => {
  const before = anonHugeKb();
  const m = addon.hugeMemory!(4 * 1024 * 1024)!;
  new Uint8Array(m).fill(7);
  const touched = anonHugeKb() - before;
  addon.hugeMemoryFree(m);
  // Where transparent huge pages are off, the same memory on 4 KiB pages.
  if (hugePagesOffered()) expect(touched).toBeGreaterThanOrEqual(4096);
  else expect(touched).toBe(0);
  // Freed at once, not when the garbage collector and the event loop get to them.
  for (let k = 0; k < 100; k++) {
    const big = addon.hugeMemory!(8 * 1024 * 1024)!;
    new Uint8Array(big).fill(1);
    addon.hugeMemoryFree(big);
  }
  expect(anonHugeKb() - before).toBeLessThanOrEqual(4096);
});
