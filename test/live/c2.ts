import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../helpers/cli.js';

/**
 * The stand-in for every attacker host of the live corpus (download servers, geolocation
 * services, pastebin, webhook.site, GitHub's API and releases): plain HTTP on 127.0.0.2, another
 * loopback address than the registry's, so the events tell registry and payload traffic apart.
 * It serves the harmless second stages of test/live/c2-files/ and answers anything else 200.
 */
export const C2_FILES = join(REPO, 'test', 'live', 'c2-files');
export const C2_HOST = '127.0.0.2';

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

export async function startC2(): Promise<C2Server> {
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
  await new Promise<void>((resolve) => server.listen(0, C2_HOST, resolve));
  const port = (server.address() as AddressInfo).port;
  url = `http://${C2_HOST}:${port}/`;
  return { url, port, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
