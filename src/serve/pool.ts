/**
 * `flameprof serve`'s two worker threads (./worker.ts). Each job goes to the one with fewer
 * waiting, so that one slow dump holds up one of them and the other keeps answering. A job
 * whose worker dies (out of memory on a huge dump) is answered with the error, and the next
 * job starts a new worker.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FlameprofError } from '../errors';
import type { ServeReply, ServeRequest } from './worker';

interface Slot {
  readonly worker: Worker;
  readonly waiting: Map<number, (r: ServeReply) => void>;
}

export class WorkerPool {
  private readonly workers: Array<Slot | undefined> = [undefined, undefined];
  private next = 1;

  get size(): number {
    return this.workers.length;
  }

  run(job: ServeRequest): Promise<ServeReply> {
    const id = this.next++;
    const slot = this.pick();
    return new Promise((done) => {
      slot.waiting.set(id, done);
      slot.worker.postMessage({ ...job, id });
    });
  }

  private pick(): Slot {
    let best = -1;
    for (let i = 0; i < this.workers.length; i++) {
      const w = this.workers[i];
      if (w === undefined) return this.start(i);
      if (best < 0 || w.waiting.size < this.workers[best]!.waiting.size) best = i;
    }
    return this.workers[best]!;
  }

  private start(i: number): Slot {
    const worker = new Worker(workerFile());
    const slot: Slot = { worker, waiting: new Map() };
    worker.on('message', (r: ServeReply) => {
      const done = slot.waiting.get(r.id);
      slot.waiting.delete(r.id);
      done?.(r);
    });
    const fail = (why: string): void => {
      if (this.workers[i] === slot) this.workers[i] = undefined;
      for (const [id, done] of slot.waiting) done({ id, ok: false, error: why });
      slot.waiting.clear();
    };
    worker.on('error', (err) => fail(`the profile could not be read: ${err.message}`));
    worker.on('exit', (code) => fail(`the reader stopped (exit ${code})`));
    worker.unref();
    this.workers[i] = slot;
    return slot;
  }

  async close(): Promise<void> {
    const all = this.workers.splice(0, this.workers.length, undefined, undefined);
    await Promise.all(all.map((w) => w?.worker.terminate()));
  }
}

/** The worker's script: beside this file in dist/ (the bundle's serve-worker.js, or tsc's worker.js). */
function workerFile(): string {
  for (const f of [join(__dirname, 'serve-worker.js'), join(__dirname, 'worker.js'), join(__dirname, '..', '..', 'dist', 'serve-worker.js')]) {
    if (existsSync(f)) return f;
  }
  throw new FlameprofError("the server's worker script is missing (dist/serve-worker.js): run npm run build");
}
