import { headers, type MsgHdrs } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { parseAuthFile, readAuth, serverUrls } from '../../src/stream/connect.js';
import { deadLetter } from '../../src/stream/dead-letter.js';
import { Membership } from '../../src/stream/leases.js';
import { decodeMessage, encodeEvent } from '../../src/stream/message.js';
import { partitionOf } from '../../src/stream/topology.js';

/** The parts of `stream` and `publish` that need no server. */
describe('partitionOf', () => {
  it('puts a host always in the same partition, and spreads hosts over every partition', () => {
    const hosts = Array.from({ length: 2000 }, (_, i) => `host-${i}.corp.example.com`);
    const first = hosts.map((h) => partitionOf(h, 16));
    expect(hosts.map((h) => partitionOf(h, 16))).toEqual(first);
    const sizes = Array.from({ length: 16 }, (_, p) => first.filter((x) => x === p).length);
    expect(Math.min(...sizes)).toBeGreaterThan(2000 / 16 / 2);
    expect(partitionOf(undefined, 16)).toBe(partitionOf('', 16));
  });
});

describe('Membership.assignment (rendezvous, bounded to a share)', () => {
  const membership = new Membership(undefined as never, undefined as never, 'w1');
  const shares = (owners: string[]) => [...owners.reduce((m, w) => m.set(w, (m.get(w) ?? 0) + 1), new Map<string, number>()).values()].sort();

  it('gives every live worker its share of the partitions', () => {
    expect(shares(membership.assignment(4, ['w1', 'w2']))).toEqual([2, 2]);
    expect(shares(membership.assignment(16, ['a', 'b', 'c']))).toEqual([5, 5, 6]);
    expect(shares(membership.assignment(2, ['a', 'b', 'c']))).toEqual([1, 1]);
  });

  it('moves few partitions when a worker joins or leaves', () => {
    const before = membership.assignment(64, ['w1', 'w2', 'w3']);
    const joined = membership.assignment(64, ['w1', 'w2', 'w3', 'w4']);
    const left = membership.assignment(64, ['w1', 'w3']);
    expect(joined.filter((w, p) => w !== before[p] && w !== 'w4').length).toBeLessThan(64 / 4);
    expect(left.filter((w, p) => w !== before[p] && before[p] !== 'w2').length).toBeLessThan(64 / 4);
  });
});

describe('messages', () => {
  const event: NormalizedEvent = {
    time: Date.parse('2026-11-27T09:14:02.120Z'), host: 'DEV-WS-042', user: 'CORP\\alice', category: 'process_creation', product: 'windows',
    fields: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami', ProcessId: 7312 },
    source: { file: 'logs/sysmon.ndjson', format: 'sigma-ndjson', line: 12 },
  };

  it('a normalized event comes back as it was published, provenance included', async () => {
    const { payload, headers, msgID } = encodeEvent(event);
    expect(msgID).toBe(encodeEvent({ ...event, fields: {} }).msgID); // the record's identity, not its content
    expect(await decodeMessage({ data: Buffer.from(payload), headers, seq: 7, stream: 's' })).toEqual({ events: [event] });
  });

  it('names what is wrong with a message that is no event', async () => {
    const { headers } = encodeEvent(event);
    const bad = async (text: string) => (await decodeMessage({ data: Buffer.from(text), headers, seq: 1, stream: 's' })).bad;
    expect(await bad('{"fields": {')).toMatch(/^normalized: not JSON/);
    expect(await bad('{"fields": {}}')).toBe('normalized: not an event (an object with fields and source)');
    expect(await bad('{"fields": {}, "source": {"file": "f", "format": "x"}, "time": "yesterday"}')).toBe('normalized: time is not a time: "yesterday"');
  });
});

