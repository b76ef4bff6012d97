import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onStop } from '../helpers/on-stop.js';

/**
 * Host names for the live corpus's attacker stand-in. Real payloads reach their hosts by name,
 * and the sensor learns a connection's host name from the DNS query the process sent just before
 * (src/sensor/resolver.ts; an /etc/hosts entry is read as a pinned host, not a lookup). Rules
 * judge a destination by that name (a paste site, a request catcher, an IP-lookup service,
 * GitHub, the registry's CDN), so the payloads use the incidents' real host names
 * (`pastebin.com`, `api.ipgeolocation.io`, …) and the victim gets a resolver of its own: a DNS
 * server on 127.0.0.153:53 (loopback, as systemd-resolved's stub on 127.0.0.53) answering each
 * of those names with its stand-in address (test/live/c2.ts), and NXDOMAIN to anything else.
 *
 * Nothing outside the harness sees those answers: the server binds 127.0.0.153 only (no other
 * interface, so no other machine can ask it), and only the victim's command is told about it,
 * through a private mount namespace whose /etc/resolv.conf names it and whose nsswitch.conf
 * looks host names up in /etc/hosts and DNS only (inVictimNamespace; not through
 * systemd-resolved or multicast DNS, which would take the real names off the machine); the
 * machine's /etc/resolv.conf and nsswitch.conf are never written (the live test compares them,
 * and what is mounted over them, before and after each run, and checks where the server
 * listens). Inside the namespace every other name is NXDOMAIN, so the victim reaches nothing
 * real either. A payload
 * run outside the harness would use the real names, so each one does nothing unless the test's
 * flag SUPPLYWATCH_LIVE_CORPUS=1 is set, checked before any network call
 * (test/live/payload-guard.test.ts holds every payload to that).
 */
export const RESOLVER = '127.0.0.153';

/** The incidents' hosts, as each payload names them (test/live/packages: `__C2@host__`). */
export const C2_NAMES = [
  'api.github.com',
  'api.githubio.codes',
  'api.ipgeolocation.io',
  'bun.sh',
  'citationsherbe.at',
  'copayapi.host',
  'freegeoip.app',
  'gist.githubusercontent.com',
  'github.com',
  'oast.pro',
  'pastebin.com',
  'pastorcryptograph.at',
  'statcounter.com',
  'webhook.site',
];

/** Placeholders of the package sources: `__C2@host__` → its URL, `__C2_HOST@host__` → its name. */
export function c2NameSubstitutions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const host of C2_NAMES) {
    out[`__C2@${host}__`] = `http://${host}`;
    out[`__C2_HOST@${host}__`] = host;
  }
  return out;
}

/** The question of a DNS query: its name and type, and where it ends. */
function question(query: Buffer): { name: string; type: number; end: number } | undefined {
  if (query.length < 17 || query[2]! & 0x80) return undefined;
  const labels: string[] = [];
  let i = 12;
  while (query[i] !== 0) {
    const len = query[i]!;
    if (len > 63 || i + 1 + len >= query.length) return undefined;
    labels.push(query.toString('latin1', i + 1, i + 1 + len));
    i += 1 + len;
  }
  if (i + 5 > query.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: query.readUInt16BE(i + 1), end: i + 5 };
}

/** An A record for the stand-in names, NOERROR with no record for their other types, NXDOMAIN otherwise. */
function reply(query: Buffer, asked: { type: number; end: number }, address: string | undefined): Buffer {
  const known = address !== undefined;
  const withAddress = known && asked.type === 1;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header[2] = 0x84 | (query[2]! & 0x01); // response, authoritative, recursion desired as asked
  header[3] = known ? 0x80 : 0x83; // recursion available; NOERROR or NXDOMAIN
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(withAddress ? 1 : 0, 6);
  const questionBytes = query.subarray(12, asked.end);
  if (!withAddress) return Buffer.concat([header, questionBytes]);
  const record = Buffer.alloc(16);
  record.writeUInt16BE(0xc00c, 0); // the name: a pointer to the question's
  record.writeUInt16BE(1, 2); // A
  record.writeUInt16BE(1, 4); // IN
  record.writeUInt32BE(60, 6);
  record.writeUInt16BE(4, 10);
  address!.split('.').forEach((octet, k) => (record[12 + k] = Number(octet)));
  return Buffer.concat([header, questionBytes, record]);
}

