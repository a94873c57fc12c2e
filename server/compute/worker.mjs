// Entry of a compute-pool thread. Plain JavaScript so it loads under any runner (npm start,
// Vitest, tsx); it registers tsx in this thread and loads the TypeScript task code.
import { register } from 'tsx/esm/api';

register();
const { runTask } = await import('./tasks.ts');

export default function (task) {
  return runTask(task);
}
