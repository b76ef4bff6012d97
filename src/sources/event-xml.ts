/**
 * Windows Event XML (`<Event><System>…</System><EventData>…</EventData></Event>`) → flat fields
 * and a normalized event, shared by every reader that meets that XML: `windows-xml` (wevtutil /
 * Get-WinEvent exports), `sysmon-linux-syslog` (Sysmon for Linux over syslog) and `otrf` (Azure
 * rows whose payload is an XML string).
 *
 * Field names are the ones evtx-json gives the same event, so a rule sees one event whatever
 * rendering it came in: System children by element name (`EventID`, `Channel`, `Computer`, …),
 * their attributes as `Element_Attribute` (`Provider_Name`, `TimeCreated_SystemTime`,
 * `Execution_ProcessID`, `Security_UserID`); `<Data Name="X">` as `X` (an empty element is '');
 * anonymous `<Data>` items as `Data` (a list when there are several); UserData leaves by element
 * name; `<RenderingInfo>` children as `RenderingInfo_Message`, `RenderingInfo_Level`, …,
 * `RenderingInfo_Keywords`. XML has no types: every value is a string (rules compare numbers with
 * their string form, see src/sigma/README.md).
 *
 * The flattener takes SAX events, so a streaming reader can drive it; `parseEventXml` runs saxes
 * over one element held as a string.
 */
