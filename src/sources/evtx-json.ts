/**
 * Windows events as JSON in the evtx_dump layout: `{"Event": {"System": {...}, "EventData": {...}}}`,
 * XML attributes under `#attributes` and element text under `#text`; also Velociraptor's
 * `parse_evtx()` rows (`{"System": {"EventID": {"Value": 1}, "Provider": {"Name": …},
 * "TimeCreated": {"SystemTime": EPOCH_SECONDS}, …}, "EventData": {…}}`), and xmltodict's form
 * (`@Name` attributes beside `#text`: python-evtx's XML converted, EvtxECmd's `--fj`). Objects may be
 * pretty-printed and concatenated, one per line, separated by evtx_dump's `Record N` lines, or
 * wrapped in a JSON array.
 *
 * Field names: System children by their element name (`EventID`, `Channel`, `Computer`,
 * `EventRecordID`, ...), their attributes as `<Element>_<Attribute>` (`Provider_Name`,
 * `TimeCreated_SystemTime`, `Execution_ProcessID`, `Security_UserID`); EventData and UserData
 * children by their `Name`, so Sysmon fields get their Sigma names as they are.
 */
import type { Readable } from 'node:stream';
import { type FieldValue, type Fields, type NormalizedEvent, setField } from '../events/event.js';
import { scanJsonValues } from './json-values.js';
import { BATCH_SIZE } from './event-batches.js';
import { isObject, stringOf, type JsonObject } from './json-util.js';
import type { ReadContext, SourceReader } from './reader.js';
import { parseTime, validTime } from './time.js';
import { toEventId, windowsEvent } from './windows-logsource.js';

const FORMAT = 'evtx-json';
const RECORD_HEADER = /^(Record \d+\s*)+$/;

export const evtxJsonReader: SourceReader = {
  format: FORMAT,
  description: 'Windows events as JSON in the evtx_dump layout ({"Event": {"System", "EventData"}}), pretty or one per line',
  sniff(head) {
    const text = head.replace(/^\uFEFF/, '');
    if (/^\s*(Record \d+\s*)?\[?\s*\{\s*"Event"\s*:\s*\{/.test(text) && text.includes('"System"')) return 0.9;
    return /^\s*\{\s*"System"\s*:\s*\{/.test(text) ? 0.7 : 0;
  },
  read: readEvtxJson,
};

async function* readEvtxJson(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const { file } = ctx;
  let batch: NormalizedEvent[] = [];
  for await (const values of scanJsonValues(input, { ignoreBetween: RECORD_HEADER })) {
    for (const value of values) {
      const { line, offset } = value;
      if ('bad' in value) {
        ctx.bad({ file, format: FORMAT, line, offset, record: value.record, reason: value.bad });
        continue;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(value.text);
      } catch (err) {
        ctx.bad({ file, format: FORMAT, line, offset, record: value.record, reason: `invalid JSON: ${(err as Error).message}` });
        continue;
      }
      const root = eventRoot(parsed);
      if (root === undefined) {
        ctx.bad({ file, format: FORMAT, line, offset, record: value.record, reason: 'no Event.System object' });
        continue;
      }
      batch.push(toEvent(root, { file, format: FORMAT, line, offset, record: value.record }));
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/** The `Event` element, or the object itself when a tool left out the `Event` wrapper. */
function eventRoot(parsed: unknown): JsonObject | undefined {
  if (!isObject(parsed)) return undefined;
  const root = isObject(parsed.Event) ? parsed.Event : parsed;
  return isObject(root.System) ? root : undefined;
}

/** The event for an `Event` object in evtx_dump's JSON shape (also used by the native `evtx` reader). */
export function toEvent(root: JsonObject, source: NormalizedEvent['source']): NormalizedEvent {
  const fields: Fields = {};
  flattenSystem(root.System as JsonObject, fields);
  flattenData(root, fields);
  return fieldsEvent(fields, source);
}

/**
 * An event's EventData, or its UserData element's children, as fields by name (`Data` items by
 * their `Name` attribute, `#attributes` or `@Name`): also EvtxECmd's Payload (evtxecmd.ts).
 */
export function flattenData(root: JsonObject, fields: Fields): void {
  if (isObject(root.EventData)) flattenEventData(root.EventData, fields);
  if (isObject(root.UserData)) {
    // UserData holds one provider-specific element (e.g. LogFileCleared) whose children are the data.
    for (const element of Object.values(root.UserData)) {
      if (isObject(element)) flattenEventData(element, fields);
    }
  }
}

/** The event for flattened System and EventData/UserData fields (the native `evtx` reader makes them directly). */
export function fieldsEvent(fields: Fields, source: NormalizedEvent['source']): NormalizedEvent {
  const id = {
    channel: stringOf(fields.Channel),
    provider: stringOf(fields.Provider_Name),
    eventId: toEventId(fields.EventID),
  };
  return windowsEvent(fields, id, stringOf(fields.Computer), systemTime(fields.TimeCreated_SystemTime), source);
}

/** TimeCreated: text (evtx_dump, the native reader), or Velociraptor's epoch seconds as a number. */
function systemTime(value: FieldValue | undefined): number | undefined {
  return typeof value === 'number' ? validTime(Math.round(value * 1000)) : parseTime(value);
}

function flattenSystem(system: JsonObject, fields: Fields): void {
  for (const [name, value] of Object.entries(system)) {
    if (value === null) continue;
    if (!isObject(value)) {
      setField(fields, name, value);
      continue;
    }
    if ('#text' in value) setField(fields, name, value['#text']!);
    const attributes = value['#attributes'];
    if (isObject(attributes)) {
      for (const [attribute, attributeValue] of Object.entries(attributes)) setField(fields, `${name}_${attribute}`, attributeValue);
    } else {
      // Attributes as plain keys and the text as `Value` (Velociraptor's parse_evtx():
      // `"EventID": {"Value": 1}`, `"Provider": {"Name": …}`), or as `@`-keys beside `#text`
      // (xmltodict's form: python-evtx's XML as JSON, EvtxECmd --fj: `"Provider": {"@Name": …}`).
      for (const [key, inner] of Object.entries(value)) {
        if (key === '#text' || isObject(inner) || Array.isArray(inner)) continue;
        setField(fields, key === 'Value' ? name : `${name}_${key.startsWith('@') ? key.slice(1) : key}`, inner);
      }
    }
  }
}

/** Children of EventData (or of a UserData element): named values, or `Data` elements with a Name attribute. */
function flattenEventData(data: JsonObject, fields: Fields): void {
  const unnamed: FieldValue[] = [];
  for (const [name, value] of Object.entries(data)) {
    if (name === '#attributes' || name.startsWith('@')) continue; // xmlns
    if (name !== 'Data') {
      setField(fields, name, textOf(value));
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      const itemName = !isObject(item) ? undefined : isObject(item['#attributes']) ? item['#attributes'].Name : item['@Name'];
      // An empty <Data Name="X"/> has no #text: the element exists, so its value is ''.
      if (typeof itemName === 'string') setField(fields, itemName, isObject(item) ? (item['#text'] ?? '') : item);
      else unnamed.push(textOf(item));
    }
  }
  // Classic (non-manifest) events have anonymous Data items: keep them, in order, as `Data`.
  if (unnamed.length > 0) fields.Data = unnamed.length === 1 ? unnamed[0] : unnamed;
}

function textOf(value: FieldValue): FieldValue {
  return isObject(value) && '#text' in value ? value['#text'] : value;
}
