import { defineConfig } from 'vitest/config'

// Two projects: fast unit suites, and integration suites that start a real broker on port 0 per file
// (so files may run side by side) and drive real clients over loopback. Forks, not threads: native
// addons and piscina shard workers behave as in production only in a process of their own.
// Two workers match the 2-core machines the project runs on (the broker itself needs CPU too).
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Storage suites start shard worker threads; on a loaded 2-core machine that alone can take seconds.
          testTimeout: 20_000,
          hookTimeout: 20_000
        }
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // A broker start alone may take seconds on a loaded 2-core machine.
          testTimeout: 30_000,
          hookTimeout: 30_000
        }
      }
    ]
  }
})
