import { defineConfig, type Plugin } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Writes .br and .gz next to every text asset of the build, so @fastify/static
 * (`preCompressed: true`) serves them without compressing per request.
 */
function precompress(outDir: string): Plugin {
  const walk = async (dir: string): Promise<string[]> =>
    (await Promise.all((await readdir(dir, { withFileTypes: true })).map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)])))).flat();
  return {
    name: 'lifecircle-precompress',
    apply: 'build',
    async closeBundle() {
      for (const file of await walk(outDir)) {
        if (!/\.(js|mjs|css|html|svg|json)$/.test(file) || (await stat(file)).size < 1024) continue;
        const buf = await readFile(file);
        await writeFile(`${file}.br`, brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        await writeFile(`${file}.gz`, gzipSync(buf, { level: 9 }));
      }
    },
  };
}

const outDir = here('./dist/web');

export default defineConfig(({ mode }) => ({
  // The web app (web/ → dist/web). Not applied under Vitest (mode "test"), whose root stays the repo.
  ...(mode === 'test'
    ? {}
    : {
        root: here('./web'),
        publicDir: false as const,
        plugins: [precompress(outDir)],
        build: {
          outDir,
          emptyOutDir: true,
          target: 'es2022',
          chunkSizeWarningLimit: 1200, // maplibre-gl alone is ~1 MB (≈280 kB brotli)
          rolldownOptions: {
            input: {
              planner: here('./web/index.html'),
              courier: here('./web/courier/index.html'),
              editor: here('./web/editor/index.html'),
              import: here('./web/import/index.html'),
              // The courier page's service worker: a fixed name beside the page (its scope), not hashed.
              'courier-sw': here('./web/src/courier/sw.ts'),
            },
            output: {
              entryFileNames: (chunk) => (chunk.name === 'courier-sw' ? 'courier/sw.js' : 'assets/[name]-[hash].js'),
            },
          },
        },
        // `npx vite` for development: API calls go to a running `npm run dev` (PORT 3000).
        server: { proxy: { '/api': `http://127.0.0.1:${process.env.API_PORT ?? 3000}` } },
      }),
  // Three layers; `npm run test:unit` is the quick loop, `npm test` runs all three.
  //  - unit: pure tests beside their module (server/**, geodata/**) and tests/web/ — no database,
  //    no global setup. A test that needs the database belongs in tests/*.test.ts.
  //  - db: tests/*.test.ts — each file gets a private copy of the seeded template (global setup).
  //  - browser: tests/browser/ — Chromium against the real app on a seeded copy.
  test: {
    // Real databases: PGlite starts in seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: two workers, each with its own database copy.
    maxWorkers: 2,
    projects: [
      // Pure tests share their workers (isolate: false): no database, no module state between files,
      // and each file no longer pays for loading the server's modules again.
      { extends: true, test: { name: 'unit', include: ['server/**/*.test.ts', 'geodata/**/*.test.ts', 'tests/web/**/*.test.ts'], isolate: false } },
      { extends: true, test: { name: 'db', include: ['tests/*.test.ts'], globalSetup: ['tests/helpers/global-setup.ts'] } },
      {
        extends: true,
        test: {
          name: 'browser',
          // A browser flow waits on several 30 s steps (page ready, preview, save): 60 s is less than their sum.
          testTimeout: 120_000,
          include: ['tests/browser/**/*.test.ts'],
          globalSetup: ['tests/helpers/global-setup.ts'],
        },
      },
    ],
  },
}));
