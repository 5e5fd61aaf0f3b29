/**
 * Profiles whose file and function names are hostile: markup, script, XML terminators,
 * control characters and any Unicode. Shared by the SVG's and the HTML report's tests.
 */
import { callGraphFromObjects, type FunctionStats } from '../../src/model/objects';
import type { CallGraphProfile, FuncKey } from '../../src/model/profile';

export const HOSTILE_NAMES = [
  '</script><script>alert(1)</script>',
  'end ]]> of CDATA',
  'double "quoted" name',
  "single 'quoted' name",
  '<img src=x onerror=alert(1)>',
  'javascript:alert(document.cookie)',
  'a & b &amp; &#60; &unknown;',
  'ctrl \u0001 and esc \u001b[31m',
  'lone \ud800 high and \udc00 low surrogate',
  'emoji 😀🔥 and a pair 👩‍💻',
  'CJK 漢字テスト 한국어',
  'tab\there, newline\nhere, CR\rhere',
  'nonchars \ufffe \uffff',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>&e;',
];
/** A file name that is hostile too; '<' sorts before every 'h' file below. */
export const HOSTILE_FILE = '<file "x" & \'y\'>.py';

/**
 * main (root) -> dispatch -> every hostile function once; each runs 1 s. Files h00.py,
 * h01.py, ... fix the order in which the reference (and we) sort them. (dispatch is there so
 * that no hostile function is big enough to become an extra root: see the spec, 1.4.)
 */
export function hostileProfile(names: readonly string[] = HOSTILE_NAMES): CallGraphProfile {
  const keys: FuncKey[] = [
    { file: 'app.py', line: 1, name: 'main' },
    { file: 'app.py', line: 2, name: 'dispatch' },
    { file: HOSTILE_FILE, line: 7, name: 'in a hostile file' },
    ...names.map((name, i) => ({ file: `h${String(i).padStart(2, '0')}.py`, line: i + 1, name })),
  ];
  const n = keys.length - 2;
  const call = (caller: number, ct: number) => [{ caller, timing: { cc: 1, nc: 1, tt: ct === n ? 0 : 1, ct }, estimated: false }];
  const functions: FunctionStats[] = keys.map((key, i) =>
    i < 2
      ? { key, stat: { cc: 1, nc: 1, tt: 0, ct: n }, callers: i === 0 ? [] : call(0, n) }
      : { key, stat: { cc: 1, nc: 1, tt: 1, ct: 1 }, callers: call(1, 1) },
  );
  return callGraphFromObjects(functions);
}
