import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerAddresses, nameservers, startDnsStub, type DnsAnswer } from '../../src/sensor/audit/dns-stub.js';
import { udpSocketOwner } from '../../src/sensor/audit/socket-owner.js';

/** A DNS query for `name` (type A, or AAAA), id 0x1234. */
function query(name: string, type = 1): Buffer {
  const labels = name.split('.').flatMap((l) => [Buffer.from([l.length]), Buffer.from(l)]);
  return Buffer.concat([Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0, 0, type, 0, 1])]);
}

/** The answer an upstream nameserver gives: the question, then one A record per address (name by pointer). */
function answer(q: Buffer, addresses: string[]): Buffer {
  const head = Buffer.from(q);
  head.writeUInt16BE(0x8180, 2);
  head.writeUInt16BE(addresses.length, 6);
  const records = addresses.map((a) => Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]), Buffer.from(a.split('.').map(Number))]));
  return Buffer.concat([head, ...records]);
}

describe('the audit driver’s DNS stub', () => {
  it('relays a lookup to the machine’s nameserver, passes the answer back unchanged and reports the name with its addresses', async () => {
    // The "machine's" nameserver, named by a resolv.conf (which cannot name a port: 53, on a
    // loopback address of its own).
    const upstream53 = createSocket('udp4');
    const upstreamAddress = `127.${10 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    await new Promise<void>((resolve, reject) => upstream53.once('error', reject).bind(53, upstreamAddress, () => resolve()));
    upstream53.on('message', (q, from) => upstream53.send(answer(q, ['192.0.2.7', '192.0.2.8']), from.port, from.address));
    const dir = mkdtempSync(join(tmpdir(), 'sw-dns-stub-'));
    writeFileSync(join(dir, 'resolv.conf'), `search example.test\nnameserver ${upstreamAddress}\noptions ndots:1\n`);
    const answers: DnsAnswer[] = [];
    // The client below is this process: the stub finds it as the socket's owner.
    const stub = await startDnsStub((a) => answers.push(a), (port) => udpSocketOwner(port, [process.pid]), join(dir, 'resolv.conf'));
    try {
      // The command's resolv.conf names the stub alone and keeps search and options.
      const conf = readFileSync(stub.resolvConf, 'utf8');
      expect(nameservers(conf)).toEqual([stub.address]);
      expect(conf).toContain('search example.test');
      expect(conf).toContain('options ndots:1');
      expect(stub.address).toMatch(/^127\./);

      const client = createSocket('udp4');
      const q = query('Evil.Example');
      const reply = await new Promise<Buffer>((resolve) => {
        client.once('message', (msg) => resolve(msg));
        client.send(q, 53, stub.address);
      });
      client.close();
      expect(reply).toEqual(answer(q, ['192.0.2.7', '192.0.2.8']));
      expect(answers).toEqual([{ name: 'evil.example', type: 'A', addresses: ['192.0.2.7', '192.0.2.8'], time: expect.any(Number), pid: process.pid }]);
    } finally {
      stub.close();
      upstream53.close();
    }
  });

  it('reads A and AAAA addresses from an answer, and nothing from a truncated one', () => {
    const q = query('a.example');
    const msg = answer(q, ['198.51.100.1']);
    expect(answerAddresses(msg)).toEqual(['198.51.100.1']);
    const aaaa = Buffer.concat([answer(q, []), Buffer.from([0xc0, 0x0c, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1])]);
    aaaa.writeUInt16BE(1, 6);
    expect(answerAddresses(aaaa)).toEqual(['2001:db8::1']);
    expect(answerAddresses(msg.subarray(0, msg.length - 2))).toEqual([]);
    expect(answerAddresses(Buffer.alloc(5))).toEqual([]);
  });
});

describe('the owner of a UDP socket', () => {
  it('is found among the given processes by its local port, and only there', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    try {
      const port = socket.address().port;
      expect(udpSocketOwner(port, [process.pid])).toBe(process.pid);
      expect(udpSocketOwner(port, [1])).toBeUndefined();
    } finally {
      socket.close();
    }
  });
});
