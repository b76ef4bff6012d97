import type { Destination } from '../targets.js';
import type { OutputSink } from './sink.js';
import { SyslogSink } from './syslog.js';

/** A sink for a receiver on the network: a syslog server or a Splunk HEC. */
export function openNetworkSink(destination: Exclude<Destination, { kind: 'stdout' | 'file' }>): OutputSink {
  if (destination.kind === 'syslog') return new SyslogSink(destination);
  throw new Error(`${destination.kind} outputs are not built yet`);
}
