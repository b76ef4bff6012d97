import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { generateEvents, NOW, type QRadarEvent } from './generate-qradar.js';

/**
 * The seed pack must return exactly what QRadar returns for the seed AQL. The oracle is an
 * independent translation of that AQL to DuckDB SQL (below, by hand), run over the same
 * generated events; the CSVs must be byte-identical. Translation notes:
 * - QIDNAME(qid) is the exported QID name column (the export names it qidname, QIDNAME(qid)
 *   or Event Name; the loader takes whichever is present).
 * - DATEFORMAT(starttime, 'yyyy-MM-dd HH:mm:ss') is strftime over epoch_ms, in UTC.
 * - DATEADD('hours', -24, NOW()) is NOW - 86,400,000 ms.
 * - ORDER BY starttime DESC gets the tie-break "input order" that supplywatch documents
 *   (QRadar leaves ties undefined).
 */
const COLUMNS = ['devicehostname', 'username', 'sourceip', 'Process Name', 'Command', 'Parent Process Name', 'Parent Command', 'URL', 'File Path'];

const PARENT = `("Parent Process Name" ILIKE '%npm%' OR "Parent Process Name" ILIKE '%node.exe%'
  OR "Parent Process Name" ILIKE '%pip%' OR "Parent Process Name" ILIKE '%python%'
  OR "Parent Process Name" ILIKE '%yarn%' OR "Parent Process Name" ILIKE '%pnpm%'
  OR "Parent Process Name" ILIKE '%gem%' OR "Parent Process Name" ILIKE '%cargo%'
  OR "Parent Process Name" ILIKE '%dotnet%' OR "Parent Process Name" ILIKE '%nuget%')`;
const NET_PROCESS = `("Process Name" ILIKE '%node.exe%' OR "Process Name" ILIKE '%npm%'
  OR "Process Name" ILIKE '%pip%' OR "Process Name" ILIKE '%python%'
  OR "Process Name" ILIKE '%yarn%' OR "Process Name" ILIKE '%gem%'
  OR "Process Name" ILIKE '%cargo%' OR "Process Name" ILIKE '%go.exe%')`;
const REGISTRY = `("URL" ILIKE '%registry.npmjs.org%' OR "URL" ILIKE '%pypi.org%'
  OR "URL" ILIKE '%files.pythonhosted.org%' OR "URL" ILIKE '%rubygems.org%'
  OR "URL" ILIKE '%crates.io%' OR "URL" ILIKE '%nuget.org%'
  OR "URL" ILIKE '%yarnpkg.com%' OR "URL" ILIKE '%pkg.go.dev%'
  OR "URL" ILIKE '%proxy.golang.org%')`;
const CICD = `("File Path" ILIKE '%.github/workflows%' OR "File Path" ILIKE '%.gitlab-ci%'
  OR "File Path" ILIKE '%Jenkinsfile%' OR "File Path" ILIKE '%.circleci%'
  OR "File Path" ILIKE '%azure-pipelines%' OR "File Path" ILIKE '%.travis%')`;

const SEED_SQL = `
SELECT
  strftime(epoch_ms(starttime), '%Y-%m-%d %H:%M:%S') AS EventTime,
  devicehostname AS Hostname, username AS Username, sourceip AS SourceIP,
  "Process Name" AS ProcessName, "Command" AS CommandLine,
  "Parent Process Name" AS ParentProcessName, "Parent Command" AS ParentCommandLine,
  CASE
    WHEN qidname LIKE '%Process Create%' AND ${PARENT}
      AND ("Process Name" ILIKE '%powershell.exe%' OR "Process Name" ILIKE '%pwsh.exe%'
        OR "Process Name" ILIKE '%cmd.exe%' OR "Process Name" ILIKE '%wscript.exe%'
        OR "Process Name" ILIKE '%mshta.exe%' OR "Process Name" ILIKE '%certutil.exe%'
        OR "Process Name" ILIKE '%rundll32.exe%' OR "Process Name" ILIKE '%bitsadmin.exe%'
        OR "Command" ILIKE '%/dev/tcp%' OR "Command" ILIKE '%base64 -d%'
        OR "Command" ILIKE '%bash -i%' OR "Command" ILIKE '%DownloadString%'
        OR "Command" ILIKE '%Invoke-Expression%' OR "Command" ILIKE '%IEX(%'
        OR "Command" ILIKE '%--registry http%')
      THEN 'PackageManagerSpawnedSuspiciousChild'
    WHEN qidname LIKE '%Network Connect%' AND ${NET_PROCESS} AND NOT ${REGISTRY}
      THEN 'PackageManagerUnexpectedExternalConnection'
    WHEN ${CICD} THEN 'CICDPipelineFileModified'
    ELSE NULL
  END AS DetectionArm
FROM events
WHERE starttime > $now - 86400000
  AND (
    (qidname LIKE '%Process Create%'
      AND ${PARENT.slice(0, -1)}
        OR "Parent Command" ILIKE '%postinstall%' OR "Parent Command" ILIKE '%preinstall%'
        OR "Parent Command" ILIKE '%install.js%' OR "Parent Command" ILIKE '%node-pre-gyp%')
      AND ("Process Name" ILIKE '%powershell.exe%' OR "Process Name" ILIKE '%pwsh.exe%'
        OR "Process Name" ILIKE '%cmd.exe%' OR "Process Name" ILIKE '%wscript.exe%'
        OR "Process Name" ILIKE '%cscript.exe%' OR "Process Name" ILIKE '%mshta.exe%'
        OR "Process Name" ILIKE '%rundll32.exe%' OR "Process Name" ILIKE '%regsvr32.exe%'
        OR "Process Name" ILIKE '%certutil.exe%' OR "Process Name" ILIKE '%bitsadmin.exe%'
        OR "Process Name" ILIKE '%curl.exe%' OR "Process Name" ILIKE '%wget.exe%'
        OR "Command" ILIKE '%/dev/tcp%' OR "Command" ILIKE '%base64 -d%'
        OR "Command" ILIKE '%bash -i%' OR "Command" ILIKE '%sh -i%'
        OR "Command" ILIKE '%nc -e%' OR "Command" ILIKE '%python -c%'
        OR "Command" ILIKE '%DownloadString%' OR "Command" ILIKE '%Invoke-Expression%'
        OR "Command" ILIKE '%IEX(%' OR "Command" ILIKE '%--registry http%'))
    OR (qidname LIKE '%Network Connect%' AND ${NET_PROCESS} AND NOT ${REGISTRY})
    OR ${CICD}
  )
ORDER BY starttime DESC, ord ASC
LIMIT $limit`;

