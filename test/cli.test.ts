/**
 * The command line as a user meets it: `node bin/flameprof.js` in a child process, its
 * stdout bytes, its stderr lines and its exit code.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_OPTIONS } from '../src/options';
import { FLAGS } from '../src/cli';
import { readOurSvg, readReferenceSvg } from './helpers/svg-frames';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin/flameprof.js');
const BUNDLE = join(ROOT, 'dist/cli.bundle.js');
const FIXTURES = join(__dirname, 'fixtures');
const EXPECTED = join(FIXTURES, 'expected');
const fixture = (name: string) => join(FIXTURES, name);
const expected = (name: string) => readFileSync(join(EXPECTED, name));

/** Newest modification time of what goes into the bundle. */
function newestSource(): number {
  let newest = statSync(join(ROOT, 'package.json')).mtimeMs;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(ROOT, 'src'));
  return newest;
}

const bundleIsFresh = (): boolean => existsSync(BUNDLE) && statSync(BUNDLE).mtimeMs >= newestSource();

let dir: string;

beforeAll(() => {
  // `npm test` builds first; a bare `npx jest` may find no bundle, or one older than src.
  if (!bundleIsFresh()) {
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts/build.js')], { cwd: ROOT, stdio: 'pipe' });
    } catch (err) {
      // The bundle is written before the type check: a type error elsewhere need not stop us.
      if (!bundleIsFresh()) throw err;
    }
  }
  dir = mkdtempSync(join(tmpdir(), 'flameprof-cli-'));
}, 180000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Result {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** stderr split into lines, without the final empty one. */
  lines: string[];
}

function run(args: string[], input?: Buffer | string): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input: input ?? '',
    maxBuffer: 1 << 28,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const stderr = r.stderr.toString('utf8');
  return { code: r.status, stdout: r.stdout, stderr, lines: stderr.split('\n').filter((l, i, a) => i < a.length - 1 || l !== '') };
}

const W800 = ['--width', '800', '--row-height', '16', '--font-size', '10', '--threshold', '0.5', '--log-mult', '1000'];
const ROOTS_WARNING = /^flameprof: warning: the flame's bottom row/;