import { SaxesParser } from 'saxes';
import { type FieldValue, type Fields, type NormalizedEvent, type Provenance, hasField, setField } from '../events/event.js';
import { stringOf } from './json-util.js';
import { parseTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';

interface OpenElement {
  name: string;
  attributes: Record<string, string>;
  text: string;
  hasChildren: boolean;
}

/** Builds the flat fields of one `<Event>` (or of a bare `<EventData>`/`<UserData>`) from SAX events. */
export class EventXmlFlattener {
  readonly fields: Fields = {};
  /** Local name of the root element, once seen. */
  root: string | undefined;
  /** True when the root is `<Event>` and it has a `<System>` child. */
  hasSystem = false;
  private readonly stack: OpenElement[] = [];
  private readonly unnamedData: string[] = [];
  private readonly keywords: string[] = [];

  openTag(qualifiedName: string, attributes: Record<string, string>): void {
    const name = localName(qualifiedName);
    const parent = this.stack[this.stack.length - 1];
    if (parent !== undefined) parent.hasChildren = true;
    else this.root = name;
    this.stack.push({ name, attributes, text: '', hasChildren: false });
    const { section, depth } = this.position();
    if (section === 'System' && depth === 1) {
      for (const [attribute, value] of Object.entries(attributes)) {
        if (!attribute.startsWith('xmlns')) this.fields[`${name}_${attribute}`] = value;
      }
    } else if (section === 'RenderingInfo' && depth === 0) {
      for (const [attribute, value] of Object.entries(attributes)) {
        if (!attribute.startsWith('xmlns')) this.fields[`RenderingInfo_${attribute}`] = value;
      }
    }
    if (section === 'System' && depth === 0) this.hasSystem = true;
  }

  text(text: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top !== undefined) top.text += text;
  }

  closeTag(): void {
    const { section, depth } = this.position();
    const element = this.stack.pop();
    if (element === undefined || element.hasChildren || section === undefined || depth === 0) return;
    const { name, attributes, text } = element;
    if (section === 'System') {
      const value = text.trim();
      if (value !== '') setField(this.fields, name, value);
    } else if (section === 'RenderingInfo') {
      if (name === 'Keyword') this.keywords.push(text.trim());
      else if (depth === 1) this.fields[`RenderingInfo_${name}`] = text.trim();
    } else if (name === 'Data') {
      const dataName = attributes.Name;
      if (dataName !== undefined) setField(this.fields, dataName, text);
      else if (section === 'EventData' && depth === 1) this.unnamedData.push(text);
      else addValue(this.fields, 'Data', text);
    } else if (!(section === 'UserData' && depth === 1)) {
      // EventData extras (<Binary>), UserData leaves, ProcessingErrorData, DebugData, …
      addValue(this.fields, name, text);
    }
  }

  /** Close every element still open (the text was cut short), keeping what was read. */
  closeAll(): void {
    while (this.stack.length > 0) this.closeTag();
  }

  /** The fields, with anonymous Data items and rendered keywords folded in. */
  finish(): Fields {
    if (this.unnamedData.length > 0 && this.fields.Data === undefined) {
      this.fields.Data = this.unnamedData.length === 1 ? this.unnamedData[0]! : [...this.unnamedData];
    }
    if (this.keywords.length > 0) {
      this.fields.RenderingInfo_Keywords = this.keywords.length === 1 ? this.keywords[0]! : [...this.keywords];
    }
    return this.fields;
  }

  /** The top-level section (System, EventData, UserData, RenderingInfo, …) the innermost open element is in, and its depth below it. */
  private position(): { section: string | undefined; depth: number } {
    // Azure's Event table wraps EventData in <DataItem>: look through it.
    let base = this.stack[0]?.name === 'DataItem' ? 1 : 0;
    if (this.stack[base]?.name === 'Event') base++;
    const depth = this.stack.length - 1 - base;
    return { section: depth >= 0 ? this.stack[base]!.name : undefined, depth };
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** A repeated leaf name becomes a list, in document order. */
function addValue(fields: Fields, name: string, value: string): void {
  const existing = hasField(fields, name) ? fields[name] : undefined;
  if (existing === undefined) setField(fields, name, value);
  else if (Array.isArray(existing)) existing.push(value);
  else setField(fields, name, [existing, value] as FieldValue[]);
}

/** Roots of the XML payloads Azure and WEC rows carry in a string column. */
export const EMBEDDED_ROOTS = ['Event', 'EventData', 'UserData', 'DataItem'] as const;

export interface ParsedXml {
  fields: Fields;
  root: string;
  /** The text ended inside the element (syslog cuts long lines): `fields` holds what came before the cut. */
  truncated: boolean;
}

/**
 * Sysmon for Linux writes `&lt unknown process&gt ` (no semicolons). Repair bare predefined
 * entity names and lone `&` so the rest of the event is not lost; well-formed XML is unchanged.
 */
const BROKEN_ENTITY = /&(?!(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)(lt|gt|amp|quot|apos)?/g;

function repairEntities(xml: string): string {
  return xml.includes('&') ? xml.replace(BROKEN_ENTITY, (_m, name: string | undefined) => (name ? `&${name};` : '&amp;')) : xml;
}

/**
 * Parse one XML element held in a string: `<Event>` (the default) or, with
 * `roots = EMBEDDED_ROOTS`, the bare EventData of Azure SecurityEvent rows or the `<DataItem>`
 * of Azure Event rows.
 * Returns the reason as a string when the XML is not well-formed or has another root.
 */
export function parseEventXml(xml: string, roots: readonly string[] = ['Event']): ParsedXml | string {
  const flattener = new EventXmlFlattener();
  const parser = new SaxesParser({ position: true });
  let error: string | undefined;
  parser.on('error', (err) => {
    error ??= err.message;
  });
  parser.on('opentag', (tag) => flattener.openTag(tag.name, tag.attributes as Record<string, string>));
  parser.on('text', (text) => flattener.text(text));
  parser.on('cdata', (text) => flattener.text(text));
  parser.on('closetag', () => flattener.closeTag());
  parser.write(repairEntities(xml));
  if (error !== undefined) return `invalid XML: ${error}`;
  // Errors that only show at the end mean the text stopped inside the element: keep what was read.
  parser.close();
  const truncated = error !== undefined;
  if (truncated) flattener.closeAll();
  const root = flattener.root;
  if (root === undefined || !roots.includes(root)) return `expected <${roots.join('> or <')}>, found ${root === undefined ? 'no element' : `<${root}>`}`;
  if (root === 'Event' && !flattener.hasSystem) return `<Event> has no <System> element${truncated ? ' (text cut short)' : ''}`;
  return { fields: flattener.finish(), root, truncated };
}

/** The normalized event for the flat fields of one `<Event>`: logsource, host and time from System. */
export function eventFromXmlFields(fields: Fields, source: Provenance): NormalizedEvent {
  const id = {
    channel: stringOf(fields.Channel),
    provider: stringOf(fields.Provider_Name),
    eventId: toEventId(fields.EventID),
  };
  const time = parseTime(fields.TimeCreated_SystemTime) ?? parseTime(fields.UtcTime);
  return windowsEvent(fields, id, stringOf(fields.Computer), time, source);
}

/**
 * One `<Event>` XML string → normalized event, or the reason it is bad. A cut-short element
 * still gives its event, flagged with the field `EventXmlTruncated: true` (its last value may be
 * partial), when `allowTruncated` (syslog transports cut long lines; a file reader has the whole
 * element or nothing).
 */
export function eventFromXml(xml: string, source: Provenance, allowTruncated = false): NormalizedEvent | string {
  const parsed = parseEventXml(xml);
  if (typeof parsed === 'string') return parsed;
  if (parsed.truncated) {
    if (!allowTruncated) return 'invalid XML: the element is cut short';
    parsed.fields.EventXmlTruncated = true;
  }
  return eventFromXmlFields(parsed.fields, source);
}

/**
 * An `<Event>` carried as a string inside another record (a syslog line, an Azure Syslog row's
 * `SyslogMessage`): the event of the XML, plus the wrapper's own fields under their names where
 * the XML has no field of that name (the XML is the event; the wrapper says how it travelled).
 * `host` is the wrapper's when the XML has no Computer. Cut-short XML is kept (see eventFromXml).
 */
export function eventFromEmbeddedXml(xml: string, wrapper: Fields, host: string | undefined, source: Provenance): NormalizedEvent | string {
  const event = eventFromXml(xml, source, true);
  if (typeof event === 'string') return event;
  for (const [key, value] of Object.entries(wrapper)) if (!hasField(event.fields, key)) setField(event.fields, key, value);
  if (event.host === undefined && host !== undefined && host !== '') event.host = host;
  return event;
}

/** The `<Event>…</Event>` part of a message, if it has one. */
export function embeddedEvent(message: string): string | undefined {
  const start = message.indexOf('<Event');
  if (start < 0 || !/^<Event[\s>]/.test(message.slice(start, start + 7))) return undefined;
  const end = message.lastIndexOf('</Event>');
  // Without its end tag the XML is cut short: hand it over whole, the parser says what is wrong.
  return end < start ? message.slice(start) : message.slice(start, end + '</Event>'.length);
}
