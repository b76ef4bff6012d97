import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../helpers/cli.js';
import { onStop } from '../helpers/on-stop.js';
import { C2_NAMES, c2NameSubstitutions, startResolver } from './c2-dns.js';

/**
 * The stand-in for every attacker host of the live corpus (download servers, geolocation
 * services, pastebin, webhook.site, GitHub's API and releases): plain HTTP on port 80 of
 * documentation addresses (TEST-NET-2, RFC 5737, 198.51.100.0/24), which the test puts on the
 * `lo` interface for its own run, one address per host name (as distinct hosts have distinct
 * addresses: the sensor names an address after the first lookup that led to it). Not 127/8:
 * connections to loopback are local services, rightly exempt from the egress rules, and no real
 * attacker host is one. On `lo`, the addresses are reachable from this machine only, so the
 * payloads' traffic never leaves it. Payloads reach them by the incidents' real host names,
 * answered only inside the victim's mount namespace by its own resolver (c2-dns.ts).
 * It serves the harmless second stages of test/live/c2-files/ and answers anything else 200.
 */
export const C2_FILES = join(REPO, 'test', 'live', 'c2-files');
// On `lo` a prefix makes every address in it local, as 127.0.0.1/8 does for 127/8.
const C2_PREFIX = '198.51.100.1/24';
const C2_PORT = 80;
// The ports incidents used besides the web ones: event-stream's payload posted to copayapi.host:8080.
const C2_EXTRA_PORTS = [8080];
/** The stand-in address of each host name. */
export const C2_ADDRESSES = new Map(C2_NAMES.map((host, i) => [host, `198.51.100.${10 + i}`]));
export const isC2Address = (address: unknown) => [...C2_ADDRESSES.values()].includes(String(address));

export interface C2Request {
  method: string;
  path: string;
  body: string;
}

export interface C2Server {
  /** The ports every stand-in host listens on. */
  ports: number[];
  requests: C2Request[];
  /** The resolv.conf and nsswitch.conf the victim's namespace uses (test/live/c2-dns.ts). */
  victimEtc: string;
  /** Where the victim's resolver listens. */
  resolverBoundTo: string;
  close(): Promise<void>;
}

/** A gzipped tar of `payload.sh` under the given names (a runner folder, an XMRig release). */
function tarOfPayload(names: string[]): Buffer {
  const work = mkdtempSync(join(tmpdir(), 'sw-c2-'));
  try {
    for (const name of names) {
      mkdirSync(dirname(join(work, name)), { recursive: true });
      cpSync(join(C2_FILES, 'payload.sh'), join(work, name));
    }
    const tar = spawnSync('tar', ['-cz', '-C', work, ...names.map((n) => n.split('/')[0]!)], { maxBuffer: 16 << 20 });
    if (tar.status !== 0) throw new Error(`tar: ${tar.stderr.toString()}`);
    return tar.stdout;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const ip = (...args: string[]) => spawnSync('ip', args, { encoding: 'utf8' });
const hasC2Address = () => (ip('-o', 'addr', 'show', 'dev', 'lo', 'to', C2_PREFIX).stdout ?? '').includes(C2_PREFIX);

function removeC2Address(): void {
  if (hasC2Address()) ip('addr', 'del', C2_PREFIX, 'dev', 'lo');
}

/**
 * Puts C2_PREFIX on `lo` (root only: tests run as root here and in CI). Removed by close() and, if
 * the run ends before that, on exit or on a stop signal; one left by a run killed outright
 * (SIGKILL) is taken over and removed the same way (nothing else has a reason to hold a
 * documentation address).
 */
function addC2Address(): () => void {
  if (!hasC2Address()) {
    const added = ip('addr', 'add', C2_PREFIX, 'dev', 'lo');
    if (added.error || added.status !== 0) {
      const why = added.error ? added.error.message : added.stderr.trim();
      throw new Error(
        `the live corpus needs ${C2_PREFIX} on the loopback interface for its stand-in attacker hosts, and \`ip addr add ${C2_PREFIX} dev lo\` failed: ${why}` +
          ` (run as root, with iproute2; uid ${process.getuid?.() ?? '?'})`,
      );
    }
  }
  return onStop(removeC2Address);
}

export async function startC2(): Promise<C2Server> {
  const forgetAddress = addC2Address();
  const requests: C2Request[] = [];
  const names = Object.entries(c2NameSubstitutions());
  const text = (file: string) => names.reduce((out, [key, value]) => out.split(key).join(value), readFileSync(join(C2_FILES, file), 'utf8'));
  const runner = tarOfPayload(['config.sh', 'run.sh']);
  const xmrig = tarOfPayload(['xmrig-6.22.2/xmrig']);
  // Longest prefix first: what each incident downloaded, by its path on the real host.
  const routes: [prefix: string, body: () => string | Buffer][] = [
    ['/xml/', () => text('freegeoip.xml')],
    ['/ipgeo', () => text('ipgeo.json')],
    ['/raw/XLeVP82h', () => text('eslint-scope-stage2.js')],
    ['/install', () => text('bun-install.sh')],
    ['/nikitastupin/', () => text('memdump.py')],
    ['/actions/runner/releases/', () => runner],
    ['/xmrig/xmrig/releases/', () => xmrig],
    ['/download/', () => text('payload.sh')],
    ['/trufflesecurity/', () => text('payload.sh')],
    ['/v2/id/', () => text('payload.sh')],
  ];
  const handle: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? 'GET', path, body: Buffer.concat(chunks).toString('utf8') });
      const route = routes.find(([prefix]) => path.startsWith(prefix));
      res.writeHead(200, { 'content-type': 'application/octet-stream', connection: 'close' }).end(route ? route[1]() : 'ok');
    });
  };
  const servers: Server[] = [];
  const stopServers = () => Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  let resolver;
  try {
    // Port 80, as the incidents' hosts (HTTP or HTTPS, web ports), and the other ports the
    // incidents used: a random high port would be a signal no real payload gives. The addresses
    // are this test's alone, so the ports are free.
    for (const address of C2_ADDRESSES.values()) {
      for (const port of [C2_PORT, ...C2_EXTRA_PORTS]) {
        const server = createServer(handle);
        await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, address, resolve));
        servers.push(server);
      }
    }
    resolver = await startResolver(C2_ADDRESSES);
  } catch (error) {
    await stopServers();
    removeC2Address();
    forgetAddress();
    throw error;
  }
  const close = async () => {
    try {
      await Promise.all([stopServers(), resolver.close()]);
    } finally {
      removeC2Address();
      forgetAddress();
    }
  };
  return { ports: [C2_PORT, ...C2_EXTRA_PORTS], requests, victimEtc: resolver.victimEtc, resolverBoundTo: resolver.boundTo, close };
}
