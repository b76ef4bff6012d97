/**
 * A loopback npm registry for atomic test 4 (registry confusion): one package, its packument and
 * tarball over plain HTTP on 127.0.0.1, nothing else. What npm needs to install: `GET /<name>`
 * and the tarball URL the packument names. The tarball is packed with the system `tar`.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface LoopbackRegistry {
  url: string;
  port: number;
  /** Every request as `METHOD path`, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Packs `manifest` (plus `files`) as `package/` under `work` and returns the .tgz bytes. */
export function packPackage(work: string, manifest: Record<string, unknown>, files: Record<string, string> = {}): Buffer {
  const root = join(work, 'package');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  const tar = spawnSync('tar', ['-cz', '--owner=0', '--group=0', '-C', work, 'package'], { maxBuffer: 16 << 20 });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr.toString()}`);
  return tar.stdout;
}

/**
 * Serves one package on 127.0.0.1:`port` (0: any free port). The seed's test 4 expects 4873,
 * Verdaccio's port; the caller falls back to a free port when it is taken.
 */
export function startRegistry(name: string, version: string, manifest: Record<string, unknown>, tarball: Buffer, port: number): Promise<LoopbackRegistry> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const file = `${name}-${version}.tgz`;
    if (req.method === 'GET' && req.url === `/${name}`) {
      const dist = { tarball: `${base}/${name}/-/${file}`, shasum: createHash('sha1').update(tarball).digest('hex'), integrity: 'sha512-' + createHash('sha512').update(tarball).digest('base64') };
      const packument = { name, 'dist-tags': { latest: version }, versions: { [version]: { ...manifest, name, version, dist } } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
    } else if (req.method === 'GET' && req.url === `/${name}/-/${file}`) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarball);
    } else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${actual}`, port: actual, requests, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
