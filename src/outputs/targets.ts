import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { terminalSafe } from './escape.js';

/**
 * Where one `--output FORMAT:DESTINATION` goes, as plain data (plans cross to worker threads):
 * stdout, a file, a syslog receiver or a Splunk HTTP Event Collector.
 */
export type Destination =
  | { kind: 'stdout' }
  | { kind: 'file'; path: string }
  | { kind: 'syslog'; transport: 'udp' | 'tcp' | 'tls'; host: string; port: number }
  | { kind: 'hec'; url: string; token: string; ack: boolean };

export interface OutputTarget {
  format: string;
  destination: Destination;
  /** The spec as the user wrote it, for messages (never holds the HEC token). */
  spec: string;
}

/** The environment variables a HEC token is read from: the token, or a file holding it. */
export const HEC_TOKEN_ENV = 'SUPPLYWATCH_HEC_TOKEN';
export const HEC_TOKEN_FILE_ENV = 'SUPPLYWATCH_HEC_TOKEN_FILE';

/** Formats a syslog destination can carry: one line per alert. */
const LINE_FORMATS = new Set(['leef', 'cef', 'jsonl', 'ecs']);

/**
 * Parses one `--output` value. `formats`: the names a format may have. Throws a one-line
 * UsageError naming what is wrong.
 */
export function parseOutputTarget(spec: string, formats: readonly string[], env: NodeJS.ProcessEnv = process.env): OutputTarget {
  const colon = spec.indexOf(':');
  const fail = (why: string) => new UsageError(`--output '${terminalSafe(spec)}': ${why}`);
  if (colon <= 0 || colon === spec.length - 1) throw fail('expected FORMAT:DESTINATION (e.g. sarif:results.sarif, leef:syslog+tls://siem:6514, html:report.html)');
  const format = spec.slice(0, colon);
  const where = spec.slice(colon + 1);
  if (!formats.includes(format)) throw fail(`unknown format '${format}' (one of ${formats.join(', ')})`);
  const destination = parseDestination(where, fail, env);
  if (destination.kind === 'syslog' && !LINE_FORMATS.has(format)) throw fail(`syslog carries one line per alert: use ${[...LINE_FORMATS].join(', ')}`);
  if (destination.kind === 'hec' && format !== 'hec') throw fail("a Splunk HEC URL takes the format 'hec' (e.g. hec:https://splunk:8088/services/collector/event)");
  return { format, destination, spec };
}

function parseDestination(where: string, fail: (why: string) => UsageError, env: NodeJS.ProcessEnv): Destination {
  if (where === '-') return { kind: 'stdout' };
  const syslog = /^syslog\+(udp|tcp|tls):\/\/(.*)$/.exec(where);
  if (syslog) {
    const { host, port } = hostPort(syslog[2]!, fail);
    return { kind: 'syslog', transport: syslog[1] as 'udp' | 'tcp' | 'tls', host, port };
  }
  if (/^https?:\/\//.test(where)) return hec(where, fail, env);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) throw fail('destinations are a file, -, syslog+udp://, syslog+tcp://, syslog+tls:// or an https:// HEC URL');
  return { kind: 'file', path: where };
}

function hostPort(text: string, fail: (why: string) => UsageError): { host: string; port: number } {
  const m = /^(\[[0-9a-f:.]+\]|[^:/[\]]+):(\d{1,5})$/i.exec(text);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw fail('a syslog destination is HOST:PORT (e.g. syslog+tcp://siem.example:514)');
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** `?ack=1` asks for indexer acknowledgement; it is ours, not sent to Splunk. */
function hec(where: string, fail: (why: string) => UsageError, env: NodeJS.ProcessEnv): Destination {
  let url: URL;
  try {
    url = new URL(where);
  } catch {
    throw fail('not a URL');
  }
  if (url.username || url.password) throw fail(`credentials never go on the command line: set ${HEC_TOKEN_ENV} or ${HEC_TOKEN_FILE_ENV}`);
  if (!url.pathname.endsWith('/services/collector/event')) throw fail('a Splunk HEC URL ends with /services/collector/event');
  const ack = url.searchParams.get('ack');
  url.searchParams.delete('ack');
  return { kind: 'hec', url: url.toString(), token: hecToken(fail, env), ack: ack === '1' || ack === 'true' };
}

function hecToken(fail: (why: string) => UsageError, env: NodeJS.ProcessEnv): string {
  const direct = env[HEC_TOKEN_ENV];
  if (direct) return direct.trim();
  const file = env[HEC_TOKEN_FILE_ENV];
  if (file) {
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (token) return token;
    } catch (err) {
      throw fail(`cannot read ${HEC_TOKEN_FILE_ENV} (${terminalSafe(file)}): ${(err as Error).message}`);
    }
  }
  throw fail(`the HEC token comes from ${HEC_TOKEN_ENV} or a file named by ${HEC_TOKEN_FILE_ENV}; neither is set`);
}
