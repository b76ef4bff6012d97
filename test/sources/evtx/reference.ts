/**
 * The reference the native EVTX reader is checked against: Debian's `evtxexport -f xml`
 * (libevtx-utils), parsed with saxes. Only representation is normalized (see `normalize`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { requireShared } from '../../helpers/cli.js';

export const CORPUS = 'corpus/real';

/** Every `.evtx` file under the shared real corpus, sorted. */
export function corpusEvtxFiles(): string[] {
  const root = requireShared(CORPUS);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.toLowerCase().endsWith('.evtx')) files.push(path);
    }
  };
  walk(root);
  return files;
}

export interface RefEvent {
  system: { Provider_Name?: string; EventID?: string; TimeCreated_SystemTime?: string; EventRecordID?: string; Channel?: string; Computer?: string };
  /** EventData `Data` items by Name, and UserData's element's children by element name. */
  data: Record<string, string>;
  /** EventData items without a Name, in order. */
  anonymous: string[];
}

export interface Reference {
  status: number | null;
  stderr: string;
  events: RefEvent[];
}

export function evtxexport(file: string): Reference {
  const run = spawnSync('evtxexport', ['-f', 'xml', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.error) throw new Error(`evtxexport could not run (install Debian package libevtx-utils): ${run.error.message}`);
  return { status: run.status, stderr: run.stderr, events: parseEventsXml(run.stdout) };
}

/** `<Event>` elements as evtxexport prints them (a version line, then one element per record). */
export function parseEventsXml(output: string): RefEvent[] {
  const start = output.indexOf('<');
  const xml = `<Events>${start === -1 ? '' : output.slice(start)}</Events>`;
  const parser = new SaxesParser();
  const events: RefEvent[] = [];
  const path: string[] = [];
  let current: RefEvent | undefined;
  let text = '';
  let dataName: string | undefined;
  parser.on('opentag', (tag) => {
    path.push(tag.name);
    text = '';
    const attrs = tag.attributes as Record<string, string>;
    if (path.length === 2 && tag.name === 'Event') current = { system: {}, data: {}, anonymous: [] };
    if (!current) return;
    if (path[2] === 'System' && path.length === 4) {
      if (tag.name === 'Provider' && attrs.Name !== undefined) current.system.Provider_Name = attrs.Name;
      if (tag.name === 'TimeCreated' && attrs.SystemTime !== undefined) current.system.TimeCreated_SystemTime = attrs.SystemTime;
    }
    if (path[2] === 'EventData' && path.length === 4 && tag.name === 'Data') dataName = attrs.Name;
  });
  parser.on('text', (t) => (text += t));
  parser.on('cdata', (t) => (text += t));
  parser.on('closetag', (tag) => {
    if (current) {
      if (path[2] === 'System' && path.length === 4 && ['EventID', 'EventRecordID', 'Channel', 'Computer'].includes(tag.name)) {
        (current.system as Record<string, string>)[tag.name] = text;
      }
      if (path[2] === 'EventData' && path.length === 4 && tag.name === 'Data') {
        if (dataName !== undefined && dataName !== '') current.data[dataName] = text;
        else current.anonymous.push(text);
      }
      if (path[2] === 'UserData' && path.length === 5) current.data[tag.name] = text;
      if (path.length === 2 && tag.name === 'Event') {
        events.push(current);
        current = undefined;
      }
    }
    path.pop();
    text = '';
  });
  parser.write(xml).close();
  return events;
}

/**
 * Representation-only normalization, applied to both sides before comparing (each is listed in
 * src/sources/evtx/README.md):
 * 1. Values become text (evtx_dump, and so our reader, types integers and booleans as JSON numbers/booleans).
 * 2. Timestamps `YYYY-MM-DDTHH:MM:SS.f…Z` are cut to 6 fractional digits (evtxexport prints 100 ns
 *    ticks, 7 digits; evtx_dump microseconds).
 * 3. Hex numbers `0x…` are compared by value, lower case, unpadded (evtxexport pads hex32/hex64
 *    to 8/16 digits, evtx_dump does not).
 * 4. GUIDs lose their braces and are upper-cased (evtxexport prints GUID values as `{…}` in
 *    lower case, evtx_dump upper case without braces).
 * 5. Strings of hex digits only (binary values) are upper-cased (hex case).
 * 6. CR LF becomes LF (an XML parser normalizes line ends in evtxexport's output; our values are raw).
 */
export function normalize(value: unknown): string {
  let text = typeof value === 'string' ? value : String(value);
  text = text.replace(/\r\n?/g, '\n');
  const time = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text);
  if (time) return `${time[1]}.${(time[2] ?? '').padEnd(6, '0').slice(0, 6)}Z`;
  if (/^0x[0-9a-f]+$/i.test(text)) return `0x${BigInt(text).toString(16)}`;
  const guid = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(text);
  if (guid) return guid[1].toUpperCase();
  if (/^[0-9a-f]+$/i.test(text) && text.length % 2 === 0 && /[a-f]/i.test(text)) return text.toUpperCase();
  return text;
}

