import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatPercent, roundHalfEven, toFixedHalfEven } from '../../src/model/pynum';

// Written by real Python (test/fixtures/pynum/make_vectors.py), ties included on purpose.
const vectors = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures/pynum/vectors.json'), 'utf8')) as Array<{
  x: number;
  pct: string;
  round: number;
  f2: string;
}>;

describe('Python number semantics', () => {
  test.each(vectors.map((v) => [v.x, v]))('%p formats and rounds as Python does', (_x, v) => {
    expect(formatPercent(v.x)).toBe(v.pct);
    expect(toFixedHalfEven(v.x, 2)).toBe(v.f2);
    expect(roundHalfEven(v.x)).toBe(v.round);
  });

  test('the vectors hold ties that a naive toFixed gets wrong', () => {
    const naive = vectors.filter((v) => v.x.toFixed(2) !== v.f2 || `${(v.x * 100).toFixed(2)}%` !== v.pct);
    expect(naive.length).toBeGreaterThan(10);
  });
});
