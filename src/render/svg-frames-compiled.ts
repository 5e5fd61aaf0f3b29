/**
 * The SVG's frames written by compiled code: the native addon (src/native/svg-frames.c,
 * built on install where a C compiler is) or else WebAssembly (src/wasm/svg-frames.ts,
 * compiled by the build). Both take the same memory layout and calls; this module lays out
 * that memory, fills it with what JavaScript knows (the columns, every fragment of text,
 * every function's label and name) and drives either.
 *
 * Why at all: in a fresh process the JavaScript writer runs its first ~5,000 frames in the
 * interpreter while the optimizing compiler catches up, half of a big render's time.
 * WebAssembly starts in V8's baseline code and reaches full speed only when its optimized
 * code is ready (~20,000 frames into a big render, on two cores); the addon is at full speed
 * from the first frame. Output is byte for byte the JavaScript writer's
 * (test/svg-compiled.test.ts), which writes every frame the compiled code leaves to it:
 * numbers off the fast paths, names that must be measured, frames too big for the buffer's
 * slack.
 */
import { FRAME_COLORS, type FrameColumns, type FrameSet } from '../frames';
import { Colorizer, PALETTES, rgbFill, type Layout } from '../layout';
import { nativeAddon, type NativeAddon } from '../native/addon';
import { bufferSize, type ByteWriter, type ChunkOptions, type Fragment } from './bytes';
import type { SvgOptions } from './svg';
import { ASCII_ESCAPES, FrameWriter, fixedFragments } from './svg-frames';
import { SVG_FRAMES_WASM } from './svg-frames-binary';

/** What both compiled writers do, on the memory they were given. */
interface FrameExports {
  init(): void;
  configure(
    width: number,
    total: number,
    pad: number,
    cellPx: number,
    samples: boolean,
    constants: number,
    fills: number,
    funcs: number,
    flameLevels: number,
    invLevels: number,
    asciiEscapes: number,
    texts: number,
    scratch: number,
    heap: number,
    /** A big render: the native writer then keeps the texts of numbers it wrote (the WebAssembly ignores it). */
    big: boolean,
  ): void;
  labelShare16(label: number, units: number): number;
  isWide(c: number): number;
  section(level: number, func: number, color: number, x: number, w: number, cc: number, nc: number, tt: number, ct: number): void;
  writeFrames(from: number, to: number, flame: boolean, pos: number, limit: number, end: number): number;
  position(): number;
}

/** Sizes of the records the compiled code reads (the module's constants). */
interface Records {
  readonly dataEnd: number;
  readonly funcRecord: number;
  readonly textRecord: number;
  readonly levelRecord: number;
}

/** A compiled writer, ready for one render: its memory comes once the layout knows its size. */
interface Machine {
  readonly exports: FrameExports;
  readonly records: Records;
  /**
   * Memory of at least `bytes` bytes past the module's own tables (call once), from `lend`
   * where the engine can take it.
   */
  memory(bytes: number, lend?: (bytes: number) => ArrayBuffer | undefined): ArrayBuffer;
}

/**
 * Frames from which a render is big: the native writer then takes the memory its consumer
 * lends (ChunkOptions.memory: huge pages, src/native/memory.c) and caches the texts of the
 * numbers it writes. At ~280 bytes a frame, 2,000 frames touch ~600 KB of its memory, whose
 * ~150 page faults cost more than zeroing one 2 MiB page; below that, the caches' pages
 * (faulted one by one) cost more than they save.
 */
const BIG_RENDER_FRAMES = 2000;

/** Which compiled code writes the frames. */
export type CompiledEngine = 'native' | 'wasm';

/** Palette slots per colour class in the fill table (the longest palette has 7). */
const PALETTE_SLOTS = 8;

const PAGE = 65536;

let compiled: WebAssembly.Module | null | undefined;

/** The module, compiled once per process; null where there is no WebAssembly (node --jitless). */
function frameModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    compiled = typeof WebAssembly === 'object' ? new WebAssembly.Module(Buffer.from(SVG_FRAMES_WASM, 'base64')) : null;
  }
  return compiled;
}

function wasmMachine(module: WebAssembly.Module): Machine {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const ex = instance.exports as Record<string, WebAssembly.Global>;
  return {
    exports: instance.exports as unknown as FrameExports,
    records: {
      dataEnd: ex.DATA_END.value as number,
      funcRecord: ex.FUNC_RECORD.value as number,
      textRecord: ex.TEXT_RECORD.value as number,
      levelRecord: ex.LEVEL_RECORD.value as number,
    },
    memory(bytes) {
      memory.grow(Math.ceil(bytes / PAGE));
      return memory.buffer;
    },
  };
}

