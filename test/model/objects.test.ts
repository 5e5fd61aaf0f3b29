/**
 * The call graph's one shape, columns, and the one conversion to and from objects
 * (src/model/objects.ts), with the builder both the general reader and merges use.
 */
import { callGraphFromObjects, callGraphObjects, type FunctionStats } from '../../src/model/objects';
import { CallGraphBuilder, funcKey } from '../../src/model/profile';

const hand: FunctionStats[] = [
  { key: { file: 'a.py', line: 1, name: 'main' }, stat: { cc: 1, nc: 1, tt: 0.5, ct: 2 }, callers: [] },
  {
    key: { file: 'b.py', line: 7, name: 'a.py' },
    stat: { cc: 3, nc: 4, tt: 1.5, ct: 1.5 },
    callers: [
      { caller: 0, timing: { cc: 4, nc: 4, tt: 0, ct: 0 }, estimated: true },
      { caller: 2, timing: { cc: 1, nc: 2, tt: 0.25, ct: 0.75 }, estimated: false },
    ],
  },
  { key: { file: 'a.py', line: 3, name: 'main' }, stat: { cc: 0, nc: 0, tt: 0, ct: 0 }, callers: [] },
];

test('functions as objects become columns and come back the same', () => {
  const p = callGraphFromObjects(hand, 2);
  expect([p.kind, p.pythonVersion, p.count]).toEqual(['callgraph', 2, 3]);
  // Files and names share one table of distinct strings.
  expect(p.strings).toEqual(['a.py', 'main', 'b.py']);
  expect(Array.from(p.edgeStart)).toEqual([0, 0, 2, 2]);
  expect(Array.from(p.caller)).toEqual([0, 2]);
  expect(Array.from(p.estimated)).toEqual([1, 0]);
  expect(Array.from(p.tt)).toEqual([0.5, 1.5, 0]);
  expect(funcKey(p, 1)).toEqual({ file: 'b.py', line: 7, name: 'a.py' });
  expect(callGraphObjects(p)).toEqual(hand);
});

test('the builder: functions and callers in the order first met; an edge met again added to or replaced', () => {
  const b = new CallGraphBuilder();
  const f = b.fn('a.py', 1, 'f');
  const g = b.fn('a.py', 2, 'g');
  expect(b.fn('a.py', 1, 'f')).toBe(f);
  b.setStats(f, 1, 1, 1, 3);
  b.addStats(g, 2, 2, 2, 2);
  b.addStats(g, 1, 1, 1, 1);
  expect(b.edge(g, f, 2, 2, 2, 2, false, 'add')).toBeUndefined();
  expect(b.edge(g, f, 1, 1, 0.5, 0.5, false, 'add')).toBe(false);
  const h = b.fn('b.py', 1, 'h');
  expect(b.edge(g, h, 9, 9, 9, 9, false, 'add')).toBeUndefined();
  expect(b.edge(g, h, 1, 1, 1, 1, true, 'replace')).toBe(false);
  const p = b.build(3);
  expect(callGraphObjects(p)).toEqual([
    { key: { file: 'a.py', line: 1, name: 'f' }, stat: { cc: 1, nc: 1, tt: 1, ct: 3 }, callers: [] },
    {
      key: { file: 'a.py', line: 2, name: 'g' },
      stat: { cc: 3, nc: 3, tt: 3, ct: 3 },
      callers: [
        { caller: 0, timing: { cc: 3, nc: 3, tt: 2.5, ct: 2.5 }, estimated: false },
        { caller: 2, timing: { cc: 1, nc: 1, tt: 1, ct: 1 }, estimated: true },
      ],
    },
    { key: { file: 'b.py', line: 1, name: 'h' }, stat: { cc: 0, nc: 0, tt: 0, ct: 0 }, callers: [] },
  ]);
});
