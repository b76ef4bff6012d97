/**
 * Connection to NATS. Credentials come from a file (`--auth FILE`) or the environment, never
 * from the command line, where `ps` and shell histories would show them: a server URL with a
 * user or password in it is refused.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, nkeyAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { isMap, isScalar, type Node, type Pair, type Scalar } from 'yaml';
import { ConfigError } from '../config/load.js';
import { checkKeys, positionedDocument } from '../config/positions.js';
import { UsageError } from '../errors.js';
import { textOf } from '../sources/utf16.js';

/** What `--auth FILE` may hold (YAML or JSON); each key falls back to its environment variable. */
export interface AuthFile {
  /** NATS_USER, NATS_PASSWORD */
  user?: string;
  password?: string;
  /** NATS_TOKEN */
  token?: string;
  /** NATS_NKEY_SEED_FILE: a file holding an nkey seed (SU…). */
  'nkey-seed-file'?: string;
  /** NATS_CREDS: a .creds file (user JWT and nkey seed). */
  creds?: string;
  /** NATS_CA, NATS_CERT, NATS_KEY: PEM files; cert and key for mutual TLS. */
  tls?: { ca?: string; cert?: string; key?: string };
}

export interface ServerSpec {
  /** Comma-separated nats:// or tls:// URLs. */
  servers: string;
  /** `--auth FILE`, if given. */
  authFile?: string;
  /** Shown in the server's connection list. */
  name: string;
}

const AUTH_KEYS = ['user', 'password', 'token', 'nkey-seed-file', 'creds', 'tls'] as const;
const TLS_KEYS = ['ca', 'cert', 'key'] as const;

/**
 * `--auth FILE` checked as the config file is (config/load.ts): every problem with
 * file:line:column, unknown keys included. Read with YAML's failsafe schema, so every value is
 * the text written (a password of digits keeps its leading zeros); an alias or a list where a
 * value belongs is a problem at its place.
 */
export function parseAuthFile(text: string, file: string): AuthFile {
  const { doc, problems, at } = positionedDocument(text, file, 'failsafe');
  if (problems.length > 0) throw new ConfigError(problems);
  /** The known keys of a mapping, each with its value node; problems for the rest. */
  const entries = (node: Node | null, name: string, keys: readonly string[]): Array<[string, Node | null, Node]> => {
    if (!isMap(node)) {
      at(node, `${name} must be a mapping of ${keys.join(', ')}`);
      return [];
    }
    checkKeys(node, keys, name, at);
    return (node.items as Pair<Node, Node | null>[]).filter((p) => isScalar(p.key) && keys.includes(String(p.key.value))).map((p) => [String((p.key as Scalar).value), p.value, p.key]);
  };
  const stringAt = (value: Node | null, key: Node, name: string): string | undefined => {
    if (isScalar(value) && typeof value.value === 'string' && value.value !== '') return value.value;
    at(value ?? key, `\`${name}\` must be a non-empty string`);
    return undefined;
  };
  const auth: AuthFile = {};
  for (const [name, value, key] of entries(doc.contents, `--auth ${file}`, AUTH_KEYS)) {
    if (name !== 'tls') {
      const text = stringAt(value, key, name);
      if (text !== undefined) auth[name as Exclude<keyof AuthFile, 'tls'>] = text;
      continue;
    }
    for (const [item, itemValue, itemKey] of entries(value, '`tls`', TLS_KEYS)) {
      const text = stringAt(itemValue, itemKey, `tls.${item}`);
      if (text !== undefined) (auth.tls ??= {})[item as keyof NonNullable<AuthFile['tls']>] = text;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return auth;
}

/** The server URLs of `--from`/`--to`; a usage error for a URL that carries a credential. */
export function serverUrls(spec: string, option: string): string[] {
  const urls = spec.split(',').map((s) => s.trim()).filter(Boolean);
  if (urls.length === 0) throw new UsageError(`${option}: no server URL`);
  for (const url of urls) {
    let parsed: URL;
    try {
      parsed = new URL(url.includes('://') ? url : `nats://${url}`);
    } catch {
      throw new UsageError(`${option}: not a server URL: ${url}`);
    }
    if (parsed.username !== '' || parsed.password !== '') {
      throw new UsageError(`${option}: credentials in a URL are visible to every user of this machine; use --auth FILE or NATS_USER/NATS_PASSWORD/NATS_TOKEN`);
    }
  }
  return urls;
}

export function readAuth(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Partial<ConnectionOptions> {
  let auth: AuthFile = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = textOf(readFileSync(file));
    } catch (err) {
      throw new UsageError(`--auth: cannot read ${file}: ${(err as Error).message}`);
    }
    auth = parseAuthFile(text, file);
  }
  const user = auth.user ?? env.NATS_USER;
  const password = auth.password ?? env.NATS_PASSWORD;
  const token = auth.token ?? env.NATS_TOKEN;
  const seedFile = auth['nkey-seed-file'] ?? env.NATS_NKEY_SEED_FILE;
  const creds = auth.creds ?? env.NATS_CREDS;
  const ca = auth.tls?.ca ?? env.NATS_CA;
  const cert = auth.tls?.cert ?? env.NATS_CERT;
  const key = auth.tls?.key ?? env.NATS_KEY;
  const options: Partial<ConnectionOptions> = {};
  if (user !== undefined) Object.assign(options, { user, pass: password ?? '' });
  if (token !== undefined) options.token = token;
  if (creds !== undefined) options.authenticator = credsAuthenticator(readSecret(creds, 'creds'));
  else if (seedFile !== undefined) options.authenticator = nkeyAuthenticator(new TextEncoder().encode(Buffer.from(readSecret(seedFile, 'nkey seed')).toString('utf8').trim()));
  if (ca !== undefined || cert !== undefined || key !== undefined) options.tls = { ...(ca ? { caFile: ca } : {}), ...(cert ? { certFile: cert } : {}), ...(key ? { keyFile: key } : {}) };
  return options;
}

function readSecret(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read the ${what} file ${path}: ${(err as Error).message}`);
  }
}

/**
 * Connects, reconnecting without end: a cluster member going away must not stop a worker.
 * Without async traces: the client would otherwise build an Error (a stack trace) for every
 * request, that is for every alert published, to throw only if it fails.
 */
export async function connectTo(spec: ServerSpec, option: string): Promise<NatsConnection> {
  const servers = serverUrls(spec.servers, option);
  const auth = readAuth(spec.authFile);
  return connect({ servers, name: spec.name, maxReconnectAttempts: -1, reconnectTimeWait: 250, noAsyncTraces: true, ...auth });
}
