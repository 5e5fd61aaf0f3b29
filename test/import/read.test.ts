/**
 * readProfile (src/import/read.ts): gzip-compressed inputs are read as the bytes they hold,
 * within a bound on what they unpack to.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../src/errors';
import { MAX_GUNZIPPED, readProfile } from '../../src/import/read';
import { buildFrames, renderToString } from '../../src/pipeline';

const FIXTURES = join(__dirname, '..', 'fixtures');
const log = (bytes: Uint8Array, name: string): string => renderToString(buildFrames(readProfile(bytes, name)), { format: 'log' });

test.each(['textproc.prof', 'sample-py2.prof', 'sampled/plopload.plop', 'sampled/plopload.flame'])('%s, gzipped, reads as it does', (name) => {
  const bytes = readFileSync(join(FIXTURES, name));
  expect(log(gzipSync(bytes), `${name}.gz`)).toBe(log(bytes, name));
});

test('broken gzip data is one line naming the file', () => {
  const gz = gzipSync(readFileSync(join(FIXTURES, 'textproc.prof')));
  expect(() => readProfile(gz.subarray(0, 100), 'cut.prof.gz')).toThrow(new InputError('cut.prof.gz: broken gzip data (unexpected end of file)'));
});

test('gzip data that would unpack past the bound is refused before it is all unpacked', () => {
  const bomb = gzipSync(Buffer.alloc(MAX_GUNZIPPED + 1), { level: 1 });
  expect(bomb.length).toBeLessThan(MAX_GUNZIPPED / 100);
  expect(() => readProfile(bomb, 'bomb.gz')).toThrow(new InputError('bomb.gz: gzip data that unpacks to more than 1024 MB'));
});
