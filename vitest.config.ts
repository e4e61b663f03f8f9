import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests share one Redis and spawn child processes; two cores do not gain from
    // more than two workers, and fewer workers keep timing-sensitive fault tests honest.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Property tests log their seed; a failure prints it so the run can be replayed.
    reporters: ['default'],
  },
});
