/**
 * The text parsers on mutated real inputs: the rule loader (src/sigma: every problem a rejection
 * with file:line:column, never an exception; every rule it accepts runs on an event), the
 * config loader (src/config/load.ts: ConfigError with positions or a config, nothing else), the
 * credentials file of `stream`/`publish` (src/stream/connect.ts, the same) and `aql run`'s parser
 * (src/aql/parse.ts: AqlError with a position or a query).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AqlError, parseAql } from '../../src/aql/parse.js';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { loadRulesFromText } from '../../src/sigma/index.js';
import { parseAuthFile } from '../../src/stream/connect.js';
import { REPO, caseOf, collectCoverage, mutate, params, recordCase } from './harness.js';

const ruleFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.yml') && n !== 'pack.yml').map((n) => readFileSync(join(dir, n)));
const RULE_SEEDS = [...ruleFiles(join(REPO, 'rules/t1195.001/seed')), ...ruleFiles(join(REPO, 'rules/t1195.001/hardened'))];

/** The config example of docs/config.md and every example block there. */
const CONFIG_SEEDS = [...readFileSync(join(REPO, 'docs/config.md'), 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => Buffer.from(m[1]!));

/** The seed's AQL as the DuckDB proof writes it, and the queries the AQL backend emits. */
const AQL_SEEDS = [
  "SELECT DATEFORMAT(starttime, 'yyyy-MM-dd HH:mm:ss') AS EventTime, devicehostname AS Hostname, \"Process Name\" AS ProcessName, CASE WHEN QIDNAME(qid) LIKE '%Process Create%' AND (\"Parent Process Name\" ILIKE '%npm%' OR \"Parent Process Name\" ILIKE '%node.exe%') THEN 'PackageManagerSpawnedSuspiciousChild' WHEN \"File Path\" ILIKE '%.github/workflows%' THEN 'CICDPipelineFileModified' ELSE NULL END AS DetectionArm FROM events WHERE starttime > DATEADD('hours', -24, NOW()) AND (\"URL\" IS NOT NULL AND NOT (\"URL\" ILIKE '%registry.npmjs.org%')) ORDER BY starttime DESC LIMIT 500",
  "SELECT sourceip, UTF8(payload) AS p FROM events WHERE \"Process Name\" MATCHES '(?i)powershell' AND INCIDR('10.0.0.0/8', sourceip) AND username IN ('a', 'b') LAST 24 HOURS",
].map((q) => Buffer.from(q));

/** `--auth FILE` as docs/streaming.md describes it, YAML and JSON. */
const AUTH_SEEDS = [
  'user: svc\npassword: s3cret\n',
  'token: abc\ntls:\n  ca: /etc/nats/ca.pem\n  cert: /etc/nats/c.pem\n  key: /etc/nats/k.pem\n',
  '{"creds": "/etc/nats/sw.creds", "tls": {"ca": "/etc/nats/ca.pem"}}',
  'nkey-seed-file: /etc/nats/seed.nk\n',
].map((t) => Buffer.from(t));

const PROCESS_EVENT: NormalizedEvent = {
  category: 'process_creation', product: 'windows', host: 'h',
  fields: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c npm install', ParentImage: 'C:\\Program Files\\nodejs\\node.exe', InstallPackageManager: 'npm', AncestorImages: ['node.exe'] },
  source: { file: 'f', format: 'sigma-ndjson', line: 1 },
};

collectCoverage('parsers');

describe('fuzz: text parsers on mutated real inputs', () => {
  it('rule loader: rejections with positions, never an exception; accepted rules run', async () => {
    await fc.assert(
      fc.asyncProperty(caseOf(RULE_SEEDS.length), async ({ seed, mutations }) => {
        const text = mutate(RULE_SEEDS[seed]!, mutations).toString('utf8');
        await recordCase('rules', text);
        const loaded = loadRulesFromText(text, 'fuzz.yml');
        for (const p of loaded.rejected) {
          if (!(p.line >= 1 && p.column >= 1)) throw new Error(`rejection without a position: ${JSON.stringify(p)}`);
          if (p.reason === '') throw new Error('rejection without a reason');
        }
        for (const rule of loaded.rules) rule.matches(PROCESS_EVENT);
      }),
      params(400),
    );
  });

  it('config loader: a config or a ConfigError whose problems have positions (findings go to the lead: src/config is his)', async () => {
    await fc.assert(
      fc.asyncProperty(caseOf(CONFIG_SEEDS.length), async ({ seed, mutations }) => {
        const text = mutate(CONFIG_SEEDS[seed]!, mutations).toString('utf8');
        await recordCase('config', text);
        try {
          parseConfig(text, 'fuzz.yaml');
        } catch (err) {
          expectPositionedConfigError(err, 'config');
        }
      }),
      params(400),
    );
  });

  it('credentials file: its values or a ConfigError whose problems have positions', async () => {
    await fc.assert(
      fc.asyncProperty(caseOf(AUTH_SEEDS.length), async ({ seed, mutations }) => {
        const text = mutate(AUTH_SEEDS[seed]!, mutations).toString('utf8');
        await recordCase('auth', text);
        try {
          const auth = parseAuthFile(text, 'auth.yml');
          for (const value of [auth.user, auth.password, auth.token, auth['nkey-seed-file'], auth.creds, auth.tls?.ca, auth.tls?.cert, auth.tls?.key]) {
            if (value !== undefined && (typeof value !== 'string' || value === '')) throw new Error(`not a non-empty string: ${JSON.stringify(value)}`);
          }
        } catch (err) {
          expectPositionedConfigError(err, 'auth');
        }
      }),
      params(400),
    );
  });

  it('aql parser: a query or an AqlError, never another exception', async () => {
    await fc.assert(
      fc.asyncProperty(caseOf(AQL_SEEDS.length), async ({ seed, mutations }) => {
        const text = mutate(AQL_SEEDS[seed]!, mutations).toString('utf8');
        await recordCase('aql', text);
        try {
          parseAql(text);
        } catch (err) {
          if (!(err instanceof AqlError)) throw new Error(`not an AqlError: ${(err as Error).stack}`);
        }
      }),
      params(600),
    );
  });

  it('the seeds parse unmutated', () => {
    // A pack's correlations refer to rules in its other files: each pack is loaded whole.
    for (const dir of ['seed', 'hardened']) {
      const pack = ruleFiles(join(REPO, 'rules/t1195.001', dir)).map((text) => text.toString('utf8').trim()).join('\n---\n');
      expect(loadRulesFromText(pack, `${dir}.yml`).rejected).toEqual([]);
    }
    for (const text of AQL_SEEDS) expect(() => parseAql(text.toString('utf8'))).not.toThrow();
    expect(CONFIG_SEEDS.length).toBeGreaterThan(2);
    for (const text of AUTH_SEEDS) expect(() => parseAuthFile(text.toString('utf8'), 'auth.yml')).not.toThrow();
  });
});

/** A ConfigError each of whose problems has a line and a column; anything else fails the case. */
function expectPositionedConfigError(err: unknown, what: string): void {
  if (!(err instanceof ConfigError)) throw new Error(`not a ConfigError: ${(err as Error).stack}`);
  for (const p of err.problems) if (!(p.line >= 1 && p.column >= 1)) throw new Error(`${what} problem without a position: ${JSON.stringify(p)}`);
}
