/** Build a CompiledRule from one parsed (and global-merged) rule document. */
import { deserialize, serialize } from 'node:v8';
import type { LogSource, NormalizedEvent } from '../events/event.js';
import { compileCondition, compileDetection, type Matcher } from './compile.js';
import { ConditionError, parseCondition, type CondNode } from './condition.js';
import { parseDetections, type Detections, type ParsedDetection } from './detection.js';
import { detectionBytes, detectionFromBytes } from './detection-bytes.js';
import { RuleError } from './errors.js';
import { parseMetadata } from './rule-metadata.js';
import { detectionFields, type FieldUse } from './referenced-fields.js';
import { contextFor, type EventContext } from './field-access.js';
import { conditionAnchors, detectionAnchors, disjunction, type Anchors } from './prefilter.js';

export interface CompiledRule {
  id?: string;
  /** Sigma `name`: how correlation rules may refer to the rule. */
  name?: string;
  title: string;
  level?: string;
  status?: string;
  description?: string;
  tags: string[];
  falsepositives: string[];
  logsource: LogSource & { definition?: string };
  file: string;
  line: number;
  raw: Record<string, unknown>;
  matches(event: NormalizedEvent): boolean;
}

export class SigmaRule implements CompiledRule {
  // Set from parseMetadata in the constructor (shared with the other rule kind).
  declare id?: string;
  declare name?: string;
  declare title: string;
  declare level?: string;
  declare status?: string;
  declare description?: string;
  declare tags: string[];
  declare falsepositives: string[];
  logsource: LogSource & { definition?: string };
  /** Lower-cased logsource attributes, for the index. */
  readonly logsourceKey: LogSource;
  /** Necessary-condition keys for the prefilter (see prefilter.ts). */
  readonly anchors: Anchors;
  /**
   * Detection only: the logsource is checked by RuleIndex, not here. Compiled at its first
   * call: the prefilter never lets most rules of a large set reach a given input, and each
   * scanning thread compiles its own closures
   * (docs/performance.md#rule-snapshot-to-workers-lazy-detection-compile). Compiling cannot
   * fail: the detection was parsed, and every value checked, once.
   */
  test: Matcher;
  private parsed: ParsedDetection | undefined;
  /** The document, once read: given, or deserialized from `stored` at its first use. */
  private rawDocument: Record<string, unknown> | undefined;
  /** The document as the rule cache keeps it (StoredDocument), when the rule came from there. */
  private readonly stored: StoredDocument | undefined;
  private fields: FieldUse | undefined;

  /**
   * `anchors`: those another thread or an earlier run found when it loaded this document (a
   * scan's worker, parallel/worker.ts; the rule cache), which parsed and checked the detection:
   * this one parses it at the first test, or reads it back from `parsedBytes`, what that load
   * parsed (detection-bytes.ts). Without anchors the detection is parsed now, and a problem
   * rejects the rule.
   */
  constructor(
    document: Record<string, unknown> | StoredDocument,
    readonly file: string,
    readonly line: number,
    anchors?: Anchors,
    private parsedBytes?: Uint8Array,
  ) {
    this.stored = isStoredDocument(document) ? document : undefined;
    const given = this.stored === undefined ? (document as Record<string, unknown>) : undefined;
    this.rawDocument = given;
    const head = this.stored?.head ?? given!;
    if (head.filter !== undefined) throw new RuleError('filters are not supported by the event matcher yet', ['filter'], true);
    Object.assign(this, parseMetadata(head));
    this.logsource = parseLogsource(head.logsource);
    this.logsourceKey = {
      category: this.logsource.category?.toLowerCase(),
      product: this.logsource.product?.toLowerCase(),
      service: this.logsource.service?.toLowerCase(),
    };
    this.anchors = anchors ?? detectionAnchorsOf(this.detection());
    this.test = (ctx) => (this.test = compile(this.detection()))(ctx);
  }

  /** The rule's YAML document (from the rule cache: deserialized at its first use here). */
  get raw(): Record<string, unknown> {
    return (this.rawDocument ??= deserialize(this.stored!.bytes) as Record<string, unknown>);
  }

  /** What crosses to a worker thread: the stored form when there is one (not deserialized for it), else the document. */
  get document(): Record<string, unknown> | StoredDocument {
    return this.stored ?? this.raw;
  }

  /** The document in its stored form: as the rule cache keeps it and threads pass it, without deserializing it. */
  storedDocument(): StoredDocument {
    if (this.stored) return this.stored;
    const raw = this.raw;
    const head: Record<string, unknown> = {};
    for (const key of HEAD_KEYS) if (raw[key] !== undefined) head[key] = raw[key];
    const use = this.fieldUse;
    return { head, bytes: serialize(raw), fieldUse: { fields: [...use.fields] } };
  }

  /** The fields the detection reads (referenced-fields.ts), without deserializing a stored document. */
  get fieldUse(): FieldUse {
    if (this.fields) return this.fields;
    const stored = this.stored?.fieldUse;
    return (this.fields = stored ? { fields: new Set(stored.fields) } : detectionFields(this.raw.detection));
  }

