import type { Destination } from '../targets.js';
import type { OutputSink } from './sink.js';
import { HecSink } from './hec.js';
import { SyslogSink } from './syslog.js';

/** A sink for a receiver on the network: a syslog server or a Splunk HEC. */
export function openNetworkSink(destination: Exclude<Destination, { kind: 'stdout' | 'file' }>): OutputSink {
  return destination.kind === 'syslog' ? new SyslogSink(destination) : new HecSink(destination);
}
