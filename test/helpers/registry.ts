import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A loopback npm registry for tests: packuments and tarballs over plain HTTP on 127.0.0.1, and
 * `npm publish` accepted (recorded, not stored). What npm needs from a registry to install:
 * `GET /<name>` (scoped names arrive as `@scope%2fname`) and the tarball URL the packument names.
 */
export interface LoopbackRegistry {
  url: string;
  port: number;
  /** Every request as `METHOD path`, in order. */
  requests: string[];
  /** Makes a package folder installable: packs it and adds it to the packument. */
  publishFolder(dir: string, substitutions?: Record<string, string>): PublishedPackage;
  close(): Promise<void>;
}

export interface PublishedPackage {
  name: string;
  version: string;
  tarball: Buffer;
}

interface Packument {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, Record<string, unknown>>;
}

/** Copies a folder to `into`, replacing every `KEY` of `substitutions` in its files (modes kept). */
export function copySubstituted(dir: string, into: string, substitutions: Record<string, string> = {}): void {
  cpSync(dir, into, { recursive: true });
  substitute(into, substitutions);
}

/** Copies a package folder with its substitutions and tars it as `package/`. */
export function packFolder(dir: string, substitutions: Record<string, string> = {}): { manifest: Record<string, unknown>; tarball: Buffer } {
  const work = mkdtempSync(join(tmpdir(), 'sw-pack-'));
  try {
    const root = join(work, 'package');
    copySubstituted(dir, root, substitutions);
    // npm unpacks whatever the tarball holds below its first folder; `package/` is the convention.
    const tar = spawnSync('tar', ['-cz', '--owner=0', '--group=0', '-C', work, 'package'], { maxBuffer: 64 << 20 });
    if (tar.status !== 0) throw new Error(`tar failed for ${dir}: ${tar.stderr.toString()}`);
    return { manifest: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')), tarball: tar.stdout };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function substitute(dir: string, substitutions: Record<string, string>): void {
  const keys = Object.keys(substitutions);
  if (keys.length === 0) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      substitute(path, substitutions);
      continue;
    }
    const text = readFileSync(path, 'utf8');
    let out = text;
    for (const key of keys) out = out.split(key).join(substitutions[key]!);
    if (out !== text) writeFileSync(path, out, { mode: statSync(path).mode });
  }
}

const tarballName = (name: string, version: string) => `${name.split('/').pop()}-${version}.tgz`;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRegistry(host = '127.0.0.1'): Promise<LoopbackRegistry> {
  const packuments = new Map<string, Packument>();
  const tarballs = new Map<string, Buffer>();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(`${req.method} ${path}`);
    void readBody(req).then(() => {
      if (req.method === 'PUT') {
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
        return;
      }
      const packument = packuments.get(path.slice(1));
      if (packument) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(packument));
        return;
      }
      const tarball = tarballs.get(path);
      if (tarball) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarball);
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}/`;

  return {
    url,
    port,
    requests,
    publishFolder(dir, substitutions = {}) {
      const { manifest, tarball } = packFolder(dir, substitutions);
      const name = String(manifest.name);
      const version = String(manifest.version);
      const tarballPath = `/${name}/-/${tarballName(name, version)}`;
      tarballs.set(tarballPath, tarball);
      const packument = packuments.get(name) ?? { name, 'dist-tags': {}, versions: {} };
      packument['dist-tags'].latest = version;
      packument.versions[version] = {
        ...manifest,
        dist: {
          tarball: `${url.slice(0, -1)}${tarballPath}`,
          shasum: createHash('sha1').update(tarball).digest('hex'),
          integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
        },
      };
      packuments.set(name, packument);
      return { name, version, tarball };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