/**
 * evtxexport's XML rendered in evtx_dump's JSON layout (`{"Event": {"System", "EventData"/"UserData"}}`,
 * attributes under `#attributes`, `Data` items by Name), one object per line: the JSON form a
 * user would feed the evtx-json reader. Built from the independent decoder's output, not ours.
 * System's integer fields become JSON numbers as evtx_dump prints them; other values stay text.
 */
export function evtxexportAsEvtxDumpJson(file: string): string {
  const run = spawnSync('evtxexport', ['-f', 'xml', file], { encoding: 'utf8', maxBuffer: 256 << 20 });
  if (run.status !== 0) throw new Error(`evtxexport failed on ${file}: ${run.stderr}`);
  const start = run.stdout.indexOf('<');
  const parser = new SaxesParser();
  type Node = { name: string; attrs: Record<string, string>; children: Node[]; text: string };
  const stack: Node[] = [];
  const lines: string[] = [];
  parser.on('opentag', (tag) => {
    const node: Node = { name: tag.name, attrs: { ...(tag.attributes as Record<string, string>) }, children: [], text: '' };
    stack[stack.length - 1]?.children.push(node);
    stack.push(node);
  });
  parser.on('text', (t) => {
    if (stack.length > 0) stack[stack.length - 1].text += t;
  });
  parser.on('closetag', () => {
    const node = stack.pop()!;
    if (node.name === 'Event' && stack.length === 1) lines.push(JSON.stringify({ Event: eventJson(node) }));
  });
  parser.write(`<Events>${run.stdout.slice(start)}</Events>`).close();
  return lines.join('\n') + '\n';

  function eventJson(event: Node): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const part of event.children) {
      if (part.name === 'System') out.System = systemJson(part);
      else if (part.name === 'EventData') out.EventData = Object.fromEntries(part.children.map((d) => [d.attrs.Name ?? d.name, d.text]));
      else if (part.name === 'UserData') {
        out.UserData = Object.fromEntries(part.children.map((c) => [c.name, Object.fromEntries(c.children.map((d) => [d.name, d.text]))]));
      }
    }
    return out;
  }

  function systemJson(system: Node): Record<string, unknown> {
    const integer = (name: string, text: string) =>
      /^(EventID|Version|Level|Task|Opcode|EventRecordID|ProcessID|ThreadID)$/.test(name) && /^\d+$/.test(text) ? Number(text) : text;
    const out: Record<string, unknown> = {};
    for (const child of system.children) {
      const attrs = Object.entries(child.attrs).filter(([, v]) => v !== '');
      if (attrs.length === 0) {
        out[child.name] = child.text === '' ? null : integer(child.name, child.text);
        continue;
      }
      const value: Record<string, unknown> = { '#attributes': Object.fromEntries(attrs.map(([k, v]) => [k, integer(k, v)])) };
      if (child.text !== '') value['#text'] = integer(child.name, child.text);
      out[child.name] = value;
    }
    return out;
  }
}
