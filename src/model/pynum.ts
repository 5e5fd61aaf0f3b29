/**
 * Python's number semantics where our output must match the reference to the byte:
 * `round()` (half to even on the exact binary value) and `'{:.Nf}'` formatting.
 */

/** Python 3 `round(x)`: nearest integer, ties to even. Exact for every double. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // ties go up here
  // r - x is exact for doubles of this magnitude, so a tie is recognised exactly.
  // `|| 0`: Python's round() gives an int, which has no negative zero.
  return (r - x === 0.5 && r % 2 !== 0 ? r - 1 : r) || 0;
}

/** An integer as Python prints it: never in exponent form. */
export function formatInt(n: number): string {
  if (Number.isSafeInteger(n)) return String(n);
  if (!Number.isFinite(n)) return String(n);
  return BigInt(n).toString();
}

/**
 * `format(x, '.Nf')` as Python does it: the exact decimal value of the double, rounded half
 * to even. `toFixed` is exact too but breaks ties upwards, so only ties need fixing.
 */
export function toFixedHalfEven(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  if (Math.abs(x) >= 1e21) return BigInt(Math.round(x)).toString() + (digits > 0 ? '.' + '0'.repeat(digits) : '');
  const s = x.toFixed(digits);
  // Only a value within rounding noise of a tie can be one; skip the exact check otherwise
  // (it costs a 100-digit expansion, and this runs once per frame).
  const scaled = Math.abs(x) * 10 ** digits;
  if (Math.abs(scaled - Math.floor(scaled) - 0.5) > 1e-6) return s;
  // A tie means the exact expansion stops at digit N+1 with a 5. Doubles this large have
  // finite expansions short enough for toFixed(100) (the maximum) to show them whole.
  const exact = Math.abs(x).toFixed(100);
  const dot = exact.indexOf('.');
  const tail = exact.slice(dot + 1 + digits);
  if (tail[0] !== '5' || !/^5(0*)$/.test(tail)) return s;
  // toFixed rounded away from zero; step back to the even neighbour if that was odd.
  const lastDigit = s.charCodeAt(s.length - 1) - 48;
  if (lastDigit % 2 === 0) return s;
  const kept = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
  return (x < 0 ? '-' : '') + kept;
}

/** Python's `'{:.2%}'.format(x)`. */
export function formatPercent(x: number): string {
  return `${toFixedHalfEven(x * 100, 2)}%`;
}

/** 6 significant digits, as the tooltips write times and counts: `String(Number(x.toPrecision(6)))`. */
export function formatSix(x: number): string {
  return String(Number(x.toPrecision(6)));
}
