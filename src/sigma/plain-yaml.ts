/**
 * The fast way to read a rule file: js-yaml's event parser builds plain values about twice as
 * fast as yaml's Document model (docs/performance.md#fast-yaml-reading), but it keeps no node
 * tree to report a problem's position from. So this reads only what needs no report and no
 * special YAML: the loader (yaml-loader.ts) sends everything else, and every file with a
 * problem, to the yaml Document path, which stays the reference. A test holds the two to the
 * same result on every SigmaHQ rule.
 */
import { boolCoreTag, constructFromEvents, defineMappingTag, defineScalarTag, EVENT_ID, FAILSAFE_SCHEMA, NOT_RESOLVED, nullCoreTag, parseEvents, type Event } from 'js-yaml';

/**
 * Plain scalars that are decimal numbers; everything else stays text. Under YAML 1.2's core
 * schema `0x1410` or `.inf` are numbers too, but the loader keeps non-decimal numbers as their
 * source text (Sigma matches values like GrantedAccess as text): this tag does both at once.
 */
const DECIMAL = /^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?$/;
const decimalNumberTag = defineScalarTag('tag:yaml.org,2002:float', {
  implicit: true,
  implicitFirstChars: ['-', '+', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  resolve: (source) => (DECIMAL.test(source) ? Number(source) : NOT_RESOLVED),
  identify: () => false,
});
/**
 * Mappings with text keys only: yaml and js-yaml turn a `~`, number or boolean key into text
 * differently (`~` is "" for one and "null" for the other), so such files take the yaml path.
 * Rule keys never need them. `__proto__` goes there too (it must not set the prototype).
 */
const textKeyMapTag = defineMappingTag<Record<string, unknown>>('tag:yaml.org,2002:map', {
  create: () => ({}),
  addPair: (map, key, value) => {
    if (typeof key !== 'string' || key === '__proto__') return 'not a plain text key';
    map[key] = value;
    return '';
  },
  has: (map, key) => Object.prototype.hasOwnProperty.call(map, String(key)),
  keys: (map) => Object.keys(map),
  get: (map, key) => map[String(key)],
  identify: () => false,
});
const RULE_SCHEMA = FAILSAFE_SCHEMA.withTags(nullCoreTag, boolCoreTag, decimalNumberTag, textKeyMapTag);

export interface PlainDocument {
  value: unknown;
  /** Offset of the document's content (its first key for a mapping). */
  start: number;
}

/**
 * The file's documents, or undefined when the yaml Document path must read it: a syntax error
 * (reported with its position there), a document without content, anchors and aliases
 * (expansion limits), explicit tags and directives (their schema effects), keys that are not
 * text, or a lone CR (line numbering).
 */
export function readPlainDocuments(text: string): PlainDocument[] | undefined {
  if (/\r(?!\n)/.test(text)) return undefined;
  let events: Event[];
  try {
    events = parseEvents(text, { maxDepth: 100 });
  } catch {
    return undefined;
  }
  const starts: number[] = [];
  let awaitingRoot = false;
  for (const event of events) {
    if (event.type === EVENT_ID.DOCUMENT) {
      if (event.directives.length > 0) return undefined;
      awaitingRoot = true;
      continue;
    }
    if (event.type === EVENT_ID.ALIAS) return undefined;
    // A document without content: yaml makes it a null document that the loader reports.
    if (event.type === EVENT_ID.POP && awaitingRoot) return undefined;
    if (event.type === EVENT_ID.POP) continue;
    if (event.anchorStart !== -1 || event.tagStart !== -1) return undefined;
    if (awaitingRoot) starts.push(event.type === EVENT_ID.SCALAR ? event.valueStart : event.start);
    awaitingRoot = false;
  }
  let values: unknown[];
  try {
    values = constructFromEvents(events, { source: text, schema: RULE_SCHEMA, maxAliases: 0 });
  } catch {
    return undefined; // e.g. a duplicate key
  }
  if (values.length !== starts.length) return undefined;
  return values.map((value, i) => ({ value, start: starts[i]! }));
}
