/**
 * The model's key order: keyRanks must put keys where sorting them with compareFuncKeys
 * (Python's tuple order: files and names by code point, lines as numbers) puts them.
 */
import { callGraphFromObjects } from '../../src/model/objects';
import { compareCodePoints, compareFuncKeys, keyColumns, keyRanks } from '../../src/model/keys';
import type { FuncKey } from '../../src/model/profile';
import { prng } from '../helpers/prng';

/** Ranks the slow way: for each key, how many distinct keys compareFuncKeys puts before it. */
function slowRanks(keys: FuncKey[]): number[] {
  const distinct = keys.filter((k, i) => keys.findIndex((o) => compareFuncKeys(o, k) === 0) === i).sort(compareFuncKeys);
  return keys.map((k) => distinct.findIndex((d) => compareFuncKeys(d, k) === 0));
}

function randomKeys(seed: number, n: number, alphabet: string[], maxLine: number): FuncKey[] {
  const rand = prng(seed);
  const pick = (): string => Array.from({ length: 1 + Math.floor(rand() * 4) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  const keys: FuncKey[] = [];
  for (let i = 0; i < n; i++) {
    // Some keys again, so that equal keys are in the mix.
    if (i > 0 && rand() < 0.1) keys.push({ ...keys[Math.floor(rand() * i)] });
    else keys.push({ file: `/lib/${pick()}.py`, line: Math.floor(rand() * maxLine), name: pick() });
  }
  return keys;
}

test('keyRanks orders ASCII keys as compareFuncKeys does, equal keys sharing a rank', () => {
  const keys = randomKeys(1, 3000, ['a', 'b', 'B', '_', 'z', '<', '.'], 50);
  expect(Array.from(keyRanks(keys))).toEqual(slowRanks(keys));
});

test('keyRanks orders by code point where UTF-16 order differs (astral characters against U+E000-U+FFFF)', () => {
  const keys = randomKeys(2, 2000, ['a', '\uffee', '\ue000', '😀', '\ud800', 'é'], 5);
  const ranks = keyRanks(keys);
  expect(Array.from(ranks)).toEqual(slowRanks(keys));
  // The case itself: '😀' (U+1F600) comes after U+FFEE, though its first UTF-16 unit is smaller.
  const two = keyRanks([{ file: 'x', line: 1, name: '😀' }, { file: 'x', line: 1, name: '\uffee' }]);
  expect(Array.from(two)).toEqual([1, 0]);
});

test('compareCodePoints: lone surrogates are code points of their own', () => {
  // A shared lone high surrogate, then two different characters: not equal.
  expect(Math.sign(compareCodePoints('\ud800\ue000', '\ud800\uffee'))).toBe(-1);
  expect(Math.sign(compareCodePoints('\ud800\uffee', '\ud800\ue000'))).toBe(1);
  // A pair (U+10000) against a lone surrogate then U+FFEE: the pair is the bigger code point.
  expect(Math.sign(compareCodePoints('\ud800\udc00', '\ud800\uffee'))).toBe(1);
  expect(compareCodePoints('\ud800', '\ud800')).toBe(0);
});

test('keyRanks keeps the order of lines too big to pack into one number', () => {
  const keys = randomKeys(3, 500, ['a', 'b'], 2 ** 40);
  keys.push({ file: '/lib/a.py', line: -1, name: 'neg' }, { file: '/lib/a.py', line: 2.5, name: 'frac' });
  expect(Array.from(keyRanks(keys))).toEqual(slowRanks(keys));
});

test('keyRanks of a call graph (its columns) equals keyRanks of its keys', () => {
  const keys = randomKeys(4, 800, ['a', 'b', '😀', '\uffee'], 20);
  // A call graph holds each key once.
  const distinct = keys.filter((k, i) => keys.findIndex((o) => compareFuncKeys(o, k) === 0) === i);
  const p = callGraphFromObjects(distinct.map((key) => ({ key, stat: { cc: 0, nc: 0, tt: 0, ct: 0 }, callers: [] })));
  expect(Array.from(keyRanks(p))).toEqual(slowRanks(distinct));
  expect(Array.from(keyRanks(keyColumns(keys)))).toEqual(slowRanks(keys));
});
