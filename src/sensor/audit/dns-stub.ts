import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatIpv6 } from '../../sources/auditd/sockaddr.js';
import { decodeDnsQuery, systemFile, type DnsQuestion } from '../resolver.js';

/**
 * Host names for the audit driver's connections. Audit records carry the address a process
 * connects to, never the name it looked up; the strace driver reads the DNS queries a process
 * sends, which audit cannot. So the command's resolver is pointed at this stub: the command runs
 * in a private mount namespace whose /etc/resolv.conf names only the stub (a random loopback
 * address, port 53), and the stub forwards each query to the machine's own nameservers, passes
 * the answer back unchanged, and reports the name with the addresses it was answered with
 * (`onAnswer`). A later connection to one of them is named after it. No process is stopped.
 *
 * What it sees: every lookup through the C library's resolver (and runtimes that read
 * resolv.conf: Node, Python, Go's pure resolver) over UDP. What it misses: DNS over HTTPS or TLS
 * (a connection to the DoH server is seen, not the names asked), hard-coded addresses (no name
 * at all), lookups that leave through another path (nsswitch `resolve` to systemd-resolved, a
 * nameserver named on the command line: `dig @8.8.8.8`), and answers over TCP (relayed to the
 * first nameserver unread: a client retries over TCP only when a UDP answer was truncated, and
 * the UDP answer already named the host).
 */
export interface DnsStub {
  /** The stub's address (port 53). */
  address: string;
  /** A resolv.conf naming the stub, to bind over /etc/resolv.conf in the command's namespace. */
  resolvConf: string;
  close(): void;
}

export interface DnsAnswer extends DnsQuestion {
  addresses: string[];
  time: number;
  /** The process that asked, when `ownerOf` found it. */
  pid?: number;
}

const UPSTREAM_TIMEOUT_MS = 5_000;

/**
 * `ownerOf`: the process whose UDP socket has this local port (asked while the client waits for
 * its answer), so that the lookup names its process.
 */
export async function startDnsStub(onAnswer: (answer: DnsAnswer) => void, ownerOf: (port: number) => number | undefined = () => undefined, resolvConfPath = '/etc/resolv.conf'): Promise<DnsStub> {
  const machine = systemFile(resolvConfPath);
  // No nameserver line: the C library asks 127.0.0.1, and so does the stub.
  const listed = nameservers(machine);
  const upstream = listed.length > 0 ? listed : ['127.0.0.1'];
  const server = await bindLoopback53();
  const address = server.address().address;
  const tcp = createServer((client) => {
    const relay = connect(53, upstream[0]!);
    client.on('error', () => relay.destroy());
    relay.on('error', () => client.destroy());
    client.pipe(relay).pipe(client);
  });
  await new Promise<void>((resolve) => tcp.once('error', () => resolve()).listen(53, address, () => resolve()));
  server.on('message', (query, client) => {
    const question = decodeDnsQuery(query);
    const pid = question ? ownerOf(client.port) : undefined;
    const target = upstream[0]!;
    const relay = createSocket(target.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => relay.close(), UPSTREAM_TIMEOUT_MS);
    relay.on('error', () => (clearTimeout(timer), relay.close()));
    relay.on('message', (reply) => {
      clearTimeout(timer);
      relay.close();
      server.send(reply, client.port, client.address);
      if (question) onAnswer({ ...question, addresses: answerAddresses(reply), time: Date.now(), ...(pid === undefined ? {} : { pid }) });
    });
    relay.send(query, 53, target);
  });
  const dir = mkdtempSync(join(tmpdir(), 'supplywatch-dns-'));
  const resolvConf = join(dir, 'resolv.conf');
  const kept = machine.split('\n').filter((line) => /^\s*(search|domain|options)\b/.test(line));
  writeFileSync(resolvConf, ['# supplywatch run: the audit sensor DNS stub (docs/sensor.md)', `nameserver ${address}`, ...kept, ''].join('\n'));
  return {
    address,
    resolvConf,
    close: () => {
      server.close();
      tcp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Nameserver addresses of a resolv.conf (IPv6 zone suffixes dropped). */
export function nameservers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*nameserver\s+(\S+)/gm)) out.push(m[1]!.replace(/%.*/, ''));
  return out;
}

/** A free port 53 on a random loopback address (127.0.0.0/8 is all local). */
async function bindLoopback53(): Promise<UdpSocket> {
  for (let attempt = 0; ; attempt++) {
    const address = `127.${1 + Math.floor(Math.random() * 254)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
    const socket = createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(53, address, () => resolve());
      });
      return socket;
    } catch (err) {
      socket.close();
      if (attempt >= 20) throw err;
    }
  }
}

/** The A and AAAA addresses of a DNS response's answer section. */
export function answerAddresses(msg: Buffer): string[] {
  if (msg.length < 12) return [];
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  let at = 12;
  const skipName = () => {
    while (at < msg.length) {
      const len = msg[at]!;
      if (len === 0) return void (at += 1);
      if ((len & 0xc0) === 0xc0) return void (at += 2);
      at += 1 + len;
    }
  };
  for (let i = 0; i < qd; i++) {
    skipName();
    at += 4;
  }
  const out: string[] = [];
  for (let i = 0; i < an && at < msg.length; i++) {
    skipName();
    if (at + 10 > msg.length) break;
    const type = msg.readUInt16BE(at);
    const length = msg.readUInt16BE(at + 8);
    at += 10;
    if (at + length > msg.length) break;
    if (type === 1 && length === 4) out.push([...msg.subarray(at, at + 4)].join('.'));
    if (type === 28 && length === 16) out.push(formatIpv6(msg.subarray(at, at + 16)));
    at += length;
  }
  return out;
}

