/**
 * Output files (src/io/output.ts): written whole or not at all, with the file system's
 * errors in one line.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlameprofError } from '../../src/errors';
import { readPstats } from '../../src/import/pstats';
import { writeAtomically } from '../../src/io/output';
import { buildFrames, render, renderToString } from '../../src/pipeline';

const frames = buildFrames(readPstats(readFileSync(join(__dirname, '..', 'fixtures', 'textproc.prof'))), { threshold: 0.01 });
const dir = mkdtempSync(join(tmpdir(), 'flameprof-output-'));

test.each(['svg', 'log'] as const)('writeAtomically: %s in small reused chunks makes the file renderToString makes', (format) => {
  const path = join(dir, `whole.${format}`);
  writeAtomically(path, render(frames, { format }, 'flameprof', { reuse: true, chunkSize: 256 }));
  expect(readFileSync(path, 'utf8')).toBe(renderToString(frames, { format }));
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test("writeAtomically: a renderer's error keeps its own words, and the old file stays", () => {
  const path = join(dir, 'broken.svg');
  writeFileSync(path, 'the old graph');
  function* failing(): Generator<Uint8Array> {
    for (let k = 0; k < 10; k++) yield new Uint8Array(4096).fill(65);
    throw new Error('the renderer broke');
  }
  expect(() => writeAtomically(path, failing())).toThrow('the renderer broke');
  expect(readFileSync(path, 'utf8')).toBe('the old graph');
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
});

test('writeAtomically: a folder that cannot be written is one FlameprofError naming the file', () => {
  const path = join(dir, 'no-such-folder', 'x.svg');
  expect(() => writeAtomically(path, render(frames, { format: 'svg' }))).toThrow(new FlameprofError(`${path}: cannot write: no such file`));
  expect(existsSync(path)).toBe(false);
});
