import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages are imported from their sources: tests need no build.
    alias: [{ find: /^@lolice\/([a-z0-9-]+)$/, replacement: resolve(__dirname, 'packages/$1/src/index.ts') }],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
