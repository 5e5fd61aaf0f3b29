/**
 * pprof's profile.proto (Go, Parca, Pyroscope, Grafana's continuous profiling; gzipped on
 * disk, which the registry undoes) -> sampled profile. Decoded by pprof-format, a well-kept
 * pure-JS codec (Datadog's), rather than a protobuf codec of our own.
 *
 * Each sample's locations, leaf first, become a stack; a location's lines are its inlined
 * functions, the last the one they were inlined into. A function is `file:first line:name`,
 * as pstats names one, so that it is one frame whatever line it was in. The value taken is
 * the sample type --sample-type names, else the profile's default, else the last: times
 * (nanoseconds, microseconds, milliseconds, seconds) are read as seconds, anything else
 * (counts, bytes) as sample counts.
 */
import { Profile as PprofProfile } from 'pprof-format';
import { InputError } from '../errors';
import { SampledBuilder, type SampledProfile } from '../model/profile';
import { isBinary, type Importer, type ReadSettings } from './importer';

/** Seconds per unit, for the units that are times. */
const TIME_UNITS: Readonly<Record<string, number>> = { nanoseconds: 1e-9, microseconds: 1e-6, milliseconds: 1e-3, seconds: 1 };

export const pprofImporter = {
  name: 'pprof',
  describe: 'pprof profiles',
  extensions: ['.pb.gz', '.pprof', '.pb'],
  sniff: (b: Uint8Array): boolean => looksLikeProfile(b),
  read: (bytes: Uint8Array, settings: ReadSettings) => readPprof(bytes, settings.sampleType),
} as const satisfies Importer;

/** Wire type of each field of the Profile message (13, comment, may be packed too). */
const WIRE: Readonly<Record<number, number>> = { 1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 0, 8: 0, 9: 0, 10: 0, 11: 2, 12: 0, 13: 0, 14: 0, 15: 0 };

/**
 * Where a Profile message's top-level fields stop making sense: `fields` of them are read (all
 * with Infinity), each a Profile field of the right wire type whose value fits. Returns -1
 * when they all do, the byte where one does not otherwise; a length past the end counts as
 * fitting only when `partial` (a sniff, which sees the start only). Marshal data (0xfb, `{`),
 * text and JSON fail at the first byte.
 */
function badField(b: Uint8Array, fields: number, partial: boolean): number {
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; shift < 64; shift += 7) {
      if (pos >= b.length) return -1;
      const byte = b[pos++];
      v += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return v;
    }
    return -1;
  };
  for (let k = 0; k < fields && pos < b.length; k++) {
    const at = pos;
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (tag < 0 || WIRE[field] === undefined || (wire !== WIRE[field] && !(field === 13 && wire === 2))) return at;
    const n = varint();
    if (n < 0) return at;
    if (wire === 2) {
      if (pos + n > b.length) return partial ? -1 : at;
      pos += n;
    }
  }
  return -1;
}

/**
 * Text can look like a few protobuf fields ("\n\n" is a field 1 of length 10), so text must
 * also start as every pprof writer starts: a sample type (field 1) of only varint fields 1
 * and 2, whose tags (0x08, 0x10) are control characters no text holds.
 */
function looksLikeProfile(b: Uint8Array): boolean {
  if (b.length === 0 || badField(b, 3, true) >= 0) return false;
  if (isBinary(b, 0)) return true;
  const n = b[1];
  if (b[0] !== 0x0a || n === undefined || n === 0 || n > 0x7f) return false;
  for (let i = 2; i < Math.min(b.length, 2 + n); ) {
    if (b[i] !== 0x08 && b[i] !== 0x10) return false;
    i++;
    while (i < b.length && (b[i] & 0x80) !== 0) i++;
    i++;
  }
  return true;
}

export function readPprof(bytes: Uint8Array, sampleType?: string): SampledProfile {
  const bad = badField(bytes, Infinity, false);
  if (bad >= 0) throw new InputError(`not a pprof profile: broken or truncated at byte ${bad}`);
  let p: PprofProfile;
  try {
    p = PprofProfile.decode(bytes);
  } catch (err) {
    throw new InputError(`not a pprof profile: ${(err as Error).message}`);
  }
  const strings = p.stringTable.strings;
  const str = (i: number | bigint): string => strings[Number(i)] ?? '';
  if (p.sampleType.length === 0) throw new InputError('not a pprof profile: it has no sample types');
  const types = p.sampleType.map((t) => str(t.type));
  let which = types.length - 1;
  if (sampleType !== undefined) {
    which = types.indexOf(sampleType);
    if (which < 0) throw new InputError(`no sample type '${sampleType}' (--sample-type): the profile has ${types.join(', ')}`);
  } else if (Number(p.defaultSampleType) !== 0) {
    const named = types.indexOf(str(p.defaultSampleType));
    if (named >= 0) which = named;
  }
  const scale = TIME_UNITS[str(p.sampleType[which].unit)];

  const functions = new Map<number, { name: string; file: string; line: number }>();
  for (const f of p.function) functions.set(Number(f.id), { name: str(f.name) || str(f.systemName) || '??', file: str(f.filename), line: Number(f.startLine) });
  const out = new SampledBuilder();
  // Each location as its frames, outermost (the function the others were inlined into) first.
  const locations = new Map<number, number[]>();
  for (const loc of p.location) {
    const frames: number[] = [];
    for (let k = loc.line.length - 1; k >= 0; k--) {
      const f = functions.get(Number(loc.line[k].functionId));
      if (f !== undefined) frames.push(out.func({ file: f.file, line: f.line, name: f.name }));
    }
    // An address with no function known (a stripped binary): named by its address.
    if (frames.length === 0) frames.push(out.func({ file: '', line: -1, name: `0x${Number(loc.address).toString(16)}` }));
    locations.set(Number(loc.id), frames);
  }
  for (const s of p.sample) {
    const v = Number(s.value[which] ?? 0);
    if (v === 0) continue;
    const weight = scale === undefined ? v : v * scale;
    if (!(weight > 0) || !Number.isFinite(weight)) throw new InputError(`a sample's value is ${v}, expected a count or time of 0 or more`);
    const frames: number[] = [];
    for (let k = s.locationId.length - 1; k >= 0; k--) {
      const loc = locations.get(Number(s.locationId[k]));
      if (loc === undefined) throw new InputError(`a sample names location ${s.locationId[k]}, which the profile does not hold`);
      frames.push(...loc);
    }
    // A sample without locations still counts, so that the total is the profile's.
    if (frames.length === 0) frames.push(out.func({ file: '', line: -1, name: '(no stack)' }));
    out.add(frames, weight);
  }
  return out.build({ unit: scale === undefined ? 'samples' : 'seconds' });
}
