/**
 * A rule's parsed detection as bytes, for the rule cache (rule-cache.ts) and worker threads: a
 * warm scan then parses no detection at a rule's first test, it reads the tree back
 * (docs/performance.md#parsed-detections-kept). Each rule's tree is its own `v8.serialize`
 * payload, read only when the rule is first tested: of SigmaHQ's 2,407 Windows rules a scan of
 * evtx-attack-samples tests 613.
 *
 * The tree holds `SigmaString`s, whose wildcard parts the matchers compare by identity with
 * WILDCARD_MULTI and WILDCARD_SINGLE: serialization keeps only their data, so each string is
 * rebuilt with the markers themselves.
 */
import { deserialize, serialize } from 'node:v8';
import type { DetNode, ParsedDetection } from './detection.js';
import { SigmaString, WILDCARD_MULTI, WILDCARD_SINGLE, type Part } from './sigma-string.js';

export function detectionBytes(detection: ParsedDetection): Uint8Array {
  return serialize(detection);
}

/** The detection back from its bytes; throws when they do not hold one. */
export function detectionFromBytes(bytes: Uint8Array): ParsedDetection {
  const detection = deserialize(bytes) as ParsedDetection;
  if (!(detection?.detections instanceof Map) || !Array.isArray(detection.conditions) || !(detection.used instanceof Set))
    throw new Error('not a parsed detection');
  for (const name of detection.used) if (!detection.detections.has(name)) throw new Error(`no selection ${name}`);
  for (const node of detection.detections.values()) restoreStrings(node);
  return detection;
}

function restoreStrings(node: DetNode): void {
  if (node.op === 'item') {
    for (const test of node.tests) if (test.kind === 'string') test.value = new SigmaString(test.value.parts.map(restorePart));
  } else if (node.op === 'not') restoreStrings(node.child);
  else node.children.forEach(restoreStrings);
}

function restorePart(part: Part): Part {
  if (typeof part === 'string') return part;
  if ('placeholder' in part && typeof part.placeholder === 'string') return { placeholder: part.placeholder };
  if ('wildcard' in part && part.wildcard === 'multi') return WILDCARD_MULTI;
  if ('wildcard' in part && part.wildcard === 'single') return WILDCARD_SINGLE;
  throw new Error('not a part of a Sigma string');
}
