/**
 * pyinstrument's session files (`pyinstrument --save`, `Session.save()`) -> sampled profile.
 *
 * The session holds a tree of frames, each with an `identifier` (`function\0file\0line`,
 * the function's first line) and its cumulative `time` in seconds; pyinstrument writes a
 * frame's own time as its `[self]` children (time less children's would add microsecond
 * rounding residues as own time). So each frame is one stack (its path from the root)
 * weighing its own time: exact stacks.
 */
import { InputError } from '../errors';
import { SampledBuilder, type SampledProfile } from '../model/profile';
import { decodeText, type Importer } from './importer';
import { jsonStart, parseJson } from './speedscope';

const NOT_SESSION = 'not a pyinstrument session';

export const pyinstrumentImporter = {
  name: 'pyinstrument',
  describe: 'pyinstrument sessions',
  extensions: ['.pyisession'],
  sniff: (b: Uint8Array): boolean => {
    if (!jsonStart(b)) return false;
    const head = decodeText(b.subarray(0, 4096));
    return head.includes('"frame_tree"') || (head.includes('"session"') && head.includes('"sample_count"'));
  },
  read: (bytes: Uint8Array) => readPyinstrument(decodeText(bytes)),
  json: true,
} as const satisfies Importer;

interface Node {
  identifier?: unknown;
  time?: unknown;
  children?: unknown;
}

export function readPyinstrument(text: string): SampledProfile {
  const doc = parseJson(text, NOT_SESSION) as { frame_tree?: unknown };
  if (typeof doc !== 'object' || doc === null || !('frame_tree' in doc)) throw new InputError(`${NOT_SESSION}: it has no "frame_tree"`);
  const out = new SampledBuilder();
  if (doc.frame_tree === null) return out.build({ unit: 'seconds' });
  const keyOf = (id: string): number => {
    const [name, file = '', line = ''] = id.split('\0');
    // Attributes after \x01 (the line being run) are not the function's.
    const first = Number.parseInt(line.split('\x01')[0], 10);
    return out.func({ file, line: Number.isInteger(first) ? first : -1, name: name.split('\x01')[0] });
  };
  // Iteratively: trees can be thousands of frames deep.
  const work: Array<{ node: Node; path: number[] }> = [{ node: doc.frame_tree as Node, path: [] }];
  while (work.length > 0) {
    const { node, path } = work.pop()!;
    if (typeof node !== 'object' || node === null || typeof node.identifier !== 'string' || typeof node.time !== 'number' || !(node.time >= 0)) {
      throw new InputError(`${NOT_SESSION}: a frame needs an "identifier" and a "time" of 0 or more`);
    }
    if (node.identifier.startsWith('[self]')) continue;
    const frames = [...path, keyOf(node.identifier)];
    const children = Array.isArray(node.children) ? (node.children as Node[]) : [];
    // A frame without children (not written by pyinstrument itself) is all own time.
    let own = children.length === 0 ? node.time : 0;
    for (const c of children) {
      if (typeof c === 'object' && c !== null && typeof c.time === 'number' && typeof c.identifier === 'string' && c.identifier.startsWith('[self]')) own += c.time;
    }
    if (own > 0) out.add(frames, own);
    for (let k = children.length - 1; k >= 0; k--) work.push({ node: children[k], path: frames });
  }
  return out.build({ unit: 'seconds' });
}
