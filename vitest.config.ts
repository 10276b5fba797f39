import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Builds dist/client once (skipped when it is current) for the browser tests.
    globalSetup: ['tests/setup/build-client.ts'],
    // Browser and encoding suites share two cores; running them all at once only makes each slower.
    fileParallelism: true,
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // expect.poll's default 1 s is shorter than a loaded two-core CI machine takes to render a page's
    // answer to a key press; a poll that succeeds returns as soon as it does, so a longer bound costs nothing.
    expect: { poll: { timeout: 10_000 } },
    // The JSON report is what .ci/run reads its totals line from.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
})
