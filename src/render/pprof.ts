/**
 * The flame section as pprof's profile.proto, gzipped (`--format=pprof`): what `go tool
 * pprof`, Parca, Pyroscope and Grafana read. Encoded by pprof-format (Datadog's pure-JS codec).
 *
 * Each drawn frame of the flame with own time becomes one sample: its path as locations (leaf
 * first), its own time as the value, as the folded log writes it (frames under --threshold
 * folded into their parent's own time; --threshold 0 exports everything). So `go tool pprof
 * -top`'s flat times are our own times. Sampled counts stay counts (`samples`/`count`); times
 * are nanoseconds (`time`/`nanoseconds`). A pstats dump's stacks are the estimator's, and the
 * profile's comment says so. A function is one location, named with its file and first line.
 */
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { FrameSet } from '../frames/frame-set';
import { sizeBy, type Renderer } from './renderer';

export const pprofRenderer = {
  name: 'pprof',
  describe: "pprof's gzipped profile.proto (go tool pprof, continuous profiling services)",
  extension: '.pb.gz',
  flameOnly: true,
  binary: true,
  size: sizeBy(true, pprofSize),
  render: (frames: FrameSet) => [renderPprof(frames)],
} as const satisfies Renderer;

/** The gzipped profile's bytes. */
export function renderPprof(frames: FrameSet): Uint8Array {
  const strings = new StringTable();
  const times = frames.unit === 'seconds';
  const flame = frames.flame;
  // A function is one location, with the same id: only the functions the flame draws.
  const ids = new Map<number, number>();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const idOf = (func: number): number => {
    let id = ids.get(func);
    if (id === undefined) {
      id = functions.length + 1;
      ids.set(func, id);
      const key = frames.funcs[func].key;
      const line = key.line >= 0 ? key.line : 0;
      // No system name: pprof then takes the name as given, not as a C++ name to demangle
      // (which would cut `<module>` or `<built-in method ...>` down to nothing).
      functions.push(new PprofFunction({ id, name: strings.dedup(key.name), filename: strings.dedup(key.file), startLine: line }));
      locations.push(new Location({ id, line: [new Line({ functionId: id, line })] }));
    }
    return id;
  };
  const path: number[] = [];
  const samples: Sample[] = [];
  for (let i = 0; i < flame.length; i++) {
    path.length = flame.level[i];
    path.push(idOf(flame.func[i]));
    const self = flame.self[i];
    const value = Math.round(times ? self * 1e9 : self);
    if (value > 0) samples.push(new Sample({ locationId: [...path].reverse(), value: [value] }));
  }
  const estimated = frames.profile.kind === 'callgraph';
  const profile = new Profile({
    sampleType: [new ValueType(times ? { type: strings.dedup('time'), unit: strings.dedup('nanoseconds') } : { type: strings.dedup('samples'), unit: strings.dedup('count') })],
    sample: samples,
    location: locations,
    function: functions,
    comment: [
      strings.dedup(
        estimated
          ? "flameprof: the stacks are flameprof's estimate from a pstats dump, which records calls between two functions, not whole stacks; own times are the dump's"
          : 'flameprof: the stacks of a sampled profile, as recorded',
      ),
    ],
    stringTable: strings,
  });
  return gzipSync(profile.encode());
}

/** About how many bytes the profile takes before gzip: per frame its path of ids and its value, per function its names. */
export function pprofSize(frames: FrameSet): number {
  let size = 4096;
  for (const f of frames.funcs) size += 64 + 2 * (f.key.name.length * 3 + f.key.file.length * 3);
  for (let i = 0; i < frames.flame.length; i++) size += 32 + 5 * (frames.flame.level[i] + 1);
  return size;
}
