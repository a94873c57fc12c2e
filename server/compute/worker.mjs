// Entry of a compute-pool thread. Plain JavaScript so it loads under any runner (npm start,
// Vitest, tsx); it registers tsx in this thread and loads the TypeScript task code.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { register } from 'tsx/esm/api';

// Below the event loop: on Linux a thread has its own nice value, so these threads yield the CPU
// to the main thread (health, nearest, every light request) whenever it has work. Elsewhere the
// call fails and the thread keeps the normal priority.
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (tid > 0) setPriority(tid, 10);
} catch {
  /* not Linux: normal priority */
}

register();
const { runTask } = await import('./tasks.ts');

export default function (task) {
  return runTask(task);
}
