/**
 * The search rule every view shares (src/render/search.ts): the SVG's viewer, the report and
 * serve's listing all call these, so their behaviour is checked once here.
 */
import { regexProblem, searchRegex } from '../../src/render/search';

test('case-insensitive unless the expression holds a capital letter', () => {
  expect(searchRegex('parse').test('app.py:3:Parse_Line')).toBe(true);
  expect(searchRegex('Parse').test('app.py:3:parse_line')).toBe(false);
  expect(searchRegex('Parse').test('app.py:3:Parse_line')).toBe(true);
  expect(searchRegex('\\d+:main$').flags).toBe('i');
  expect(searchRegex('').test('anything')).toBe(true);
});

test("a bad expression throws the engine's error, which regexProblem says in a few words", () => {
  let err: unknown;
  try {
    searchRegex('(unclosed');
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(SyntaxError);
  expect(regexProblem(err)).toBe('Unterminated group');
  expect(regexProblem(new Error('plain words'))).toBe('plain words');
  expect(regexProblem('a string')).toBe('a string');
});