describe('rendering', () => {
  test('default: the SVG on stdout, nothing on stderr, exit 0', () => {
    const r = run([fixture('sample-py3.prof')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const ours = readOurSvg(r.stdout.toString('utf8'));
    const ref = readReferenceSvg(expected('sample-py3.svg').toString('utf8'));
    // Positions to 1e-6 px (ours are written to 9 decimals), colours exactly.
    expect(ours.frames.length).toBe(ref.frames.length);
    const off = ours.frames.flatMap((f, i) => {
      const g = ref.frames[i];
      const far = (['x', 'y', 'width'] as const).filter((k) => !(Math.abs(f[k] - g[k]) <= 1e-6));
      return far.length > 0 || f.fill !== g.fill ? [{ i, ours: [f.x, f.y, f.width, f.fill], ref: [g.x, g.y, g.width, g.fill] }] : [];
    });
    expect(off).toEqual([]);
    // The default title is the input's file name.
    const texts = Array.from(ours.document.getElementsByTagName('text')).map((t) => t.textContent);
    expect(texts).toContain('sample-py3.prof');
  });

  test('--format log is byte-identical to the reference, with default and other options', () => {
    const a = run(['--format', 'log', fixture('sample-py3.prof')]);
    expect(a.code).toBe(0);
    expect(a.stdout.equals(expected('sample-py3.log'))).toBe(true);
    const b = run([...W800, '--format=log', fixture('recursion.prof')]);
    expect(b.code).toBe(0);
    expect(b.stdout.equals(expected('recursion.w800-rh16-fs10-t0.5-m1000.log'))).toBe(true);
  });

  test('- reads standard input', () => {
    const r = run(['--format', 'log', '-'], readFileSync(fixture('sample2-py3.prof')));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.equals(expected('sample2-py3.log'))).toBe(true);
  });

  test('several inputs merge as pstats.Stats(a, b) does: recursion + textproc = merged', () => {
    const r = run(['--format', 'log', fixture('recursion.prof'), fixture('textproc.prof')]);
    expect(r.code).toBe(0);
    expect(r.stdout.equals(expected('merged.log'))).toBe(true);
    // A file and stdin merge the same way.
    const s = run(['--format', 'log', fixture('recursion.prof'), '-'], readFileSync(fixture('textproc.prof')));
    expect(s.code).toBe(0);
    expect(s.stdout.equals(expected('merged.log'))).toBe(true);
  });

  test.each([['cProfile'], ['profile']])('an ordinary fresh dump of python3 -m %s renders with nothing on stderr', (module) => {
    const dir = mkdtempSync(join(tmpdir(), 'flameprof-fresh-'));
    try {
      const dump = join(dir, 'fresh.prof');
      const py = spawnSync('python3', ['-m', module, '-o', dump, join(ROOT, 'samples', 'pipeline.py')], { cwd: ROOT, encoding: 'utf8' });
      expect(py.status).toBe(0);
      for (const format of ['svg', 'html', 'log']) {
        const r = run([`--format=${format}`, '-o', join(dir, `out.${format}`), dump]);
        expect([format, r.code, r.stderr]).toEqual([format, 0, '']);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('warnings go to stderr, never into the output', () => {
    const r = run(['--format', 'log', fixture('roots-off.prof')]);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toMatch(/^app\.py:1:main \d+\n/);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(ROOTS_WARNING);
    const svg = run([fixture('roots-off.prof')]);
    expect(svg.lines).toEqual(r.lines);
    expect(readOurSvg(svg.stdout.toString('utf8')).frames.length).toBeGreaterThan(0);
  });

  test('a profile holding no time: a warning, an SVG saying so, an empty log, exit 0', () => {
    for (const [name, bytes] of [
      ['empty-dict.prof', Buffer.from('{0', 'latin1')],
      ['empty-dict-v4.prof', Buffer.from([0xfb, 0x30])],
    ] as const) {
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const svg = run([file]);
      expect(svg.code).toBe(0);
      expect(svg.lines).toHaveLength(1);
      expect(svg.lines[0]).toMatch(/^flameprof: warning: .*no time/);
      const doc = readOurSvg(svg.stdout.toString('utf8'));
      expect(doc.frames).toEqual([]);
      expect(doc.document.documentElement.textContent).toMatch(/holds no time/);
      const log = run(['--format', 'log', file]);
      expect(log.code).toBe(0);
      expect(log.stdout.length).toBe(0);
      expect(log.lines).toEqual(svg.lines);
    }
  });

  test('a repeated option: the last one wins (so an alias with defaults can be overridden)', () => {
    const r = run(['--width', '100', '--width', '200', fixture('sample-py3.prof')]);
    expect(r.code).toBe(0);
    expect(readOurSvg(r.stdout.toString('utf8')).width).toBe(200);
  });

  test('a reader that goes away (| head -c 100) ends us quietly', () => {
    // 6 MB of SVG: far more than a pipe holds, so the write side sees the pipe close.
    const err = join(dir, 'head.err');
    const r = spawnSync(
      'bash',
      ['-c', 'set -o pipefail; "$0" "$1" --threshold 0.001 "$2" 2>"$3" | head -c 100 | wc -c', process.execPath, BIN, fixture('merged.prof'), err],
      { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect(r.stdout.toString().trim()).toBe('100');
    expect(r.status).toBe(0);
    // Only the profile's own warning: no EPIPE, no stack trace.
    const lines = readFileSync(err, 'utf8').split('\n').filter((l) => l !== '');
    expect(lines.filter((l) => !ROOTS_WARNING.test(l))).toEqual([]);
  });
});

describe('-o FILE', () => {
  test('writes the file, not stdout, and leaves nothing else behind', () => {
    const out = join(dir, 'o1', 'graph.svg');
    mkdirSync(join(dir, 'o1'));
    const r = run(['-o', out, fixture('sample-py3.prof')]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe('');
    expect(readOurSvg(readFileSync(out, 'utf8')).frames.length).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'o1'))).toEqual(['graph.svg']);
  });

  test('a failing run leaves an existing good file untouched and no temporary file', () => {
    const sub = join(dir, 'o2');
    mkdirSync(sub);
    const out = join(sub, 'graph.log');
    expect(run(['--format', 'log', '-o', out, fixture('sample-py3.prof')]).code).toBe(0);
    const good = readFileSync(out);
    expect(good.equals(expected('sample-py3.log'))).toBe(true);

    const truncated = join(dir, 'truncated.prof');
    writeFileSync(truncated, readFileSync(fixture('sample-py3.prof')).subarray(0, 100));
    for (const args of [
      [truncated],
      [join(dir, 'missing.prof')],
      // Fails while estimating, after every input was read.
      ['--threshold', '0', '--max-frames', '100', fixture('textproc.prof')],
    ]) {
      const r = run(['--format', 'log', '-o', out, ...args]);
      expect(r.code).toBe(1);
      expect(r.lines).toHaveLength(1);
      expect(readFileSync(out).equals(good)).toBe(true);
      expect(readdirSync(sub)).toEqual(['graph.log']);
    }
  });

  test('an output path that cannot be written is one error line naming it', () => {
    const sub = join(dir, 'o3');
    mkdirSync(join(sub, 'taken'), { recursive: true });
    for (const out of [join(sub, 'taken'), join(sub, 'no-such-dir', 'x.svg')]) {
      const r = run(['-o', out, fixture('sample-py3.prof')]);
      expect(r.code).toBe(1);
      expect(r.lines).toEqual([expect.stringMatching(new RegExp(`^flameprof: ${escape(out)}: cannot write`))]);
    }
    expect(readdirSync(sub)).toEqual(['taken']);
  });
});

describe('information', () => {
  test('--version prints the package version', () => {
    const r = run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout.toString()).toBe(`${version}\n`);
  });

  test('--help lists every option and examples', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const text = r.stdout.toString();
    expect(text).toMatch(/^flameprof /);
    for (const f of FLAGS) {
      expect(text).toContain(`--${f.name}`);
      if (f.alias) expect(text).toContain(`-${f.alias}, --${f.name}`);
    }
    expect(text).toMatch(/Examples:\n\s+flameprof /);
    expect(text).toContain('standard input');
    // Every option's default comes from DEFAULT_OPTIONS, the run's and the server's too.
    const compact = text.replace(/\s+/g, ' ');
    for (const f of FLAGS.filter((g) => g.option !== undefined)) {
      const def = DEFAULT_OPTIONS[f.option!];
      if (def === undefined) continue;
      expect(compact).toMatch(new RegExp(`--${f.name} [^[]*(\\[[a-z]+\\] )*(\\[choices: [^\\]]*\\] )?\\[default: ${JSON.stringify(def).replace(/[[\]]/g, '\\$&')}\\]`));
    }
    expect(text).not.toContain('[object');
    expect(run(['-h']).stdout.equals(r.stdout)).toBe(true);
  });

  test("the README's Options table lists every flag", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const start = readme.indexOf('\n## Options\n');
    expect(start).toBeGreaterThanOrEqual(0);
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    for (const f of FLAGS) {
      const row = rows.find((r) => r.split('|')[1].includes(`--${f.name === 'js' ? 'no-js' : f.name}`));
      expect(row === undefined ? `--${f.name} missing` : 'listed').toBe('listed');
      if (f.alias) expect(row).toContain(`\`-${f.alias}`);
    }
  });

  test('--debug adds the stack trace of an error; without it there is none', () => {
    const missing = join(dir, 'nope.prof');
    const plain = run([missing]);
    expect(plain.code).toBe(1);
    expect(plain.lines).toEqual([`flameprof: ${missing}: no such file`]);
    const debug = run(['--debug', missing]);
    expect(debug.code).toBe(1);
    expect(debug.lines[0]).toBe(`flameprof: ${missing}: no such file`);
    expect(debug.lines.length).toBeGreaterThan(2);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});

describe('the code cache (bin/load-bundle.js)', () => {
  const loaded = (root: string): string =>
    execFileSync(process.execPath, ['-e', `process.stdout.write(require(${JSON.stringify(join(root, 'bin/load-bundle.js'))}).loadBundle().cache)`], { encoding: 'utf8' });

  test('the build made one for its bundle, and V8 takes it', () => {
    expect(loaded(ROOT)).toBe('used');
  });

  test('a cache made for another bundle is not used, and the CLI works without it', () => {
    const copy = join(dir, 'stale');
    mkdirSync(join(copy, 'bin'), { recursive: true });
    mkdirSync(join(copy, 'dist'));
    for (const f of ['bin/flameprof.js', 'bin/load-bundle.js', 'dist/cli.bundle.cache']) writeFileSync(join(copy, f), readFileSync(join(ROOT, f)));
    // The same bytes, written again: another modification time.
    writeFileSync(join(copy, 'dist/cli.bundle.js'), readFileSync(BUNDLE));
    expect(loaded(copy)).toBe('none');
    const r = spawnSync(process.execPath, [join(copy, 'bin/flameprof.js'), '--format=log', fixture('recursion.prof')]);
    expect(r.status).toBe(0);
    expect(r.stdout.equals(expected('recursion.log'))).toBe(true);
  });
});

describe('usage errors: exit 2, one line, nothing on stdout', () => {
  test.each([
    [['--width', '0'], /--width must be at least 1, got '0'/],
    [['--threshold', '-1'], /--threshold must be at least 0, got '-1'/],
    [['--row-height', 'abc'], /--row-height must be a whole number, got 'abc'/],
    [['--font-size', '1.5'], /--font-size must be a whole number, got '1.5'/],
    [['--log-mult', '0'], /--log-mult must be greater than 0/],
    [['--bogus'], /unknown option --bogus/],
    [['-x'], /unknown option -x/],
    [['--format', 'xml'], /--format must be one of svg, html, log\b.*, got 'xml'/],
    [['--threshold', '150'], /--threshold must be at most 100, got '150'/],
    [['--threshold', 'Infinity'], /--threshold must be a number, got 'Infinity'/],
    [['--width', '0x10'], /--width must be a whole number, got '0x10'/],
    [['--width', '0b11'], /--width must be a whole number, got '0b11'/],
    [['--log-mult', '1_000'], /--log-mult must be a number, got '1_000'/],
  ])('%j', (args, message) => {
    const r = run([...(args as string[]), fixture('sample-py3.prof')]);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^flameprof: /);
    expect(r.lines[0]).toMatch(message);
  });

  test.each([
    [[], /no profile given/],
    [['--format'], /--format needs a value/],
    [['--threshold'], /--threshold needs a value/],
  ])('%j (nothing after it)', (args, message) => {
    const r = run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(message);
  });
});

describe('input errors: exit 1, one line naming the input, no stack trace', () => {
  const cases: Array<[string, () => string, RegExp]> = [
    ['a missing file', () => join(dir, 'missing.prof'), /no such file$/],
    ['a folder with no profile in it', () => mkdtempSync(join(dir, 'empty-')), /: no profiles in this folder$/],
    ['an empty file', () => write('empty.prof', ''), /empty file$/],
    ['a JSON file', () => write('trace.json', '{"traceEvents": [{"name": "f", "ph": "X"}]}\n'), /not a profile flameprof reads: this is JSON text of another kind/],
    ['a Python script', () => write('app.py', 'import sys\n\ndef main():\n    print(sys.argv)\n'), /: a Python script, not a profile: to profile it, run flameprof -r .*app\.py$/],
    ['a truncated dump', () => write('cut.prof', readFileSync(fixture('textproc.prof')).subarray(0, 5000)), /truncated at byte \d+/],
    // marshal.dumps([1, 2]) from Python 3.11: a list, not the dict pstats writes.
    ['a top-level list', () => write('list.prof', Buffer.from('5b02000000e901000000e902000000', 'hex')), /top-level object is a list, expected a dict/],
  ];

  test.each(cases)('%s', (_what, make, reason) => {
    const path = make();
    const r = run([path]);
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0].startsWith(`flameprof: ${path}: `)).toBe(true);
    expect(r.lines[0]).toMatch(reason);
  });

  test('empty standard input', () => {
    const r = run(['-'], '');
    expect(r.code).toBe(1);
    expect(r.lines).toEqual(['flameprof: stdin: empty input']);
  });

  test('--threshold 0 on a real profile with a small --max-frames', () => {
    const r = run(['--threshold', '0', '--max-frames', '1000', fixture('textproc.prof')]);
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBe(0);
    expect(r.lines).toEqual([expect.stringMatching(/^flameprof: the graph would have more than 1000 frames at --threshold 0; raise --threshold/)]);
  });
});

describe('a folder as input: the profiles under it, merged in path order', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(join(dir, 'folder-'));
    mkdirSync(join(folder, 'b'));
    mkdirSync(join(folder, '.hidden'));
    // Named so that the shell's byte order differs from creation order and from a locale's.
    writeFileSync(join(folder, 'b', 'Z.prof'), readFileSync(fixture('sample-py3.prof')));
    writeFileSync(join(folder, 'a.prof'), readFileSync(fixture('sample2-py3.prof')));
    writeFileSync(join(folder, 'B.prof'), readFileSync(fixture('textproc.prof')));
    writeFileSync(join(folder, '.hidden', 'x.prof'), 'not read');
    writeFileSync(join(folder, 'notes.md'), 'not read');
  });

  test('its profiles (hidden ones and other files left out) as if listed in byte order, sub-folders too', () => {
    const listed = run(['--format=log', join(folder, 'B.prof'), join(folder, 'a.prof'), join(folder, 'b', 'Z.prof')]);
    expect(listed.code).toBe(0);
    const merged = run(['--format=log', folder]);
    expect([merged.code, merged.stderr]).toEqual([0, '']);
    expect(merged.stdout.equals(listed.stdout)).toBe(true);
    // In another order the float sums may differ in their last bits: the order is part of the result.
    expect(run(['--format=log', '--files', '^b/|^a', folder]).stdout.equals(run(['--format=log', join(folder, 'a.prof'), join(folder, 'b', 'Z.prof')]).stdout)).toBe(true);
  });

  test('--files: a bad expression or no folder is a usage error; nothing matching, or a bad profile, an input error', () => {
    expect([run(['--files', '(', folder]).code, run(['--files', '(', folder]).lines]).toEqual([2, ["flameprof: --files '(' is not a regular expression: Unterminated group (see 'flameprof --help')"]]);
    expect(run(['--files', 'a', fixture('textproc.prof')]).lines).toEqual(["flameprof: --files works only with a folder among the inputs (see 'flameprof --help')"]);
    const none = run(['--files', 'zzz', folder]);
    expect([none.code, none.lines]).toEqual([1, [`flameprof: ${folder}: no profile in this folder matches zzz`]]);
    writeFileSync(join(folder, 'cut.prof'), readFileSync(fixture('textproc.prof')).subarray(0, 5000));
    const bad = run([folder]);
    expect([bad.code, bad.stdout.length, bad.lines.length]).toEqual([1, 0, 1]);
    expect(bad.lines[0]).toMatch(new RegExp(`^flameprof: ${escape(join(folder, 'cut.prof'))}: truncated at byte \\d+`));
  });
});

function write(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
