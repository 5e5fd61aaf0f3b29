/**
 * The optional native addon (src/native/*.c, built on install where a C compiler is): the
 * SVG frame writer (driven by ../render/svg-frames-compiled.ts), the folded log's lines
 * (../render/log.ts) and the write-behind thread (../output.ts). Everything it does has a
 * fallback that writes the same bytes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** An open write-behind thread (an opaque handle). */
export interface NativeWriter {
  readonly __nativeWriter: unique symbol;
}

/** What the addon exports. The frame writer takes its memory as every call's first argument. */
export interface NativeAddon {
  readonly DATA_END: number;
  readonly FUNC_RECORD: number;
  readonly TEXT_RECORD: number;
  readonly LEVEL_RECORD: number;
  init(m: ArrayBuffer): void;
  configure(m: ArrayBuffer, ...args: number[]): void;
  labelShare16(m: ArrayBuffer, label: number, units: number): number;
  isWide(c: number): number;
  section(m: ArrayBuffer, ...columns: number[]): void;
  writeFrames(m: ArrayBuffer, from: number, to: number, flame: number, pos: number, limit: number, end: number): number;
  position(m: ArrayBuffer): number;
  /** The folded log's lines from frame `from` (see src/native/folded-log.c): next frame * 2^32 + position. */
  foldedLines?(
    buf: Uint8Array,
    cap: number,
    pathCap: number,
    pos: number,
    limit: number,
    ends: Int32Array,
    labels16: Uint16Array,
    starts: Uint32Array,
    utf8: Uint8Array,
    utf8At: Int32Array,
    level: Int32Array,
    func: Int32Array,
    self: Float64Array,
    from: number,
    to: number,
    mult: number,
  ): number;
  /**
   * A zeroed ArrayBuffer of `bytes` bytes on transparent huge pages (src/native/memory.c);
   * undefined if it could not be had. Absent, with hugeMemoryFree, where the system has no
   * huge pages to ask for.
   */
  hugeMemory?(bytes: number): ArrayBuffer | undefined;
  /** Detach and unmap a buffer from hugeMemory now, rather than once the event loop turns after it is collected. */
  hugeMemoryFree(buffer: ArrayBuffer): void;
  /**
   * A thread that writes to `fd`; undefined if no thread could be started. Absent, with
   * writerPut and writerClose, where the addon was built without threads (Windows).
   */
  writerOpen?(fd: number): NativeWriter | undefined;
  /** Queue `chunk`, then wait until at most `inFlight` (< 16) chunks are unwritten; 0 or a failed write's errno. */
  writerPut(w: NativeWriter, chunk: Uint8Array, inFlight: number): number;
  /** Write what is queued and stop the thread; 0 or a failed write's errno. */
  writerClose(w: NativeWriter): number;
}

/**
 * Where `npm install` puts the addon (binding.gyp's build/Release), seen from this file in
 * src/native or dist/native, or from the CLI's bundle in dist.
 */
const ADDON_PLACES = [join(__dirname, '..', '..', 'build', 'Release'), join(__dirname, '..', 'build', 'Release')];
const ADDON_FILE = 'flameprof_native.node';

let addon: NativeAddon | null | undefined;

/**
 * The addon, loaded once per process; null where it was not built or will not load, or where
 * FLAMEPROF_NO_NATIVE is set (to compare, or to rule it out). Loaded with process.dlopen, not
 * require: ~0.1 ms against ~1.2 ms for a first `.node` through require. Main thread only:
 * the frame writer's working state is in C statics, which worker threads would share.
 */
export function nativeAddon(): NativeAddon | null {
  if (addon === undefined) {
    addon = null;
    const wanted = isMainThread && !process.env.FLAMEPROF_NO_NATIVE;
    const dir = wanted ? ADDON_PLACES.find((d) => existsSync(join(d, ADDON_FILE))) : undefined;
    if (dir !== undefined) {
      const m = { exports: {} as NativeAddon };
      try {
        process.dlopen(m, join(dir, ADDON_FILE));
        addon = m.exports;
      } catch {
        // Built for another Node or platform: the fallbacks do the same work.
      }
    }
  }
  return addon;
}
