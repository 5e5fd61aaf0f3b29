/**
 * The renderer registry (src/render/registry.ts): each format's size is a true bound of what
 * it writes (--max-output relies on it), the formats that hold the flame only refuse
 * --inverted-only, and -r names its outputs by the format's extension.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFrames, readProfile, render } from '../../src/pipeline';
import { DIFF_FORMATS, OUTPUT_FORMATS, RENDERERS } from '../../src/render/registry';
import type { Renderer } from '../../src/render/renderer';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'flameprof.js');
const FIXTURES = join(ROOT, 'test', 'fixtures');

test('the list: names, extensions, and what each can draw', () => {
  expect(OUTPUT_FORMATS).toEqual(['svg', 'html', 'log', 'speedscope', 'pprof']);
  expect(RENDERERS.filter((r) => r.flameOnly).map((r) => r.name)).toEqual(['log', 'speedscope', 'pprof']);
  expect((RENDERERS as readonly Renderer[]).filter((r) => r.binary === true).map((r) => r.name)).toEqual(['pprof']);
  expect(DIFF_FORMATS).toEqual(['svg', 'html', 'log']);
});

test.each(['textproc.prof', 'sample-py3.prof', 'sampled/plopload.plop'])("%s: each renderer's size, cheap or close, is at least what it writes", (name) => {
  const profile = readProfile(readFileSync(join(FIXTURES, name)), name);
  for (const threshold of [0.1, 0.001]) {
    const frames = buildFrames(profile, { threshold });
    for (const r of RENDERERS) {
      let bytes = 0;
      for (const c of render(frames, { format: r.name }, { reuse: true })) bytes += c.length;
      expect([r.name, threshold, r.size(frames, Infinity) >= bytes]).toEqual([r.name, threshold, true]);
      expect([r.name, threshold, r.size(frames, 0) >= bytes]).toEqual([r.name, threshold, true]);
    }
  }
});

test.each(RENDERERS.map((r) => [r.name, r.flameOnly] as const))('--format=%s --inverted-only: refused when the format holds the flame only (%s)', (format, flameOnly) => {
  const r = spawnSync(process.execPath, [CLI, `--format=${format}`, '--inverted-only', join(FIXTURES, 'textproc.prof')], { encoding: 'utf8' });
  if (flameOnly) {
    expect([r.status, r.stderr]).toEqual([2, `flameprof: --inverted-only draws svg or html: the ${format} output holds the flame only (see 'flameprof --help')\n`]);
  } else {
    expect([r.status, r.stderr.split('\n').filter((l) => !l.startsWith('flameprof: warning:'))]).toEqual([0, ['']]);
  }
});

test('-r names its output after the script, with the format\'s extension', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flameprof-registry-'));
  try {
    for (const r of RENDERERS) {
      const run = spawnSync(process.execPath, [CLI, '-r', join(FIXTURES, 'programs', 'exit_three.py'), `--format=${r.name}`], { cwd: dir, encoding: 'utf8' });
      expect(run.status).toBe(3);
    }
    const names = readdirSync(join(dir, 'profiles')).map((f) => f.replace(/^exit_three-\d{8}-\d{6}(-\d+)?/, ''));
    expect(names.sort()).toEqual(RENDERERS.map((r) => r.extension).sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
