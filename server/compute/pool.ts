/**
 * The compute pool: worker threads (piscina) for the heavy, pure work — per-grid coverage
 * clipping and isochrone polygons — so the event loop keeps answering light requests (health,
 * nearest, locate) while planners compute. PGlite and every database call stay on the main thread.
 *
 * Bounded: requests are admitted by server/compute/heavy.ts (HEAVY_QUEUE at once), so the tasks
 * waiting here are bounded by that times the batches per request; `maxQueue` is a second fence
 * (past it `run` throws a 503 `busy` with `Retry-After`).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { TransferListItem } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { busy } from '../errors.js';
import type { Task } from './tasks.js';

export interface PoolSettings {
  /** Threads (default: the machine's cores). */
  threads?: number;
  /** Tasks that may wait for a thread before new work is refused with 503 (default 4096). */
  maxQueue?: number;
}

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

export class ComputePool {
  private started: Piscina | null = null;
  /** Tasks that ran on a thread and finished (for tests and monitoring). */
  completed = 0;
  private closed = false;
  readonly threads: number;

  constructor(private readonly s: PoolSettings = {}) {
    this.threads = Math.max(1, s.threads ?? availableParallelism());
  }

  /** The threads start on first use (an app that never computes never starts them). */
  private get pool(): Piscina {
    if (this.closed) throw busy(5);
    this.started ??= new Piscina({
      filename: WORKER,
      minThreads: this.threads,
      maxThreads: this.threads,
      maxQueue: this.s.maxQueue ?? 4096,
    });
    return this.started;
  }

  /** Runs a task on a thread; `transfer` lists buffers moved (not copied) to it. */
  async run<R>(task: Task, transfer: TransferListItem[] = []): Promise<R> {
    try {
      const r = (await this.pool.run(task, { transferList: transfer as never })) as R;
      this.completed++;
      return r;
    } catch (err) {
      if ((err as Error).message === 'Task queue is at limit') throw busy(5);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.started?.destroy();
  }
}