function nativeMachine(n: NativeAddon): Machine {
  let m = new ArrayBuffer(0);
  return {
    exports: {
      init: () => n.init(m),
      configure: (...args) => n.configure(m, ...args.map(Number)),
      labelShare16: (label, units) => n.labelShare16(m, label, units),
      isWide: (c) => n.isWide(c),
      section: (...columns) => n.section(m, ...columns),
      writeFrames: (from, to, flame, pos, limit, end) => n.writeFrames(m, from, to, flame ? 1 : 0, pos, limit, end),
      position: () => n.position(m),
    },
    records: { dataEnd: n.DATA_END, funcRecord: n.FUNC_RECORD, textRecord: n.TEXT_RECORD, levelRecord: n.LEVEL_RECORD },
    memory(bytes, lend) {
      // As big as the WebAssembly memory would be: its first page and whole pages after.
      const size = PAGE * (1 + Math.ceil(bytes / PAGE));
      m = lend?.(size) ?? new ArrayBuffer(size);
      return m;
    },
  };
}

/** Whether an engine can run in this process. */
export function engineAvailable(engine: CompiledEngine): boolean {
  return engine === 'native' ? nativeAddon() !== null : frameModule() !== null;
}

/**
 * Frames copied into memory per call, STAGE at a time: a fixed 250 KB rather than a copy of
 * every column (~9 MB at 145,000 frames, whose fresh pages cost more than the copying).
 */
const STAGE = 4096;

/**
 * One render's frames through compiled code, with the same `writeFrames` as FrameWriter.
 * The ByteWriter must write into `buffer`, which lives in the compiled code's memory.
 */
export class CompiledFrameWriter {
  /** The output areas (one per reused buffer): give them to the ByteWriter. */
  readonly buffer: Uint8Array;
  /** Which code writes. */
  readonly engine: CompiledEngine;
  /** Frames written by the FrameWriter because the compiled code left them to it (for tests). */
  framesLeftToJs = 0;
  /** Writes what the compiled code leaves to JavaScript, and makes every fragment. */
  private readonly fw: FrameWriter;
  private readonly exports: FrameExports;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  /** For writing labels into memory as UTF-16 (a native copy). */
  private readonly text: Buffer;
  /** The staged columns' places, and which frames of which section they hold. */
  private readonly stage: { level: Int32Array; func: Int32Array; color: Uint8Array; values: Float64Array[] };
  private staged: FrameColumns | undefined;
  private stagedFrom = 0;
  private stagedTo = 0;
  /** Where a label goes as UTF-16 to be hashed for a frame that JavaScript writes. */
  private readonly utf16: number;
  /** Next free byte for fragments, until the module takes over (configure). */
  private heap: number;

  /**
   * The engine asked for, or the next that this process has: native, then WebAssembly.
   * undefined where neither is (node --jitless without the addon): use a FrameWriter alone.
   */
  static create(
    frames: FrameSet,
    opts: SvgOptions,
    layout: Layout,
    unit: string,
    chunks: ChunkOptions,
    engine: CompiledEngine = 'native',
  ): CompiledFrameWriter | undefined {
    const n = engine === 'native' ? nativeAddon() : null;
    if (n !== null) return new CompiledFrameWriter('native', nativeMachine(n), frames, opts, layout, unit, chunks);
    const module = frameModule();
    return module === null ? undefined : new CompiledFrameWriter('wasm', wasmMachine(module), frames, opts, layout, unit, chunks);
  }

