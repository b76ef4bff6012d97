import { defineConfig } from 'vitest/config';

/**
 * Two projects: `quick` for the edit loop (`npm run test:quick`, about a minute), `slow` for the
 * suites that execute thousands of converted queries in DuckDB, scan with worker threads, read
 * the whole shared corpora or install real packages. `npm test` runs both (CI runs it).
 * No global timeout beyond vitest's defaults: a test that needs more says so itself.
 */
const SLOW = [
  'test/aql/aql-execution.test.ts',
  'test/backends/sql-execution.test.ts',
  'test/parallel/threads.test.ts',
  'test/outputs/threads.test.ts',
  'test/outputs/syslog.test.ts',
  'test/outputs/html-report.test.ts',
  'test/outputs/hec-ecs.test.ts',
  'test/scan/one-pipeline.test.ts',
  'test/enrich/cli.test.ts',
  'test/enrich/memory.test.ts',
  'test/sensor/run-installs.test.ts',
  'test/sensor/audit-run.test.ts',
  'test/sensor/audit-atomic.test.ts',
  'test/sensor/watch-replay.test.ts',
  'test/sensor/watch-live.test.ts',
  'test/**/corpus.test.ts',
  'test/sources/evtx/scan.test.ts',
  'test/sigma/sigmahq.test.ts',
  'test/sigma/plain-yaml.test.ts',
  'test/sigma/rule-cache-scan.test.ts',
  'test/live/**/*.test.ts',
  'test/stream/stream.test.ts',
  'test/stream/cluster.test.ts',
  'test/stream/dead-letter.test.ts',
];

/** Each test file's own TMPDIR, removed after it (test/helpers/private-tmp.ts). */
const PRIVATE_TMP = './test/helpers/private-tmp.ts';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'quick', include: ['test/**/*.test.ts'], exclude: SLOW, setupFiles: [PRIVATE_TMP] } },
      { test: { name: 'slow', include: SLOW, setupFiles: [PRIVATE_TMP] } },
    ],
  },
});
