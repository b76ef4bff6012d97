import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../helpers/cli.js';

/**
 * The stand-in for every attacker host of the live corpus (download servers, geolocation
 * services, pastebin, webhook.site, GitHub's API and releases): plain HTTP on 198.51.100.7, a
 * documentation address (TEST-NET-2, RFC 5737) that the test adds to the `lo` interface for its
 * own run. Not a 127/8 address: connections to loopback are local services, rightly exempt from
 * the egress rules, and no real attacker host is one. Added to `lo`, the address is still only
 * reachable from this machine, so the payloads' traffic never leaves it.
 * It serves the harmless second stages of test/live/c2-files/ and answers anything else 200.
 */
export const C2_FILES = join(REPO, 'test', 'live', 'c2-files');
export const C2_HOST = '198.51.100.7';
const C2_PREFIX = `${C2_HOST}/32`;
const C2_PORT = 80;

export interface C2Request {
  method: string;
  path: string;
  body: string;
}

export interface C2Server {
  url: string;
  port: number;
  requests: C2Request[];
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
const hasC2Address = () => (ip('-o', 'addr', 'show', 'dev', 'lo', 'to', C2_PREFIX).stdout ?? '').includes(C2_HOST);

function removeC2Address(): void {
  if (hasC2Address()) ip('addr', 'del', C2_PREFIX, 'dev', 'lo');
}

/**
 * Puts C2_HOST on `lo` (root only: tests run as root here and in CI). Removed by close() and, if
 * the run dies before that, by an exit handler; one left by a killed run is taken over and
 * removed the same way (nothing else has a reason to hold a documentation address).
 */
function addC2Address(): void {
  if (!hasC2Address()) {
    const added = ip('addr', 'add', C2_PREFIX, 'dev', 'lo');
    if (added.error || added.status !== 0) {
      const why = added.error ? added.error.message : added.stderr.trim();
      throw new Error(
        `the live corpus needs ${C2_PREFIX} on the loopback interface for its stand-in attacker host, and \`ip addr add ${C2_PREFIX} dev lo\` failed: ${why}` +
          ` (run as root, with iproute2; uid ${process.getuid?.() ?? '?'})`,
      );
    }
  }
  process.once('exit', removeC2Address);
}

export async function startC2(): Promise<C2Server> {
  addC2Address();
  const requests: C2Request[] = [];
  let url = '';
  const text = (file: string) => readFileSync(join(C2_FILES, file), 'utf8').split('__C2__').join(url.slice(0, -1));
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
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({ method: req.method ?? 'GET', path, body: Buffer.concat(chunks).toString('utf8') });
      const route = routes.find(([prefix]) => path.startsWith(prefix));
      res.writeHead(200, { 'content-type': 'application/octet-stream', connection: 'close' }).end(route ? route[1]() : 'ok');
    });
  });
  try {
    // Port 80, as the incidents' hosts (HTTP or HTTPS, web ports): a random high port would be
    // a signal no real payload gives. The address is this test's alone, so the port is free.
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(C2_PORT, C2_HOST, resolve));
  } catch (error) {
    removeC2Address();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  url = `http://${C2_HOST}/`;
  const close = () =>
    new Promise<void>((resolve) => server.close(() => resolve())).finally(() => {
      removeC2Address();
      process.off('exit', removeC2Address);
    });
  return { url, port, requests, close };
}
