import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { parseOutputs } from '../../src/cli/options.js';
import { loadEngine } from '../../src/cli/run.js';
import type { Alert } from '../../src/alerts/alert.js';
import { OutputSet, undeliveredLines } from '../../src/outputs/output-set.js';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Outputs started with the seed rules, holding one alert (a CI workflow written). */
async function outputsWithOneAlert(spec: string): Promise<OutputSet> {
  const { output, outputs: targets } = parseOutputs(undefined, false, [spec]);
  const engine = await loadEngine(['seed'], { now: Date.now() }, output);
  const outputs = new OutputSet(targets!);
  outputs.start(engine.packs, output);
  const found: Alert[] = [];
  const fields = { Image: '/usr/bin/sh', TargetFilename: '/proj/.github/workflows/ci.yml' };
  engine.detect({ category: 'file_event', product: 'linux', service: 'sensor', time: Date.now(), host: 'h', fields, source: { file: 'audit', format: 'auditd', line: 1 } }, 1, found);
  expect(found).toHaveLength(1);
  outputs.write(engine.formatter.format(found[0]!));
  return outputs;
}

describe('undeliveredLines: what scan, run and watch say about alerts an --output lost', () => {
  it('one escaped line per output that lost alerts, none for the others', () => {
    const lines = undeliveredLines([
      { spec: 'jsonl:/tmp/a\u001b[2Jb.jsonl', undelivered: 1, reason: 'refused: \u202eevil' },
      { spec: 'leef:syslog+tcp://127.0.0.1:514', undelivered: 0 },
      { spec: 'cef:syslog+udp://127.0.0.1:514', undelivered: 3 },
    ]);
    expect(lines).toEqual([
      '--output jsonl:/tmp/a\\u001b[2Jb.jsonl: 1 alert not delivered (refused: \\u202eevil)',
      '--output cef:syslog+udp://127.0.0.1:514: 3 alerts not delivered (receiver unavailable)',
    ]);
  });
});

describe('OutputSet.closeReport, as scan, run and watch end', () => {
  it('says how many alerts a receiver that refuses the final flush did not get', { timeout: 30_000 }, async () => {
    const port = await closedPort();
    const lines = await (await outputsWithOneAlert(`jsonl:syslog+tcp://127.0.0.1:${port}`)).closeReport();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^--output jsonl:syslog\\+tcp://127\\.0\\.0\\.1:${port}: 1 alert not delivered \\(.*ECONNREFUSED`));
  });

  it('says so when the outputs cannot be closed at all (a full disk under a file output)', async () => {
    const lines = await (await outputsWithOneAlert('jsonl:/dev/full')).closeReport();
    expect(lines).toEqual([expect.stringMatching(/^--output: the outputs could not be closed, their last alerts may be lost: ENOSPC/)]);
  });

  it('says nothing when every alert was delivered', async () => {
    expect(await (await outputsWithOneAlert('jsonl:/dev/null')).closeReport()).toEqual([]);
  });
});
