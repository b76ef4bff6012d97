import { describe, expect, it } from 'vitest';
import { decodeDnsQuery, HostResolver, parseHosts } from '../../src/sensor/resolver.js';

function query(name: string, qtype: number, flags = 0x0100): Buffer {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const header = Buffer.from([0xab, 0xcd, flags >> 8, flags & 0xff, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, qtype, 0, 1])]);
}

describe('DNS query decoding', () => {
  it('reads the first question of a UDP query and of a TCP one (length prefix)', () => {
    expect(decodeDnsQuery(query('Registry.NPMJS.org', 1))).toEqual({ name: 'registry.npmjs.org', type: 'A' });
    expect(decodeDnsQuery(query('pypi.org', 28))).toEqual({ name: 'pypi.org', type: 'AAAA' });
    const udp = query('files.pythonhosted.org', 65);
    const tcp = Buffer.concat([Buffer.from([0, udp.length]), udp]);
    expect(decodeDnsQuery(tcp)).toEqual({ name: 'files.pythonhosted.org', type: 'HTTPS' });
  });

  it('rejects answers, truncated messages and non-DNS bytes', () => {
    expect(decodeDnsQuery(query('a.example', 1, 0x8180))).toBeUndefined();
    expect(decodeDnsQuery(query('a.example', 1).subarray(0, 20))).toBeUndefined();
    expect(decodeDnsQuery(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBeUndefined();
    expect(decodeDnsQuery(Buffer.alloc(3))).toBeUndefined();
  });
});

describe('host names for connections', () => {
  const hosts = parseHosts('# comment\n127.0.0.1\tlocalhost\n::1 localhost ip6-localhost\n10.1.2.3 nexus.corp # pinned\n');

  it('parses /etc/hosts: address → first name', () => {
    expect([...hosts]).toEqual([['127.0.0.1', 'localhost'], ['::1', 'localhost'], ['10.1.2.3', 'nexus.corp']]);
  });

  it("binds a new address to the same process's last fresh query and remembers the binding", () => {
    const r = new HostResolver(hosts);
    r.query(10, 'registry.npmjs.org', 1000);
    expect(r.nameFor(10, '104.16.0.35', 1100)).toEqual({ name: 'registry.npmjs.org', from: 'dns' });
    // Another process, no query of its own: the remembered binding.
    expect(r.nameFor(11, '104.16.0.35', 90_000)).toEqual({ name: 'registry.npmjs.org', from: 'dns' });
    // Another process's query does not explain this one's connection; a stale query neither.
    expect(r.nameFor(11, '1.2.3.4', 1200)).toBeUndefined();
    expect(r.nameFor(10, '5.6.7.8', 60_000)).toBeUndefined();
    // Addresses /etc/hosts names come from there, even right after a query.
    r.query(10, 'evil.example', 70_000);
    expect(r.nameFor(10, '127.0.0.1', 70_001)).toEqual({ name: 'localhost', from: 'hosts' });
    expect(r.nameFor(10, '9.9.9.9', 70_002)).toEqual({ name: 'evil.example', from: 'dns' });
  });

  it('does not take a reverse lookup for the name of a connection', () => {
    const r = new HostResolver(new Map());
    r.query(10, '35.0.16.104.in-addr.arpa', 0);
    expect(r.nameFor(10, '104.16.0.35', 1)).toBeUndefined();
  });
});
