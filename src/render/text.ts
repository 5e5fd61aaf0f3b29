/**
 * How much room text takes in a monospace font, and labels cut to fit their box.
 */

/**
 * How many monospace cells a label needs: East Asian wide characters take two. Labels are
 * cut to fit their box from this, so it errs on the wide side.
 */
export function textCells(s: string): number {
  let cells = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    cells += isWide(c) ? 2 : 1;
  }
  return cells;
}

/** East Asian wide characters take two monospace cells. */
export function isWide(c: number): boolean {
  return (
    c >= 0x1100 &&
    (c <= 0x115f ||
      (c >= 0x2e80 && c <= 0xa4cf) ||
      (c >= 0xac00 && c <= 0xd7a3) ||
      (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) ||
      (c >= 0xff00 && c <= 0xff60) ||
      (c >= 0xffe0 && c <= 0xffe6) ||
      (c >= 0x1f300 && c <= 0x1faff) ||
      (c >= 0x20000 && c <= 0x3fffd))
  );
}

/** Width of one monospace cell relative to the font size (0.6 is typical; a margin for safety). */
export const CELL_WIDTH = 0.62;

/**
 * The label as it fits in `avail` pixels: whole, cut with "..", or empty when not even
 * three cells fit. The SVG's viewer cuts again in the browser with the cell width it measures.
 */
export function fitLabel(name: string, avail: number, fontSize: number): string {
  return fitCells(name, Math.floor(avail / (fontSize * CELL_WIDTH)));
}

/** The label as it fits in `cells` monospace cells (see fitLabel). */
export function fitCells(name: string, cells: number): string {
  if (cells < 3) return '';
  // No code unit takes more than two cells: a box this wide needs no counting.
  if (name.length * 2 <= cells) return name;
  if (name.length <= cells && textCells(name) <= cells) return name;
  let used = 0;
  let out = '';
  for (const ch of name) {
    const w = isWide(ch.codePointAt(0)!) ? 2 : 1;
    if (used + w > cells - 2) break;
    used += w;
    out += ch;
  }
  return out + '..';
}
