/**
 * The importer registry (src/import/registry.ts): input formats told from the content, never
 * from the file name, --input-format overriding the guess, gzip-compressed inputs read as the
 * bytes they hold (within a bound on what they unpack to), and the files serve lists.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InputError } from '../../src/errors';
import { decodeText } from '../../src/import/importer';
import { detectFormat, IMPORTERS, INPUT_FORMATS, MAX_GUNZIPPED, PROFILE_FILE } from '../../src/import/registry';
import { buildFrames, readProfile, renderToString } from '../../src/pipeline';

const FIXTURES = join(__dirname, '..', 'fixtures');
const EXPECTED = join(FIXTURES, 'expected');
const SAMPLED = join(FIXTURES, 'sampled');
const CLI = join(__dirname, '..', '..', 'bin', 'flameprof.js');
const fixture = (...p: string[]): Buffer => readFileSync(join(...p));

describe('detectFormat', () => {
  const profs = readdirSync(FIXTURES).filter((f) => f.endsWith('.prof'));

  it.each(profs)('%s (Python 2 and 3 marshal data) is pstats', (f) => {
    expect(detectFormat(fixture(FIXTURES, f))).toBe('pstats');
  });

  it.each(readdirSync(EXPECTED).filter((f) => f.endsWith('.log')))('our log %s is folded', (f) => {
    expect(detectFormat(fixture(EXPECTED, f))).toBe('folded');
  });

  it('plop outputs: .plop is plop, .flame is folded', () => {
    expect(detectFormat(fixture(SAMPLED, 'plopload.plop'))).toBe('plop');
    expect(detectFormat(fixture(SAMPLED, 'plopload.flame'))).toBe('folded');
  });

  const text: Array<[string, string, string]> = [
    ['empty input', '', 'folded'],
    ['blank lines', '\n \r\n\t\n', 'folded'],
    ['flamegraph.pl input', 'main;foo;bar 12\nmain;baz 3\n', 'folded'],
    ['a dict after blanks and a BOM', '\ufeff \n {(("a", 1, "f"),): 1}', 'plop'],
    ['UTF-8 names', 'caf\u00e9;\u20ac;\u{1F600} 1\n', 'folded'],
    ['prose (read as folded, which reports the bad line)', 'hello world\n', 'folded'],
    ['control characters in names', 'a\u0007;\u001b[1m 1\n', 'folded'],
  ];
  it.each(text)('%s', (_what, s, format) => {
    expect(detectFormat(Buffer.from(s, 'utf8'))).toBe(format);
  });

  it('binary data is pstats (whose reader explains what is wrong with it)', () => {
    expect(detectFormat(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('pstats'); // PNG
    expect(detectFormat(Uint8Array.from([0xfb, 0x30]))).toBe('pstats'); // marshal.dumps({}) in Python 3
    expect(detectFormat(Buffer.from('{0'))).toBe('pstats'); // ... and in Python 2
    expect(detectFormat(Buffer.from('a;b 1\n\u0000\n'))).toBe('pstats');
    expect(detectFormat(Buffer.from('{(\u0003\u0000\u0000\u0000'))).toBe('pstats'); // a Python 2 dump's start
    expect(detectFormat(Uint8Array.from([0x61, 0x20, 0xff, 0x31]))).toBe('pstats'); // not UTF-8
  });

  it('a UTF-8 character cut off at the end of the input is still text', () => {
    const b = Buffer.from('a;\u20ac 1', 'utf8');
    expect(detectFormat(b.subarray(0, b.length - 3))).toBe('folded');
  });

  it('decodeText drops a byte order mark and replaces bad bytes', () => {
    expect(decodeText(Buffer.from('\ufeffa 1', 'utf8'))).toBe('a 1');
    expect(decodeText(Uint8Array.from([0x61, 0xff]))).toBe('a\ufffd');
  });
});

describe('readProfile: detection and --input-format', () => {
  it('reads each kind of input without being told', () => {
    expect(readProfile(fixture(FIXTURES, 'sample-py3.prof'), 'p').kind).toBe('callgraph');
    expect(readProfile(fixture(SAMPLED, 'plopload.plop'), 'p').kind).toBe('sampled');
    expect(readProfile(fixture(SAMPLED, 'plopload.flame'), 'p').kind).toBe('sampled');
    expect(readProfile(fixture(EXPECTED, 'sample-py3.log'), 'p').kind).toBe('sampled');
  });

  it('JSON is named as JSON, not misread as a plop dict or folded stacks', () => {
    for (const text of ['{"traceEvents": []}', ' [1, 2]', '\ufeff{ "a": 1}']) {
      expect(() => readProfile(Buffer.from(text, 'utf8'), 'x.json')).toThrow(
        'x.json: not a profile flameprof reads: this is JSON text of another kind (flameprof reads pprof profiles, pstats dumps, speedscope files, pyinstrument sessions, plop files, folded stacks)',
      );
    }
    // A plop dict has tuple keys, so it is not taken for JSON.
    expect(readProfile(Buffer.from("{(('a.py', 1, 'f'),): 2}", 'utf8'), 'x.plop').kind).toBe('sampled');
  });

  it('an empty input renders as a valid, empty graph with a note', () => {
    const frames = buildFrames(readProfile(new Uint8Array(0), 'empty.txt'));
    expect(frames.flame.length).toBe(0);
    expect(frames.inverted.length).toBe(0);
    const svg = renderToString(frames);
    expect(svg).toMatch(/<text class="note"[^>]*>[^<]*nothing to draw/);
  });

  it('--input-format overrides the guess, and its reader then reports what is wrong', () => {
    // A plop dict read as folded stacks: line 1 is not "stack count".
    expect(() => readProfile(fixture(SAMPLED, 'plopload.plop'), 'x.plop', 'folded')).toThrow(
      /^x\.plop: line 1: expected "stack count" \(frames separated by ';', a space, a sample count\), got "\{\(\('/,
    );
    // Folded text read as pstats.
    expect(() => readProfile(fixture(SAMPLED, 'plopload.flame'), 'x.flame', { inputFormat: 'pstats' })).toThrow(
      /^x\.flame: not a pstats dump: it looks like a text file/,
    );
    // A pstats dump read as plop: binary is no Python literal.
    expect(() => readProfile(fixture(FIXTURES, 'sample-py3.prof'), 'x.prof', 'plop')).toThrow(/^x\.prof: line 1, column 1: expected a value/);
    // A log that happens to start with '{' (a file named so) is still read as folded when told.
    const p = readProfile(Buffer.from('{weird}:1:f 5\n'), 'y', 'folded');
    expect(p.kind).toBe('sampled');
  });

  it('CLI: --input-format and detection on stdin', () => {
    const log = fixture(EXPECTED, 'sample-py3.log');
    let r = spawnSync(process.execPath, [CLI, '--format=log', '-'], { input: log, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(log.toString('utf8'));
    r = spawnSync(process.execPath, [CLI, '--input-format=pstats', '-'], { input: log, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('flameprof: stdin: not a pstats dump: it looks like a text file (a pstats dump is binary marshal data)\n');
    r = spawnSync(process.execPath, [CLI, '--input-format=csv', '-'], { input: log, encoding: 'utf8' });
    expect(r.status).toBe(2);
  });

  it('CLI: the file name does not matter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'detect-'));
    try {
      copyFileSync(join(FIXTURES, 'sample-py3.prof'), join(dir, 'looks.plop'));
      copyFileSync(join(EXPECTED, 'sample-py3.log'), join(dir, 'looks.prof'));
      const a = spawnSync(process.execPath, [CLI, '--format=log', join(dir, 'looks.plop')], { encoding: 'utf8' });
      const b = spawnSync(process.execPath, [CLI, '--format=log', join(dir, 'looks.prof')], { encoding: 'utf8' });
      expect(a.status).toBe(0);
      expect(b.status).toBe(0);
      expect(a.stdout).toBe(readFileSync(join(EXPECTED, 'sample-py3.log'), 'utf8'));
      expect(b.stdout).toBe(a.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('gzip', () => {
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
});

test('every importer has a name, words for messages and file endings; --input-format and serve take them from the list', () => {
  expect(IMPORTERS.map((i) => i.name)).toEqual(['pprof', 'pstats', 'speedscope', 'pyinstrument', 'plop', 'folded']);
  expect(INPUT_FORMATS).toEqual(['auto', 'pprof', 'pstats', 'speedscope', 'pyinstrument', 'plop', 'folded']);
  const names = ['a.prof', 'b.pstats', 'c.cprof', 'd.profile', 'e.plop', 'f.folded', 'g.flame', 'h.stacks', 'i.log', 'j.txt', 'K.PROF.GZ', 'l.folded.gz'];
  for (const name of [...names, 'cpu.pb.gz', 'm.pprof', 'n.speedscope.json', 'o.pyisession']) {
    expect([name, PROFILE_FILE.test(name)]).toEqual([name, true]);
  }
  for (const name of ['a.svg', 'b.html', 'c.json', 'd.prof.svg', 'e.gz', 'f.profx']) expect([name, PROFILE_FILE.test(name)]).toEqual([name, false]);
});