describe('credentials', () => {
  it('are refused in a server URL', () => {
    expect(() => serverUrls('nats://a:4222,nats://user:pw@b:4222', '--from')).toThrow(/credentials in a URL/);
    expect(() => serverUrls('nats://tok@b:4222', '--from')).toThrow(/credentials in a URL/);
    expect(serverUrls('nats://a:4222, tls://b:4443', '--from')).toEqual(['nats://a:4222', 'tls://b:4443']);
  });

  it('come from the environment', () => {
    expect(readAuth(undefined, { NATS_USER: 'u', NATS_PASSWORD: 'p' })).toEqual({ user: 'u', pass: 'p' });
    expect(readAuth(undefined, { NATS_TOKEN: 't', NATS_CA: '/ca.pem' })).toEqual({ token: 't', tls: { caFile: '/ca.pem' } });
    expect(readAuth(undefined, {})).toEqual({});
  });

  it('come from a file: each value as written, file values before the environment', () => {
    const text = 'user: svc\npassword: 0123\ntls:\n  ca: /etc/nats/ca.pem\n';
    expect(parseAuthFile(text, 'auth.yml')).toEqual({ user: 'svc', password: '0123', tls: { ca: '/etc/nats/ca.pem' } });
    expect(parseAuthFile('{"token": "t0k"}', 'auth.json')).toEqual({ token: 't0k' });
  });

  it('a bad file is refused with file:line:column for every problem, never a crash', () => {
    const problems = (text: string) => {
      try {
        parseAuthFile(text, 'auth.yml');
      } catch (e) {
        return (e as Error).message.split('\n');
      }
      return [];
    };
    expect(problems('user: *nope\n')).toEqual(['auth.yml:1:7: `user` must be a non-empty string']);
    expect(problems('user: u\npasword: p\ntls: {ca: [a, b], crt: c}\n')).toEqual([
      "auth.yml:2:1: unknown key 'pasword' in --auth auth.yml (expected one of: user, password, token, nkey-seed-file, creds, tls)",
      'auth.yml:3:11: `tls.ca` must be a non-empty string',
      "auth.yml:3:19: unknown key 'crt' in `tls` (expected one of: ca, cert, key)",
    ]);
    expect(problems('- user\n')).toEqual(['auth.yml:1:1: --auth auth.yml must be a mapping of user, password, token, nkey-seed-file, creds, tls']);
    expect(problems('user: [unclosed\n')[0]).toMatch(/^auth\.yml:\d+:\d+: /);
  });
});

describe('raw records', () => {
  it("reads a Fluent Bit NATS flush ([timestamp, record] pairs), one event per record, each named by its place", async () => {
    const record = { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'DEV-WS-042', Image: 'C:\\Windows\\System32\\whoami.exe', CommandLine: 'whoami /all' };
    const flush = JSON.stringify([[1764234842.12, record], [1764234843.5, { ...record, UtcTime: '2026-11-27 09:14:05.000' }]]);
    const decoded = await decodeMessage({ data: Buffer.from(flush), seq: 41, stream: 'supplywatch-events' });
    expect(decoded.bad).toBeUndefined();
    expect(decoded.events!.map((e) => [e.host, e.time === undefined ? undefined : new Date(e.time).toISOString(), e.fields.Image, e.source])).toEqual([
      ['DEV-WS-042', '2025-11-27T09:14:02.120Z', record.Image, { file: 'nats:supplywatch-events', format: 'otrf', record: 41, line: 1 }],
      ['DEV-WS-042', '2026-11-27T09:14:05.000Z', record.Image, { file: 'nats:supplywatch-events', format: 'otrf', record: 41, line: 2 }],
    ]);
  });

  it('keeps the time of its own a Fluent Bit record has in any field a reader reads (an Azure row: TimeGenerated)', async () => {
    const row = { TenantId: 't', SourceSystem: 'OpsManager', TimeGenerated: '2026-11-27T09:14:05.000Z', Computer: 'DEV-WS-042', EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Image: 'C:\\x.exe' };
    const flush = JSON.stringify([[1764234842.12, row]]);
    const decoded = await decodeMessage({ data: Buffer.from(flush), seq: 7, stream: 'supplywatch-events' });
    expect(decoded.bad).toBeUndefined();
    expect(decoded.events.map((e) => [e.source.format, new Date(e.time!).toISOString()])).toEqual([['otrf', '2026-11-27T09:14:05.000Z']]);
  });

  it('sniffs a raw message whose first record is longer than the 64 KiB sniffing head', async () => {
    const script = Buffer.alloc(75_000, 'powershell -enc ').toString('base64'); // 100 KB
    const record = { EventID: 4104, Channel: 'Microsoft-Windows-PowerShell/Operational', Computer: 'DEV-WS-042', ScriptBlockText: script };
    const batch = `${JSON.stringify(record)}\n${JSON.stringify({ ...record, ScriptBlockText: 'whoami' })}\n`;
    const decoded = await decodeMessage({ data: Buffer.from(batch), seq: 12, stream: 'supplywatch-events' });
    expect(decoded.bad).toBeUndefined();
    expect(decoded.events.map((e) => [e.source.format, e.fields.ScriptBlockText])).toEqual([
      ['otrf', script],
      ['otrf', 'whoami'],
    ]);
  });

  it('keeps the events of a batch beside a record its reader refuses, and says why it is a dead letter too', async () => {
    const record = { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'DEV-WS-042', Image: 'C:\\Windows\\System32\\whoami.exe' };
    const batch = [JSON.stringify(record), '{"EventID": 1, "Image": trunc', JSON.stringify({ ...record, Image: 'C:\\x.exe' })].join('\n') + '\n';
    const sw = headers();
    sw.set('Sw-Format', 'otrf');
    const decoded = await decodeMessage({ data: Buffer.from(batch), headers: sw, seq: 9, stream: 's' });
    expect(decoded.events.map((e) => e.fields.Image)).toEqual([record.Image, 'C:\\x.exe']);
    expect(decoded.bad).toMatch(/^otrf: invalid JSON/);
  });
});