  private constructor(
    engine: CompiledEngine,
    machine: Machine,
    frames: FrameSet,
    opts: SvgOptions,
    layout: Layout,
    unit: string,
    chunks: ChunkOptions,
  ) {
    this.engine = engine;
    const ex = machine.exports;
    this.exports = ex;
    this.fw = new FrameWriter(frames, opts, layout, unit, new Colorizer((label) => this.labelShare(label)));
    const levelRecord = machine.records.levelRecord;

    // The layout: output area, fixed tables, function records, staged columns, then fragments.
    let end = align(machine.records.dataEnd);
    const take = (n: number): number => {
      const at = end;
      end = align(end + n);
      return at;
    };
    const outSize = bufferSize(chunks);
    const out = take(outSize);
    const fixed = fixedFragments(this.fw.details);
    const constants = take(fixed.length * 8);
    const fills = take(16 + FRAME_COLORS.length * PALETTE_SLOTS * 2 * 8);
    const flameLevels = take((layout.flame.maxLevel + 1) * levelRecord);
    const invLevels = take((layout.inverted.maxLevel + 1) * levelRecord);
    const funcs = take(frames.funcs.length * machine.records.funcRecord);
    const asciiEscapes = take(128 * 8);
    const columns = [take(4 * STAGE), take(4 * STAGE), take(STAGE), ...COLUMN_VALUES.map(() => take(8 * STAGE))];
    // Every function's label and name (see functionTexts), the text area last: its size is
    // known once they are.
    const funcCount = frames.funcs.length;
    const fields = machine.records.textRecord / 4;
    const texts = take(funcCount * fields * 4);
    const where = new Uint32Array(funcCount * fields);
    const textArea = end;
    const { text: labelsAndNames, units, longest, escaped } = functionTexts(frames.funcs, where, fields, textArea);
    end = align(textArea + 2 * units);
    // Room for every fragment: per function (a record is made only if a frame needs it) its
    // label and name escaped and the name's prefix table; 128 bytes for each fill, row,
    // fixed word and ASCII character.
    const most =
      escaped + 128 * (fixed.length + 128 + FRAME_COLORS.length * PALETTE_SLOTS * 2 + 3 * (layout.flame.maxLevel + layout.inverted.maxLevel + 2));
    this.utf16 = take(2 * longest);
    const scratch = take(3 * longest + 72);
    this.heap = end;
    const c = frames.columns;
    const frameCount = c !== undefined ? c.flame.length + c.inverted.length : frames.flame.length + frames.inverted.length;
    const big = frameCount >= BIG_RENDER_FRAMES;
    const buffer = machine.memory(end + most, big ? chunks.memory : undefined);
    this.bytes = new Uint8Array(buffer);
    this.text = Buffer.from(buffer);
    this.view = new DataView(buffer);
    this.buffer = this.bytes.subarray(out, out + outSize);
    this.stage = {
      level: new Int32Array(buffer, columns[0], STAGE),
      func: new Int32Array(buffer, columns[1], STAGE),
      color: new Uint8Array(buffer, columns[2], STAGE),
      values: COLUMN_VALUES.map((_, k) => new Float64Array(buffer, columns[3 + k], STAGE)),
    };

    ex.init();
    this.bytes.set(new Uint8Array(where.buffer), texts);
    this.text.write(labelsAndNames, textArea, 'utf16le');
    const fw = this.fw;
    fixed.forEach((f, k) => this.putSlot(constants + k * 8, f));
    ASCII_ESCAPES.forEach((f, c) => this.putSlot(asciiEscapes + c * 8, f));
    // The fills and the rows as text, all ASCII, written in one copy: made into fragments
    // and copied one by one, as the fixed ones are, they cost ~1.5 us each in a fresh process.
    let packed = '';
    const place = (slot: number, text: string): void => {
      this.view.setUint32(slot, this.heap + packed.length, true);
      this.view.setUint32(slot + 4, text.length, true);
      packed += text;
    };
    FRAME_COLORS.forEach((color, c) => {
      const palette = PALETTES[color];
      this.view.setUint32(fills + c * 4, palette.length, true);
      palette.forEach((rgb, index) => {
        const slot = fills + 16 + (c * PALETTE_SLOTS + index) * 16;
        place(slot, fw.fillText(rgbFill(rgb), false));
        place(slot + 8, fw.fillText(rgbFill(rgb), true));
      });
    });
    for (const [flame, levels, maxLevel] of [
      [true, flameLevels, layout.flame.maxLevel],
      [false, invLevels, layout.inverted.maxLevel],
    ] as const) {
      for (let level = 0; level <= maxLevel; level++) {
        const [open, yWidth, textY] = fw.rowTexts(level, flame);
        const at = levels + level * levelRecord;
        place(at, open);
        place(at + 8, yWidth);
        place(at + 16, textY);
      }
    }
    this.heap += this.text.write(packed, this.heap, 'latin1');
    this.heap = align(this.heap) + 8;
    ex.section(columns[0], columns[1], columns[2], columns[3], columns[4], columns[5], columns[6], columns[7], columns[8]);
    ex.configure(
      opts.width,
      frames.total,
      fw.pad,
      fw.cellPx,
      frames.unit === 'samples',
      constants,
      fills,
      funcs,
      flameLevels,
      invLevels,
      asciiEscapes,
      texts,
      scratch,
      this.heap,
      big,
    );
  }

