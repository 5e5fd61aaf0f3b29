/**
 * speedscope's file format (https://www.speedscope.app/file-format-schema.json; py-spy's
 * `--format speedscope` and pyinstrument's `-r speedscope` write it) -> sampled profile.
 *
 * Both kinds of profile are read: "sampled" (stacks of frame indices, root first, with
 * weights) and "evented" (open and close events: the time between two events goes to the
 * stack open then). A file holding several profiles (threads, processes) gives each a root
 * of its own, named as our thread roots are (`<thread>:0:NAME`). Times (seconds down to
 * nanoseconds) are read as seconds; other units (none, bytes) as sample counts.
 */
import { InputError } from '../errors';
import { SampledBuilder, type SampledProfile } from '../model/profile';
import { decodeText, type Importer } from './importer';

const SCHEMA = 'https://www.speedscope.app/file-format-schema.json';
const TIME_UNITS: Readonly<Record<string, number>> = { seconds: 1, milliseconds: 1e-3, microseconds: 1e-6, nanoseconds: 1e-9 };
const NOT_SPEEDSCOPE = 'not a speedscope file';

export const speedscopeImporter = {
  name: 'speedscope',
  describe: 'speedscope files',
  extensions: ['.speedscope.json'],
  // JSON text that names speedscope's schema near its start, as every speedscope file does.
  sniff: (b: Uint8Array): boolean => jsonStart(b) && decodeText(b.subarray(0, 4096)).includes(SCHEMA),
  read: (bytes: Uint8Array) => readSpeedscope(decodeText(bytes)),
  json: true,
} as const satisfies Importer;

/** Text whose first character (past blanks and a byte order mark) is `{`. */
export function jsonStart(b: Uint8Array): boolean {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0a || b[i] === 0x0d)) i++;
  return b[i] === 0x7b;
}

/** JSON text, parsed: a syntax error is one line that says where. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what}: broken JSON (${(err as Error).message})`);
  }
}

interface SpeedscopeFrame {
  name?: unknown;
  file?: unknown;
  line?: unknown;
}

export function readSpeedscope(text: string): SampledProfile {
  const doc = parseJson(text, NOT_SPEEDSCOPE) as { shared?: { frames?: unknown }; profiles?: unknown };
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.profiles) || !Array.isArray(doc.shared?.frames)) {
    throw new InputError(`${NOT_SPEEDSCOPE}: expected "profiles" and "shared": {"frames"}`);
  }
  const shared = doc.shared.frames as SpeedscopeFrame[];
  const out = new SampledBuilder();
  const frameFunc = shared.map((f, i) => {
    if (typeof f !== 'object' || f === null || typeof f.name !== 'string') throw new InputError(`${NOT_SPEEDSCOPE}: frame ${i} has no name`);
    // A frame without a file or line is a bare name, as in other tools' folded stacks.
    const line = typeof f.line === 'number' && Number.isInteger(f.line) ? f.line : typeof f.file === 'string' ? 0 : -1;
    return out.func({ file: typeof f.file === 'string' ? f.file : '', line, name: f.name });
  });
  const profiles = doc.profiles as Array<Record<string, unknown>>;
  const units = new Set(profiles.map((p) => (TIME_UNITS[String(p.unit)] === undefined ? 'samples' : 'seconds')));
  if (units.size > 1) throw new InputError(`${NOT_SPEEDSCOPE}: its profiles mix times with counts`);
  const add = (frames: number[], weight: number): void => {
    if (frames.length > 0 && weight > 0) out.add(frames, weight);
  };
  const frameOf = (i: unknown, where: string): number => {
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= frameFunc.length) throw new InputError(`${NOT_SPEEDSCOPE}: ${where} names frame ${String(i)}, which the file does not hold`);
    return frameFunc[i];
  };
  profiles.forEach((p, n) => {
    const where = `profile ${n + 1}`;
    const scale = TIME_UNITS[String(p.unit)] ?? 1;
    // Several profiles (threads, processes): a root each.
    const root = profiles.length > 1 ? [out.func({ file: '<thread>', line: 0, name: typeof p.name === 'string' && p.name !== '' ? p.name : `profile ${n + 1}` })] : [];
    if (p.type === 'sampled') {
      if (!Array.isArray(p.samples) || !Array.isArray(p.weights) || p.samples.length !== p.weights.length) {
        throw new InputError(`${NOT_SPEEDSCOPE}: ${where} needs as many "weights" as "samples"`);
      }
      p.samples.forEach((s: unknown, k: number) => {
        const w = (p.weights as unknown[])[k];
        if (!Array.isArray(s) || typeof w !== 'number' || !(w >= 0)) throw new InputError(`${NOT_SPEEDSCOPE}: ${where}, sample ${k + 1}: expected a stack of frame indices and a weight of 0 or more`);
        add([...root, ...s.map((i) => frameOf(i, `${where}, sample ${k + 1}`))], w * scale);
      });
    } else if (p.type === 'evented') {
      if (!Array.isArray(p.events)) throw new InputError(`${NOT_SPEEDSCOPE}: ${where} has no "events"`);
      const open: number[] = [];
      let last = typeof p.startValue === 'number' ? p.startValue : 0;
      p.events.forEach((e: { type?: unknown; frame?: unknown; at?: unknown }, k: number) => {
        if (typeof e !== 'object' || e === null || typeof e.at !== 'number' || (e.type !== 'O' && e.type !== 'C')) {
          throw new InputError(`${NOT_SPEEDSCOPE}: ${where}, event ${k + 1}: expected {"type": "O" or "C", "frame", "at"}`);
        }
        if (e.at < last) throw new InputError(`${NOT_SPEEDSCOPE}: ${where}, event ${k + 1}: "at" goes back in time`);
        // Time with nothing open is no function's (idle).
        if (open.length > 0) add([...root, ...open], (e.at - last) * scale);
        last = e.at;
        const f = frameOf(e.frame, `${where}, event ${k + 1}`);
        if (e.type === 'O') open.push(f);
        else if (open.pop() !== f) throw new InputError(`${NOT_SPEEDSCOPE}: ${where}, event ${k + 1}: closes a frame that is not the last one open`);
      });
    } else {
      throw new InputError(`${NOT_SPEEDSCOPE}: ${where} is of type ${JSON.stringify(p.type)}, expected "sampled" or "evented"`);
    }
  });
  return out.build({ unit: units.has('seconds') ? 'seconds' : 'samples' });
}
