#!/usr/bin/env node
// Proves that a change leaves every output byte-identical: builds an older commit beside the
// working tree, then runs both CLIs on every fixture, sample and bench input, at the default
// threshold and at 0.001, in every output format, and compares the bytes. The browser scripts
// that SVGs and reports carry (and the report's policy, which holds its script's hash) are
// left out of the comparison: `--scripts` compares them too.
//
//   node scripts/compare-outputs.js REV        (e.g. origin/main, HEAD~3; build this tree first)
//
// The older build is kept in the system's temporary folder, keyed by commit, and reused.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.join(__dirname, '..');
const rev = process.argv[2];
if (!rev) {
  console.error('usage: node scripts/compare-outputs.js REV');
  process.exit(2);
}
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
const commit = git('rev-parse', '--verify', `${rev}^{commit}`);
const old = path.join(os.tmpdir(), `flameprof-compare-${commit.slice(0, 12)}`);
if (!fs.existsSync(path.join(old, 'dist', 'cli.bundle.js'))) {
  fs.rmSync(old, { recursive: true, force: true });
  console.log(`building ${commit.slice(0, 12)} in ${old}`);
  execFileSync('git', ['clone', '--quiet', '--no-checkout', root, old]);
  execFileSync('git', ['checkout', '--quiet', commit], { cwd: old });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: old, stdio: 'inherit' });
}

const inputs = ['test/fixtures', 'test/fixtures/sampled', 'samples', 'bench/inputs']
  .flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir))
      .filter((f) => /\.(prof|plop|flame)$/.test(f))
      .map((f) => path.join(dir, f)),
  )
  .sort();
const runs = [];
for (const input of inputs) {
  for (const threshold of [undefined, '0.001']) {
    for (const format of ['svg', 'log', 'speedscope', 'html']) runs.push({ input, threshold, format });
    runs.push({ input, threshold, format: 'svg', toFile: true });
  }
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flameprof-compare-out-'));

/**
 * Exit code, output and stderr of one CLI (the output on stdout, or with `toFile` through -o);
 * the input's path is the same for both, so titles agree.
 */
function run(tree, { input, threshold, format, toFile }) {
  const out = path.join(scratch, 'out');
  fs.rmSync(out, { force: true });
  const args = [path.join(tree, 'bin', 'flameprof.js'), `--format=${format}`, ...(threshold ? ['--threshold', threshold] : [])];
  if (toFile) args.push('-o', out);
  const r = spawnSync(process.execPath, [...args, input], { cwd: root, maxBuffer: 1 << 30 });
  const stdout = toFile && fs.existsSync(out) ? fs.readFileSync(out) : r.stdout;
  return { status: r.status, stdout, stderr: r.stderr.toString() };
}

const withScripts = process.argv.includes('--scripts');

/** The output as compared: an SVG without its viewer, a report without its page script and policy. */
function compared(format, bytes) {
  if (withScripts || (format !== 'svg' && format !== 'html')) return bytes;
  const text = bytes.toString('utf8');
  if (format === 'svg') return Buffer.from(text.replace(/<script type="application\/ecmascript"><!\[CDATA\[[\s\S]*?\]\]><\/script>\n/, ''));
  return Buffer.from(text.replace(/<meta http-equiv="Content-Security-Policy" content="[^"]*">\n/, '').replace(/<script>[\s\S]*?<\/script>\n<\/body>/, '</body>'));
}

let differ = 0;
for (const r of runs) {
  const a = run(old, r);
  const b = run(root, r);
  const same = a.status === b.status && compared(r.format, a.stdout).equals(compared(r.format, b.stdout)) && a.stderr === b.stderr;
  const what = `${r.input} --format=${r.format}${r.threshold ? ` --threshold ${r.threshold}` : ''}${r.toFile ? ' -o FILE' : ''}`;
  if (!same) {
    differ++;
    console.log(`DIFFERS ${what} (exit ${a.status} -> ${b.status}, ${a.stdout.length} -> ${b.stdout.length} bytes)`);
  }
}
fs.rmSync(scratch, { recursive: true, force: true });
console.log(differ === 0 ? `all ${runs.length} outputs identical to ${commit.slice(0, 12)}` : `${differ} of ${runs.length} outputs differ`);
process.exitCode = differ === 0 ? 0 : 1;
