/**
 * Gzip-compressed inputs (sources/gzip.ts): logrotate's `syslog.2.gz`, a collection's
 * `.ndjson.gz` or `.evtx.gz` are read as what they hold, as they stream.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { planTasks } from '../../src/parallel/plan.js';
import { readInputs, type UnreadableInput } from '../../src/sources/open.js';
import type { BadRecord } from '../../src/sources/reader.js';
import { REPO, requireShared } from '../helpers/cli.js';

const SYSMON = join(REPO, 'samples', 'sysmon-npm-install.ndjson');

async function read(paths: string[], inputFormat?: string) {
  const bad: BadRecord[] = [];
  const unreadable: UnreadableInput[] = [];
  const events: Array<{ format: string; event: unknown }> = [];
  for await (const batch of readInputs(paths, { inputFormat, onBad: (b) => bad.push(b), onUnreadable: (u) => unreadable.push(u) })) {
    for (const e of batch.events) events.push({ format: batch.format, event: { ...e, source: { ...e.source, file: 'F' } } });
  }
  return { bad, unreadable, events };
}

const folder = () => mkdtempSync(join(tmpdir(), 'sw-gzip-'));

describe('gzip-compressed inputs', () => {
  it('give the events of what they hold, line numbers included, whatever their name and with a forced format', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'sysmon.ndjson.gz'), gzipSync(readFileSync(SYSMON)));
    writeFileSync(join(dir, 'rotated.1'), gzipSync(readFileSync(SYSMON)));
    const plain = await read([SYSMON]);
    expect(plain.events.length).toBeGreaterThan(2);
    expect(await read([join(dir, 'sysmon.ndjson.gz')])).toEqual(plain);
    expect(await read([join(dir, 'rotated.1')])).toEqual(plain);
    expect(await read([join(dir, 'sysmon.ndjson.gz')], plain.events[0]!.format)).toEqual(plain);
  });

  it('an EVTX file compressed gives the events of the file', async () => {
    const evtx = requireShared('corpus/real/sbousseaden__EVTX-ATTACK-SAMPLES/Execution/exec_sysmon_1_ftp.evtx');
    const gz = join(folder(), 'ftp.evtx.gz');
    writeFileSync(gz, gzipSync(readFileSync(evtx)));
    const plain = await read([evtx]);
    expect(plain.events.length).toBeGreaterThan(0);
    expect(await read([gz])).toEqual(plain);
  });

  it('reads every member of a concatenated file', async () => {
    const lines = readFileSync(SYSMON, 'utf8').split(/(?<=\n)/);
    const gz = join(folder(), 'members.ndjson.gz');
    writeFileSync(gz, Buffer.concat([gzipSync(lines.slice(0, 2).join('')), gzipSync(lines.slice(2).join(''))]));
    expect(await read([gz])).toEqual(await read([SYSMON]));
  });

  it('a member cut short: the records before the cut are read, one bad record says why, the next input is read', async () => {
    const dir = folder();
    const line = readFileSync(SYSMON, 'utf8').split('\n')[0]!;
    // Past the 64 KiB sniffed, and varied enough that the compressed bytes are not tiny.
    const text = Array.from({ length: 3000 }, (_, i) => line.replace('"EventID"', `"Seq": ${i}, "Noise": "${randomBytes(12).toString('hex')}", "EventID"`)).join('\n') + '\n';
    const whole = gzipSync(text);
    writeFileSync(join(dir, 'a-cut.ndjson.gz'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    writeFileSync(join(dir, 'b-whole.ndjson.gz'), whole);
    const r = await read([join(dir, 'a-cut.ndjson.gz'), join(dir, 'b-whole.ndjson.gz')]);
    expect(r.bad).toEqual([expect.objectContaining({ file: join(dir, 'a-cut.ndjson.gz'), reason: expect.stringMatching(/unexpected end of file/) })]);
    const beforeCut = r.events.length - 3000;
    expect(beforeCut).toBeGreaterThan(1000);
    expect(beforeCut).toBeLessThan(3000);
  });

  it('a compressed file is never split into byte ranges for threads, even with a line format forced', async () => {
    const gz = join(folder(), 'big.ndjson.gz');
    writeFileSync(gz, gzipSync(randomBytes(17 * 1024 * 1024), { level: 1 }));
    const tasks = await planTasks([gz], 'sigma-ndjson', { onBad: () => {} });
    expect(tasks.map((t) => [t.input, t.range])).toEqual([[gz, undefined]]);
  });
});
