// Entry of the file-reading process (./file-process.ts). Plain JavaScript so it starts under any
// runner; it registers tsx and loads the TypeScript task code, then answers one message at a time.
import { register } from 'tsx/esm/api';

register();
const { runFileTask } = await import('./file-tasks.ts');

process.on('message', async ({ id, task }) => {
  process.send({ id, answer: await runFileTask(task) });
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