  /** As FrameWriter.writeFrames: frames `from` to `to` until the writer is full. */
  writeFrames(w: ByteWriter, list: FrameColumns, from: number, to: number, flame: boolean): number {
    const ex = this.exports;
    let i = from;
    while (i < to && !w.full) {
      // In one of the output areas, not in a buffer grown for an outsized frame.
      if (w.buf.buffer === this.bytes.buffer) {
        if (list !== this.staged || i < this.stagedFrom || i >= this.stagedTo) this.stageFrames(list, i, to);
        const base = this.stagedFrom;
        const out = w.buf.byteOffset;
        i = base + ex.writeFrames(i - base, this.stagedTo - base, flame, out + w.pos, out + w.limit, out + w.buf.length);
        w.pos = ex.position() - out;
        if (i === this.stagedTo || w.full) continue;
      }
      // Left to JavaScript, or the buffer was outgrown for a big frame: JavaScript writes
      // until the chunk is handed out and the writer is back in this memory.
      const at = i;
      i = this.fw.writeFrames(w, list, i, i + 1, flame);
      this.framesLeftToJs += i - at;
    }
    return i;
  }

  /** Frames `from` to at most `to` of a section into the staged columns. */
  private stageFrames(list: FrameColumns, from: number, to: number): void {
    const end = Math.min(to, from + STAGE);
    const s = this.stage;
    s.level.set(list.level.subarray(from, end));
    s.func.set(list.func.subarray(from, end));
    s.color.set(list.color.subarray(from, end));
    COLUMN_VALUES.forEach((name, k) => s.values[k].set(list[name].subarray(from, end)));
    this.staged = list;
    this.stagedFrom = from;
    this.stagedTo = end;
  }

  /** sha1Share, computed by the module (for the frames that JavaScript writes). */
  labelShare(label: string): number {
    this.text.write(label, this.utf16, 'utf16le');
    return this.exports.labelShare16(this.utf16, label.length);
  }

  /** layout.ts's isWide as the module has it (for tests). */
  isWide(c: number): boolean {
    return this.exports.isWide(c) !== 0;
  }

  /** A fragment copied into the heap, and its offset and length into a slot. */
  private putSlot(slot: number, f: Fragment): void {
    const at = this.heap;
    this.bytes.set(new Uint8Array(f.words.buffer, f.words.byteOffset, f.length), at);
    // The writers read fragments 8 bytes at a time (the native one 16): a fragment's last
    // word may run past it, into the next fragment or the room after the heap.
    this.heap = align(at + f.length) + 8;
    this.view.setUint32(slot, at, true);
    this.view.setUint32(slot + 4, f.length, true);
  }
}

/** The double columns, in the order of the module's `section` arguments after level, func and color. */
const COLUMN_VALUES = ['x', 'w', 'cc', 'nc', 'tt', 'ct'] as const;

function align(n: number): number {
  return (n + 7) & ~7;
}

/**
 * Every function's label and name as UTF-16, in one string to be written at `textArea` in
 * one copy: each label, then the name unless the label ends with it (a pstats function's
 * label is file:line:name). What the module reads, written into `where`: a TEXT_RECORD per
 * function, its u32 fields in the order of T_LABEL, T_LABEL_UNITS, T_NAME, T_NAME_UNITS,
 * T_DATA_N. Also the text's length in units, the longest label's, and the bytes that the
 * functions' fragments may take (6 a unit of label and name escaped, 4 a unit of the name's
 * prefix table).
 *
 * One pass, in a function of its own: a fresh process runs it in the interpreter, at ~0.4 us
 * a function; in the constructor, two passes and a third to place them took 0.4 ms for 500.
 */
function functionTexts(
  funcs: FrameSet['funcs'],
  where: Uint32Array,
  fields: number,
  textArea: number,
): { text: string; units: number; longest: number; escaped: number } {
  const parts: string[] = [];
  let units = 0;
  let longest = 0;
  let escaped = 0;
  for (let k = 0; k < funcs.length; k++) {
    const fn = funcs[k];
    const label = fn.label;
    const name = fn.key.name;
    const at = k * fields;
    parts.push(label);
    where[at] = textArea + 2 * units;
    where[at + 1] = label.length;
    units += label.length;
    if (label.endsWith(name)) {
      where[at + 2] = textArea + 2 * (units - name.length);
    } else {
      where[at + 2] = textArea + 2 * units;
      parts.push(name);
      units += name.length;
    }
    where[at + 3] = name.length;
    where[at + 4] = name.includes(':') ? 1 : 0;
    if (label.length > longest) longest = label.length;
    escaped += 6 * label.length + 10 * name.length + 128;
  }
  return { text: parts.join(''), units, longest, escaped };
}
