/** `supplywatch publish` and `supplywatch stream`: options into plans (docs/streaming.md). */
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';
import { parseTimestamp } from '../alerts/window.js';
import { DEFAULT_IN_FLIGHT, printSubject, runPublish, type PublishPlan } from '../stream/publish.js';
import { DEFAULT_DUPLICATE_WINDOW_MS, DEFAULT_PREFIX } from '../stream/topology.js';
import { runStream, type StreamPlan } from '../stream/worker.js';
import { readConfig } from './config-option.js';
import { parseNow, parsePositive, parseRuleSpecs } from './options.js';

interface CommonOptions {
  auth?: string;
  prefix?: string;
  partitions?: string;
  replicas?: string;
  inFlight?: string;
  quiet?: boolean;
}

export interface PublishOptions extends CommonOptions {
  to: string;
  /** Print the subject of this host's partition instead of publishing. */
  subjectFor?: string;
  inputFormat?: string;
  strict?: boolean;
}

export interface StreamOptions extends CommonOptions {
  from: string;
  rules?: string[];
  config?: string;
  now?: string;
  lease?: string;
  checkpointEvery?: string;
  checkpointEvents?: string;
  duplicateWindow?: string;
  replayFrom?: string;
}

export async function publishCommand(paths: string[], options: PublishOptions): Promise<number> {
  if (options.subjectFor !== undefined) {
    if (paths.length > 0) throw new UsageError('publish --subject-for HOST takes no path');
    return printSubject(publishPlan(['-'], options), options.subjectFor);
  }
  return runPublish(publishPlan(paths, options));
}

export async function streamCommand(options: StreamOptions): Promise<number> {
  return runStream(streamPlan(options));
}

export function publishPlan(paths: string[], options: PublishOptions): PublishPlan {
  if (paths.length === 0) throw new UsageError('publish needs at least one path (a file, a folder, or - for stdin)');
  return {
    inputs: paths,
    inputFormat: options.inputFormat,
    server: { servers: options.to, authFile: options.auth, name: 'supplywatch publish' },
    prefix: options.prefix ?? DEFAULT_PREFIX,
    partitions: parsePositive(options.partitions, '--partitions'),
    replicas: parsePositive(options.replicas, '--replicas') ?? 1,
    inFlight: parsePositive(options.inFlight, '--in-flight') ?? DEFAULT_IN_FLIGHT,
    quiet: options.quiet === true,
    strict: options.strict === true,
  };
}

export function streamPlan(options: StreamOptions): StreamPlan {
  const now = parseNow(options.now);
  const config = readConfig(options.config, now);
  return {
    server: { servers: options.from, authFile: options.auth, name: 'supplywatch stream' },
    prefix: options.prefix ?? DEFAULT_PREFIX,
    rules: parseRuleSpecs(options.rules ?? []),
    pipeline: { config, now, liveClock: options.now === undefined },
    replicas: parsePositive(options.replicas, '--replicas') ?? 1,
    partitions: parsePositive(options.partitions, '--partitions'),
    inFlight: parsePositive(options.inFlight, '--in-flight') ?? 256,
    leaseTtlMs: duration(options.lease, '--lease') ?? 10_000,
    checkpointEveryMs: duration(options.checkpointEvery, '--checkpoint-every') ?? 5_000,
    checkpointEveryEvents: parsePositive(options.checkpointEvents, '--checkpoint-events') ?? 50_000,
    duplicateWindowMs: duration(options.duplicateWindow, '--duplicate-window') ?? DEFAULT_DUPLICATE_WINDOW_MS,
    ...(options.replayFrom !== undefined ? { replayFrom: replayFrom(options.replayFrom) } : {}),
    quiet: options.quiet === true,
  };
}

function duration(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) throw new UsageError(`${option}: '${text}' is not a duration (e.g. 10s, 5m)`);
  return ms;
}

/** `--replay-from`: a stream sequence (digits) or a time. */
function replayFrom(text: string): { seq: number } | { time: number } {
  if (/^[1-9]\d*$/.test(text)) return { seq: Number(text) };
  const time = parseTimestamp(text);
  if (time === undefined) throw new UsageError(`--replay-from: '${text}' is neither a stream sequence nor a time (e.g. 2026-12-01T00:00:00Z)`);
  return { time };
}
