#!/usr/bin/env node
// `npm test`: build, type-check the tests and the browser code, run jest (with any arguments given to npm test),
// then the Python package's tests with pytest. The Python tests start real frameworks from
// Debian's packages, which serve /usr/bin/python3, so pytest runs under that interpreter
// ($FLAMEPROF_TEST_PYTHON chooses another). Ends with one line per runner:
// `jest: N passed, N failed` and `pytest: N passed, N failed`; the exit code is 0 only if
// both passed.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const root = path.join(__dirname, '..');

function step(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

/** Run and echo a command, keeping its output to read its summary. */
function echoed(cmd, args) {
  return new Promise((done) => {
    let text = '';
    const child = spawn(cmd, args, { cwd: root, stdio: ['inherit', 'pipe', 'pipe'] });
    const keep = (out) => (d) => {
      text += d;
      out.write(d);
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    child.on('error', (err) => {
      text += `\n${err.message}\n`;
      done({ status: 1, text });
    });
    child.on('close', (status) => done({ status, text }));
  });
}

/** "N passed" and "N failed" (errors count as failed) from a runner's last summary line. */
function counts(text, pattern) {
  const line = text.split('\n').filter((l) => pattern.test(l)).pop() ?? '';
  const n = (word) => Number((new RegExp(`(\\d+) ${word}`).exec(line) ?? [0, 0])[1]);
  return { passed: n('passed'), failed: n('failed') + n('errors?') };
}

async function main() {
  if (!step(process.execPath, [path.join(root, 'scripts', 'build.js')])) return 1;
  for (const config of ['tsconfig.test.json', 'tsconfig.browser.json']) {
    if (!step(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, config)])) return 1;
  }
  const jest = await echoed(process.execPath, [require.resolve('jest/bin/jest'), ...process.argv.slice(2)]);
  const python = process.env.FLAMEPROF_TEST_PYTHON || (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
  console.log(`\npytest, under ${python}:`);
  const pytest = await echoed(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', path.join(root, 'python', 'tests')]);
  const j = counts(jest.text, /^Tests:/);
  const p = counts(pytest.text, /\d+ (passed|failed|errors?)\b.* in [\d.]+s/);
  // A runner that failed without saying how many tests failed still counts one failure.
  if (jest.status !== 0 && j.failed === 0) j.failed = 1;
  if (pytest.status !== 0 && p.failed === 0) p.failed = 1;
  console.log(`\njest: ${j.passed} passed, ${j.failed} failed\npytest: ${p.passed} passed, ${p.failed} failed`);
  return jest.status === 0 && pytest.status === 0 ? 0 : 1;
}

main().then((code) => {
  process.exitCode = code;
});
