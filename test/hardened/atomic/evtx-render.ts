/**
 * Sysmon records as a native .evtx file, through the byte-level builder of the EVTX reader's
 * tests (test/sources/evtx/build.ts): each record's Binary XML is a template instance whose
 * values carry Sysmon's types — GUIDs (0x0F, rendered without braces), UInt32 pids, UInt16
 * ports, a Boolean Initiated, a Hex64 LogonId, FILETIME timestamps and a SID — so the reader's
 * typed-value path, not only its strings, feeds the enrichment and the rules.
 */
import { Bytes, evtxFile, instance, record, T, type Value } from '../../sources/evtx/build.js';

export interface EvtxRecord {
  eventId: number;
  recordId: number;
  time: Date;
  computer: string;
  data: Array<[string, string]>;
}

const u = (n: number, bytes: number): number[] => {
  const b = Buffer.alloc(bytes);
  if (bytes === 8) b.writeBigUInt64LE(BigInt(n));
  else b.writeUIntLE(n, 0, bytes);
  return [...b];
};
const str = (s: string): number[] => [...Buffer.from(`${s}\0`, 'utf16le')];
const filetime = (d: Date): number[] => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE((BigInt(d.getTime()) + 11644473600000n) * 10_000n);
  return [...b];
};
/** `{5f1c2a10-…}` → the 16 bytes of a GUID (first three groups little-endian). */
function guidBytes(text: string): number[] {
  const h = text.replace(/[{}-]/g, '');
  const bytes = (from: number, to: number) => (h.slice(from, to).match(/../g) ?? []).map((x) => parseInt(x, 16));
  return [...bytes(0, 8).reverse(), ...bytes(8, 12).reverse(), ...bytes(12, 16).reverse(), ...bytes(16, 32)];
}
const SID_SYSTEM = [1, 1, 0, 0, 0, 0, 0, 5, ...u(18, 4)];

/** Sysmon's declared type of each EventData field (everything else is a string). */
function typed(name: string, value: string): Value {
  if (/Guid$/.test(name)) return { type: 0x0f, bytes: guidBytes(value) };
  if (name === 'ProcessId' || name === 'ParentProcessId' || name === 'TerminalSessionId') return { type: 0x08, bytes: u(Number(value), 4) };
  if (name === 'SourcePort' || name === 'DestinationPort') return { type: 0x06, bytes: u(Number(value), 2) };
  if (name === 'Initiated' || name === 'SourceIsIpv6' || name === 'DestinationIsIpv6') return { type: 0x0d, bytes: u(value === 'true' ? 1 : 0, 4) };
  if (name === 'LogonId') return { type: 0x15, bytes: u(parseInt(value, 16), 8) };
  return { type: 0x01, bytes: str(value) };
}

function body(t: Bytes, names: string[]): void {
  T.fragmentHeader(t);
  T.open(t, 'Event', true);
  T.attr(t, 'xmlns');
  T.text(t, 'http://schemas.microsoft.com/win/2004/08/events/event');
  T.close(t);
  T.open(t, 'System', false);
  T.close(t);
  T.open(t, 'Provider', true);
  T.attr(t, 'Name');
  T.sub(t, 0, 0x01);
  T.closeEmpty(t);
  T.open(t, 'EventID', false);
  T.close(t);
  T.sub(t, 1, 0x06);
  T.end(t);
  T.open(t, 'TimeCreated', true);
  T.attr(t, 'SystemTime');
  T.sub(t, 2, 0x11);
  T.closeEmpty(t);
  T.open(t, 'EventRecordID', false);
  T.close(t);
  T.sub(t, 3, 0x0a);
  T.end(t);
  T.open(t, 'Channel', false);
  T.close(t);
  T.text(t, 'Microsoft-Windows-Sysmon/Operational');
  T.end(t);
  T.open(t, 'Computer', false);
  T.close(t);
  T.sub(t, 4, 0x01);
  T.end(t);
  T.open(t, 'Security', true);
  T.attr(t, 'UserID');
  T.sub(t, 5, 0x13);
  T.closeEmpty(t);
  T.end(t); // System
  T.open(t, 'EventData', false);
  T.close(t);
  names.forEach((name, i) => {
    T.open(t, 'Data', true);
    T.attr(t, 'Name');
    T.text(t, name);
    T.close(t);
    T.sub(t, 6 + i, typed(name, '0').type);
    T.end(t);
  });
  T.end(t); // EventData
  T.end(t); // Event
  T.eof(t);
}

export function sysmonEvtx(records: EvtxRecord[]): Buffer {
  return evtxFile(
    records.map((r) => (at: number) =>
      record(at, r.recordId, (b) => {
        T.fragmentHeader(b);
        const values: Value[] = [
          { type: 0x01, bytes: str('Microsoft-Windows-Sysmon') },
          { type: 0x06, bytes: u(r.eventId, 2) },
          { type: 0x11, bytes: filetime(r.time) },
          { type: 0x0a, bytes: u(r.recordId, 8) },
          { type: 0x01, bytes: str(r.computer) },
          { type: 0x13, bytes: SID_SYSTEM },
          ...r.data.map(([k, v]) => typed(k, v)),
        ];
        instance(b, 'inline', (t) => body(t, r.data.map(([k]) => k)), values);
        T.eof(b);
      }),
    ),
  );
}
