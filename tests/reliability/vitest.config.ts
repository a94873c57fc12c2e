import { defineConfig } from 'vitest/config';

// `npm run test:reliability`: slower tests that load the server for minutes or restart PostgreSQL,
// so they run apart from `npm test` (and one file at a time).
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/reliability/**/*.reliability.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    // The soak test measures memory after explicit collections.
    execArgv: ['--expose-gc'],
  },
});