export interface VictimResolver {
  /** A folder with the victim's resolv.conf (naming the resolver) and nsswitch.conf (inVictimNamespace). */
  victimEtc: string;
  /** The address the server is bound to (RESOLVER, nothing wider). */
  boundTo: string;
  close(): Promise<void>;
}

/** Answers each host name of `addresses` with its address, on RESOLVER:53 only. */
export async function startResolver(addresses: Map<string, string>): Promise<VictimResolver> {
  const names = new Map([...addresses].map(([host, address]) => [host.toLowerCase(), address]));
  const socket = createSocket('udp4');
  socket.on('message', (query, from) => {
    const asked = question(query);
    if (!asked) return;
    socket.send(reply(query, asked, names.get(asked.name)), from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => socket.once('error', reject).bind(53, RESOLVER, resolve));
  const dir = mkdtempSync(join(tmpdir(), 'sw-live-dns-'));
  writeFileSync(join(dir, 'resolv.conf'), `# The live corpus victim's resolver (test/live/c2-dns.ts)\nnameserver ${RESOLVER}\n`);
  writeFileSync(join(dir, 'nsswitch.conf'), victimNsswitch());
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const forgetDir = onStop(removeDir);
  return {
    victimEtc: dir,
    boundTo: socket.address().address,
    close: () =>
      new Promise<void>((resolve) => socket.close(() => resolve())).finally(() => {
        removeDir();
        forgetDir();
      }),
  };
}

/**
 * The machine's nsswitch.conf with host names looked up in /etc/hosts and DNS only: a machine
 * whose `hosts:` line asks systemd-resolved (`resolve`) or multicast DNS first would otherwise
 * send the victim's lookups of the real names past its resolv.conf, off the machine.
 */
function victimNsswitch(): string {
  let machine = '';
  try {
    machine = readFileSync('/etc/nsswitch.conf', 'utf8');
  } catch {
    // No nsswitch.conf: glibc's defaults for the other databases are fine.
  }
  const others = machine.split('\n').filter((line) => !/^\s*hosts\s*:/.test(line));
  return [...others, '# The live corpus victim (test/live/c2-dns.ts): its own resolver only.', 'hosts: files dns', ''].join('\n');
}

/**
 * `command` in a private mount namespace (root only) whose /etc/resolv.conf and
 * /etc/nsswitch.conf are those of `victimEtc` (startResolver).
 */
export function inVictimNamespace(victimEtc: string, command: string[]): string[] {
  const script = 'mount --bind "$0/resolv.conf" /etc/resolv.conf && mount --bind "$0/nsswitch.conf" /etc/nsswitch.conf || exit 97; exec "$@"';
  return ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, victimEtc, ...command];
}

/**
 * Undefined when a name resolves to `address` inside the victim's namespace, else why not.
 * Asynchronous: the resolver answering runs in this process.
 */
export function checkVictimResolution(victimEtc: string, host: string, address: string): Promise<string | undefined> {
  return lookUp(inVictimNamespace(victimEtc, ['getent', 'ahostsv4', host])).then(({ addresses, why }) =>
    addresses.includes(address) ? undefined : `${host} did not resolve to ${address} in the victim's mount namespace (${why}): ${addresses.join(' ') || 'no address'}`,
  );
}

/** Runs a getent command; asynchronous, as the resolver answering it runs in this process. */
function lookUp([command, ...args]: string[]): Promise<{ addresses: string[]; why: string }> {
  return new Promise((resolve) => {
    execFile(command!, args, { encoding: 'utf8', timeout: 20_000 }, (error, stdout, stderr) => {
      const addresses = [...new Set(stdout.split('\n').map((line) => line.split(/\s+/)[0]!).filter(Boolean))];
      resolve({ addresses, why: error ? `${error.message} ${stderr}`.trim() : 'resolved' });
    });
  });
}