/** RFC 4180, written here independently of src/outputs. */
function toCsv(header: string[], rows: Array<Array<string | null>>): string {
  const field = (v: string | null) => (v === null ? '' : /[",\r\n]/.test(v) ? `"${v.split('"').join('""')}"` : v);
  return [header, ...rows].map((r) => r.map(field).join(',') + '\r\n').join('');
}

async function oracle(events: QRadarEvent[], limit: number): Promise<{ csv: string; rows: number }> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  await db.run(`CREATE TABLE events (ord INTEGER, starttime BIGINT, qidname VARCHAR, ${COLUMNS.map((c) => `"${c}" VARCHAR`).join(', ')})`);
  const appender = await db.createAppender('events');
  events.forEach((event, ord) => {
    appender.appendInteger(ord);
    appender.appendBigInt(BigInt(event.starttime as number));
    const qid = event['qidname'] ?? event['QIDNAME(qid)'] ?? event['Event Name'];
    for (const value of [qid, ...COLUMNS.map((c) => event[c])]) {
      if (value === undefined || value === null) appender.appendNull();
      else appender.appendVarchar(String(value));
    }
    appender.endRow();
  });
  appender.closeSync();
  const reader = await db.runAndReadAll(SEED_SQL.replace('$now', String(NOW)).replace('$limit', String(limit)));
  const rows = reader.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
  db.closeSync();
  return { csv: toCsv(reader.columnNames(), rows), rows: rows.length };
}

describe('seed pack vs. an independent DuckDB translation of the seed AQL', () => {
  it('gives byte-identical CSV on 6,000 generated edge-case events', { timeout: 15_000 }, async () => {
    const events = generateEvents(6000);
    const dir = mkdtempSync(join(tmpdir(), 'sw-seed-'));
    const file = join(dir, 'qradar-export.json');
    writeFileSync(file, JSON.stringify({ events }, null, 1));

    const { csv: expected, rows } = await oracle(events, 500);
    const result = await runCli(['scan', file, '--rules', 'seed', '--now', '2026-11-27T12:00:00Z', '--since', '24h', '--limit', '500', '--format', 'csv', '-q']);
    expect(result.stderr).toBe('');
    // Sanity of the fixture itself: the limit is reached and every arm (and the empty arm) occurs.
    expect(rows).toBe(500);
    for (const arm of ['PackageManagerSpawnedSuspiciousChild', 'PackageManagerUnexpectedExternalConnection', 'CICDPipelineFileModified']) {
      expect(expected).toContain(arm);
    }
    expect(expected).toMatch(/,\r\n/); // a row with an empty DetectionArm
    expect(result.stdout).toBe(expected);
    expect(result.status).toBe(1);
  });

  it('agrees when the LIMIT is not reached (another seed, every matching row)', async () => {
    const events = generateEvents(1500, 42);
    const dir = mkdtempSync(join(tmpdir(), 'sw-seed-'));
    const file = join(dir, 'qradar-export.json');
    writeFileSync(file, JSON.stringify({ events }));
    const { csv: expected, rows } = await oracle(events, 100000);
    expect(rows).toBeGreaterThan(100);
    expect(rows).toBeLessThan(1500);
    const result = await runCli(['scan', file, '--rules', 'seed', '--now', '2026-11-27T12:00:00Z', '--since', '24h', '--limit', '100000', '--format', 'csv', '-q']);
    expect(result.stdout).toBe(expected);
  });
});