describe('deadLetter: made to fit the server', () => {
  const place = { reason: 'unknown Sw-Format \'x\'', stream: 'p-events', seq: 7, partition: 3, msgID: 'dl-p-events-7' };
  /** Header bytes as the client writes them (it refuses headers + data over max_payload). */
  const wireBytes = (h: MsgHdrs) => Buffer.byteLength([...h].reduce((s, [k, vs]) => vs.reduce((t, v) => `${t}\r\n${k}: ${v}`, s), 'NATS/1.0') + '\r\n\r\n');

  it('keeps a record that fits whole, with the original headers and where it came from', () => {
    const original = headers();
    original.set('Sw-Format', 'x');
    const letter = deadLetter({ data: Buffer.from('record'), headers: original, subject: 'p.events.3' }, place, 1024 * 1024);
    expect(Buffer.from(letter.data).toString()).toBe('record');
    expect(Object.fromEntries([...letter.headers].map(([k, v]) => [k, v.join(',')]))).toEqual({
      'Sw-Format': 'x', 'Sw-Reason': "unknown Sw-Format 'x'", 'Sw-Stream': 'p-events', 'Sw-Stream-Seq': '7', 'Sw-Subject': 'p.events.3', 'Sw-Partition': '3', 'Nats-Msg-Id': 'dl-p-events-7',
    });
  });

  it('keeps the original NATS control headers under another name, so the dead-letter stream takes the letter', () => {
    const original = headers();
    original.set('Nats-Expected-Stream', 'p-events');
    original.set('nats-rollup', 'sub');
    original.set('Sw-Format', 'x');
    const letter = deadLetter({ data: Buffer.from('record'), headers: original, subject: 'p.events.3' }, place, 1024 * 1024);
    const names = [...letter.headers].map(([k]) => k);
    expect(names.filter((k) => /^nats-/i.test(k))).toEqual(['Nats-Msg-Id']);
    expect(letter.headers.get('Sw-Original-Nats-Expected-Stream')).toBe('p-events');
    expect(letter.headers.get('Sw-Original-nats-rollup')).toBe('sub');
    expect(letter.headers.get('Sw-Format')).toBe('x');
  });

  it('cuts a record near max_payload to what fits, and says how many bytes of how many were cut', () => {
    const max = 100_000;
    for (const size of [max - 2000, max - 200, max - 20, max]) {
      const data = Buffer.alloc(size, 0x61);
      const letter = deadLetter({ data, subject: 'p.events.3' }, place, max);
      const cut = size - letter.data.length;
      expect(wireBytes(letter.headers) + letter.data.length).toBeLessThanOrEqual(max);
      expect(letter.headers.get('Sw-Truncated')).toBe(cut === 0 ? '' : `${cut} of ${size} bytes cut`);
      // Cut no more than needed: the room left is at most the digits the marker was measured with.
      if (cut > 0) expect(max - wireBytes(letter.headers) - letter.data.length).toBeLessThanOrEqual(String(size).length);
    }
  });
});