  /** Parsed detection (kept for inspection, the backends and tests). */
  get detections(): Detections {
    return this.detection().detections;
  }

  get conditions(): CondNode[] {
    return this.detection().conditions;
  }

  /** The parsed detection as bytes, to be read back by another run (the rule cache). */
  detectionBytes(): Uint8Array {
    return (this.parsedBytes ??= detectionBytes(this.detection()));
  }

  /** The bytes this rule was made with or has made, if any: what another thread may take without serializing every rule. */
  get knownDetectionBytes(): Uint8Array | undefined {
    return this.parsedBytes;
  }

  private detection(): ParsedDetection {
    return (this.parsed ??= this.storedDetection() ?? parseDetection(this.raw));
  }

  /** The detection read back, or undefined when there are no bytes or they do not hold one (then it is parsed). */
  private storedDetection(): ParsedDetection | undefined {
    if (!this.parsedBytes) return undefined;
    try {
      return detectionFromBytes(this.parsedBytes);
    } catch {
      this.parsedBytes = undefined;
      return undefined;
    }
  }

  get hasLogsource(): boolean {
    const k = this.logsourceKey;
    return k.category !== undefined || k.product !== undefined || k.service !== undefined;
  }

  matches(event: NormalizedEvent): boolean {
    return this.test(contextFor(event.fields));
  }
}

/**
 * A rule document as the rule cache stores it (and threads pass it): what the constructor reads
 * (metadata, logsource), the fields its detection reads (for enrichmentNeeded), and the whole
 * document as v8 serialization bytes, deserialized only where a rule's document is read (a
 * conversion, an alert's tuning hooks): a hunt with thousands of rules reads few.
 */
export interface StoredDocument {
  head: Record<string, unknown>;
  bytes: Uint8Array;
  fieldUse: { fields: string[] };
}

/** The document keys the constructor reads (parseMetadata, the logsource, `filter`). */
const HEAD_KEYS = ['title', 'id', 'name', 'level', 'status', 'description', 'tags', 'falsepositives', 'logsource', 'filter'];

/** A YAML document never holds a Uint8Array: only the stored form has `bytes`. */
export function isStoredDocument(document: Record<string, unknown> | StoredDocument): document is StoredDocument {
  return document.bytes instanceof Uint8Array && typeof document.head === 'object' && document.head !== null;
}

function parseLogsource(v: unknown): LogSource & { definition?: string } {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new RuleError('logsource must be a mapping', ['logsource']);
  const ls = v as Record<string, unknown>;
  const out: LogSource & { definition?: string } = {};
  for (const key of ['category', 'product', 'service', 'definition'] as const) {
    const val = ls[key];
    if (val === undefined || val === null) continue;
    if (typeof val !== 'string') throw new RuleError(`logsource ${key} must be a string`, ['logsource', key]);
    out[key] = val;
  }
  return out;
}

function parseDetection(raw: Record<string, unknown>): ParsedDetection {
  const det = raw.detection;
  if (det === undefined || det === null) throw new RuleError('missing detection', []);
  if (typeof det !== 'object' || Array.isArray(det)) throw new RuleError('detection must be a mapping', ['detection']);
  const detection = det as Record<string, unknown>;
  if (detection.condition === undefined || detection.condition === null)
    throw new RuleError('missing condition in detection', ['detection'], true);
  const detections = parseDetections(detection);
  const names = [...detections.keys()];
  const conds = Array.isArray(detection.condition) ? detection.condition : [detection.condition];
  if (conds.length === 0) throw new RuleError('empty condition list', ['detection', 'condition']);
  const conditions = conds.map((c, i) => {
    const path = Array.isArray(detection.condition) ? ['detection', 'condition', i] : ['detection', 'condition'];
    if (typeof c !== 'string') throw new RuleError('condition must be a string', path);
    try {
      return parseCondition(c, names);
    } catch (e) {
      if (e instanceof ConditionError) throw new RuleError(e.message, path, false, e.offset);
      throw e;
    }
  });
  // Only the identifiers the conditions use are compiled.
  const used = new Set<string>();
  const collect = (n: CondNode): void => {
    if (n.op === 'ref') used.add(n.name);
    else if (n.op === 'not') collect(n.child);
    else n.children.forEach(collect);
  };
  conditions.forEach(collect);
  return { detections, conditions, used };
}

function detectionAnchorsOf({ detections, conditions, used }: ParsedDetection): Anchors {
  const anchors = new Map<string, Anchors>();
  for (const name of used) anchors.set(name, detectionAnchors(detections.get(name)!));
  return disjunction(conditions.map((c) => conditionAnchors(c, anchors)));
}

function compile({ detections, conditions, used }: ParsedDetection): Matcher {
  const matchers = new Map<string, Matcher>();
  for (const name of used) matchers.set(name, compileDetection(detections.get(name)!));
  const compiled = conditions.map((c) => compileCondition(c, matchers));
  return compiled.length === 1 ? compiled[0]! : (ctx: EventContext) => compiled.some((m) => m(ctx));
}
