/**
 * Every output format, as one list: what --format accepts, its file extension for -r's output
 * names, whether it can hold the inverted section alone or draw a diff, and its writer.
 * Adding a format is one module and one line here.
 */
import { htmlRenderer } from './html';
import { logRenderer } from './log';
import { pprofRenderer } from './pprof';
import type { Renderer } from './renderer';
import { speedscopeRenderer } from './speedscope';
import { svgRenderer } from './svg';

export const RENDERERS = [svgRenderer, htmlRenderer, logRenderer, speedscopeRenderer, pprofRenderer] as const satisfies readonly Renderer[];

export type OutputFormat = (typeof RENDERERS)[number]['name'];
export const OUTPUT_FORMATS: readonly OutputFormat[] = RENDERERS.map((r) => r.name);

/** The renderer called `name`. */
export function renderer(name: OutputFormat): Renderer {
  return RENDERERS.find((r) => r.name === name)!;
}

/** The formats that draw a diff. */
export const DIFF_FORMATS: readonly OutputFormat[] = RENDERERS.filter((r) => 'renderDiff' in r).map((r) => r.name);
