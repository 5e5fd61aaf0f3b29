'use strict';
/**
 * `flameprof serve` over folders of per-request dumps (part of `npm run bench`; --only serve):
 * test/fixtures/make_requests.py writes 10,000 and then 100,000 real pstats dumps of 5
 * endpoints (about 5 KB each, named as the middlewares name them), and a fresh server is
 * started over each. Timed from outside, over real HTTP on loopback, as a user waits:
 * - 10,000: /groups complete (every profile read) within 20 s of the server's start, and
 *   within 0.5 s warm (the median of /groups with ids apart, folded and sorted by p95, each
 *   computed again); the listing page under 1 MB; /merge of 2,000 dumps within 5 s (the
 *   median of three endpoints, each merged once); the server's peak memory, its worker
 *   threads included, under 300 MB.
 * - 100,000: the server stays up and answers the listing within 2 s warm (the median of five
 *   listings once the folder is walked); the time until every profile is read and the peak
 *   memory are reported.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const MAKE = path.join(__dirname, '..', 'test', 'fixtures', 'make_requests.py');

const median = require('./median');
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

function get(base, p) {
  const url = new URL(p, base);
  const t0 = process.hrtime.bigint();
  return new Promise((done, fail) => {
    http
      .get(url, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => done({ status: res.statusCode, body: Buffer.concat(chunks), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
      })
      .on('error', fail);
  });
}

/** A fresh `flameprof serve DIR` on a free port: its URL, pid and start time. */
function start({ cli, node, env }, dir) {
  const t0 = Date.now();
  const child = spawn(node, [cli, 'serve', dir, '--port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+) /.exec(out);
      if (m) done({ child, url: m[1], t0 });
    });
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}`)));
  });
}

/** The server process's memory now and at its peak, in MB (threads share the process). */
function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)[1]);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Poll `path` until its progress line says every profile is read; the seconds since start. */
async function untilRead(s, p, count, limitMs) {
  for (;;) {
    const r = await get(s.url, p);
    if (r.body.includes(`id="progress">${count} profiles<`)) return (Date.now() - s.t0) / 1000;
    if (Date.now() - s.t0 > limitMs) return Infinity;
    await sleep(100);
  }
}

async function runServeBench(ctx) {
  let bad = 0;
  const row = (name, value, unit, budget, detail = '') => {
    const ok = budget === undefined || value <= budget;
    if (!ok) bad++;
    const verdict = budget === undefined ? 'reported' : `${ok ? 'PASS' : 'FAIL'} (at most ${budget} ${unit})`;
    console.log(`| ${name} | ${Number(value.toPrecision(3))} ${unit} | ${detail} | | ${verdict} |`);
  };
  const make = (dir, n) => {
    const r = spawnSync('python3', [MAKE, dir, String(n)], { env: ctx.env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`make_requests.py: ${r.stderr}`);
  };

  const ten = path.join(ctx.scratch, 'requests-10k');
  make(ten, 10000);
  let s = await start(ctx, ten);
  try {
    row('serve 10,000 dumps: /groups complete, from start', await untilRead(s, '/groups', 10000, 120000), 's', 20);
    const warm = [];
    for (let i = 0; i < 5; i++) for (const p of ['/groups', '/groups?ids=1', '/groups?sort=p95']) warm.push((await get(s.url, p)).ms / 1000);
    row('serve 10,000 dumps: /groups warm', median(warm), 's', 0.5, '15 requests, ids apart and folded in turn');
    const listing = await get(s.url, '/');
    row('serve 10,000 dumps: the listing page', listing.body.length / 2 ** 20, 'MB', 1, `${listing.ms.toFixed(0)} ms`);
    const merges = [];
    for (const endpoint of ['^GET\\.api\\.orders\\.', '^POST\\.api\\.orders\\.', '^GET\\.api\\.search\\.']) {
      const r = await get(s.url, `/merge?match=${encodeURIComponent(endpoint)}`);
      if (r.status !== 200) throw new Error(`/merge ${endpoint}: ${r.status}`);
      merges.push(r.ms / 1000);
    }
    row('serve 10,000 dumps: /merge of 2,000', median(merges), 's', 5, 'the report of one endpoint, three endpoints');
    const mem = memory(s.child.pid);
    row('serve 10,000 dumps: peak memory', mem.peak, 'MB', 300, `now ${mem.rss.toFixed(0)} MB`);
  } finally {
    s.child.kill('SIGTERM');
  }
  fs.rmSync(ten, { recursive: true, force: true });

  const hundred = path.join(ctx.scratch, 'requests-100k');
  make(hundred, 100000);
  s = await start(ctx, hundred);
  try {
    // Walked: the listing no longer says it is looking through the folder.
    for (;;) {
      const r = await get(s.url, '/');
      if (!r.body.includes('looking through the folder')) break;
      await sleep(100);
    }
    const walked = (Date.now() - s.t0) / 1000;
    const lists = [];
    for (const p of ['/', '/?page=2', '/?sort=path', '/?match=search', '/']) lists.push((await get(s.url, p)).ms / 1000);
    row('serve 100,000 dumps: the listing, warm', median(lists), 's', 2, `walked in ${walked.toFixed(1)} s`);
    row('serve 100,000 dumps: every profile read, from start', await untilRead(s, '/', 100000, 600000), 's');
    row('serve 100,000 dumps: /groups once read', (await get(s.url, '/groups?sort=count')).ms / 1000, 's');
    row('serve 100,000 dumps: peak memory', memory(s.child.pid).peak, 'MB');
  } finally {
    s.child.kill('SIGTERM');
  }
  fs.rmSync(hundred, { recursive: true, force: true });
  return bad;
}

module.exports = { runServeBench };
