/**
 * Go's own tools, for the pprof tests: `go tool pprof -top` (the independent reader of what
 * we write) and `go run` of a program that writes its own CPU profile. Debian's golang-go;
 * HOME, GOCACHE and GOPATH go to a temporary folder, so nothing is left in the user's.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const home = mkdtempSync(join(tmpdir(), 'flameprof-go-'));
const env = { ...process.env, HOME: home, GOCACHE: join(home, 'cache'), GOPATH: join(home, 'path'), GOFLAGS: '-mod=mod', GO111MODULE: 'auto' };

export function go(args: string[], cwd?: string): string {
  return execFileSync('go', args, { env, cwd, encoding: 'utf8', timeout: 180000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `go tool pprof -top` of a profile: each function's flat and cumulative share, in its order. */
export function pprofTop(file: string, extra: string[] = []): Array<{ name: string; flat: number; cum: number }> {
  const out = go(['tool', 'pprof', '-top', '-nodecount=1000', ...extra, file]);
  const rows: Array<{ name: string; flat: number; cum: number }> = [];
  for (const line of out.split('\n')) {
    const m = /^\s*\S+\s+([\d.]+)%\s+[\d.]+%\s+\S+\s+([\d.]+)%\s+(.+)$/.exec(line);
    if (m) rows.push({ name: m[3].trim(), flat: Number(m[1]), cum: Number(m[2]) });
  }
  return rows;
}
