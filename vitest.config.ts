import { defineConfig } from 'vitest/config';

// Integration tests start real servers (broker, redis-server, chDB, s3rver) on free ports;
// on a 2-core machine running more than two such files at once only adds contention.
// Handlers publish Powertools metrics as CloudWatch EMF on stdout; in tests they only bury the report.
// Tests that run a handler's invocations concurrently in one module (the HTTP fuzzer, the truth
// test's parallel partitions) make Metrics warn, for each invocation whose metrics another one
// published, that it has none to publish (thousands of lines a run): handlers log errors only.
const env = { POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'ERROR' };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          env,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          environment: 'node',
          env,
          testTimeout: 120_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          env,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
      {
        test: {
          name: 'calendar',
          include: ['test/calendar/**/*.test.ts'],
          environment: 'node',
          env,
          // Each moment reruns the date-sensitive unit tests in a child vitest under libfaketime.
          testTimeout: 300_000,
          maxWorkers: 1,
          sequence: { groupOrder: 3 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 240_000,
          maxWorkers: 1,
          sequence: { groupOrder: 4 },
        },
      },
      // The CUDA path (bench/nlp/gpu.sh): only where it is asked for, so machines without a GPU
      // neither run nor skip it.
      ...(process.env.SPATE_NLP_TEST_CUDA === '1'
        ? [
            {
              test: {
                name: 'gpu',
                include: ['test/gpu/**/*.test.ts'],
                environment: 'node',
                testTimeout: 300_000,
              },
            },
          ]
        : []),
      {
        test: {
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          env,
          testTimeout: 900_000,
          hookTimeout: 180_000,
          // Each scenario runs the whole local stack; two at once on two cores measure only contention.
          maxWorkers: 1,
          sequence: { groupOrder: 5 },
        },
      },
    ],
  },
});
