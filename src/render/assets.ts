/**
 * The browser scripts our pages carry, built from TypeScript into dist/ by scripts/build.js:
 * the SVG's viewer (src/viewer/), the report's page (src/report/), serve's pages
 * (src/serve/page-script.ts). Found beside the code that asks: in dist/ (the CLI's bundle),
 * one folder up (dist/render/), or in dist/ from the sources (tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlameprofError } from '../errors';

export type Asset = 'viewer.js' | 'report.js' | 'pages.js';

const loaded = new Map<Asset, string>();

/** The asset's text, read once per process. */
export function asset(name: Asset): string {
  let text = loaded.get(name);
  if (text === undefined) {
    const found = [join(__dirname, name), join(__dirname, '..', name), join(__dirname, '..', '..', 'dist', name)].find((p) => existsSync(p));
    if (found === undefined) throw new FlameprofError(`the script dist/${name} is missing: run npm run build`);
    text = readFileSync(found, 'utf8');
    loaded.set(name, text);
  }
  return text;
}
