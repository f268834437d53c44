import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // CI also writes a machine-readable summary (.ci/run prints its closing line).
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'test-results.json' }]] : ['default'],
    // What Lambda always sets; handler modules load their configuration at import (cold start).
    env: { AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    // `npm test` runs with --coverage; these thresholds sit just under the measured figures and
    // only go up. A single test file run (`npx vitest run test/unit/…`) skips coverage.
    coverage: {
      provider: 'v8',
      include: ['src/**', 'handlers/**'],
      reporter: ['text-summary'],
      thresholds: { statements: 88, branches: 80, functions: 91, lines: 89 },
    },
  },
});
