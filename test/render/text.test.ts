/**
 * Label fitting (src/render/text.ts), which the SVG writer, the SVG's viewer (with the cell
 * width its browser measures) and the report's canvas all use.
 */
import { CELL_WIDTH, fitCells, fitLabel, isWide, textCells } from '../../src/render/text';

test('a label that fits stays whole; one that does not is cut with "..", never past its cells', () => {
  expect(fitCells('main', 4)).toBe('main');
  expect(fitCells('parse_line', 8)).toBe('parse_..');
  expect(fitCells('abc', 2)).toBe('');
  expect(fitCells('abcd', 3)).toBe('a..');
  for (let cells = 3; cells < 40; cells++) {
    const cut = fitCells('app.py:12:a_rather_long_function_name', cells);
    expect(textCells(cut)).toBeLessThanOrEqual(cells);
  }
});

test('East Asian wide characters take two cells, and are never split', () => {
  expect(isWide('漢'.codePointAt(0)!)).toBe(true);
  expect(isWide('a'.codePointAt(0)!)).toBe(false);
  expect(textCells('漢字a')).toBe(5);
  expect(fitCells('漢字テスト', 7)).toBe('漢字..');
  expect(fitCells('😀😀😀', 6)).toBe('😀😀😀');
  expect(fitCells('😀😀😀', 5)).toBe('😀..');
});

test('fitLabel is fitCells with the cells a box of so many pixels holds at a font size', () => {
  const name = 'sympy/core/function.py:1200:__call__';
  for (const px of [10, 50, 120, 300]) expect(fitLabel(name, px, 12)).toBe(fitCells(name, Math.floor(px / (12 * CELL_WIDTH))));
});
