/**
 * The search rule every view shares (the SVG's viewer, the report, serve's listing): a
 * JavaScript regular expression, case-insensitive unless it holds a capital letter, as
 * flamegraph.pl's search is.
 */

/** The expression a search box's text stands for; throws the engine's SyntaxError on a bad one. */
export function searchRegex(pattern: string): RegExp {
  return new RegExp(pattern, /[A-Z]/.test(pattern) ? '' : 'i');
}

/** Why an expression is not one, without the engine's repetition of the words and the pattern. */
export function regexProblem(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '');
}
