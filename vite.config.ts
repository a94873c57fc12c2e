import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'geodata/**/*.test.ts', 'tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    // Real databases: PGlite starts in seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: two workers, each with its own database copy.
    maxWorkers: 2,
  },
});
