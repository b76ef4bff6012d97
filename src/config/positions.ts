/**
 * YAML files people write by hand (the config, eval labels, `--auth`), read so that every problem
 * has its file:line:column: the document with a LineCounter, its YAML errors as the first
 * problems, `at` to add one at a node, and the unknown-key check they share.
 */
import { isScalar, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ConfigProblem } from './schema.js';

/** Adds a problem at a node (the file's start when there is none). */
export type At = (node: Node | null | undefined, reason: string) => void;

export interface PositionedDocument {
  doc: Document.Parsed;
  lines: LineCounter;
  /** Its YAML errors (first line of each message: the library's next lines quote the file); `at` adds more. */
  problems: ConfigProblem[];
  at: At;
}

/** `failsafe`: every scalar is the text written (`0123` stays `0123`), for values that are not numbers. */
export function positionedDocument(text: string, file: string, schema?: 'failsafe'): PositionedDocument {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, ...(schema ? { schema } : {}) });
  const problems: ConfigProblem[] = doc.errors.map((e) => ({ file, line: e.linePos?.[0].line ?? 1, column: e.linePos?.[0].col ?? 1, reason: e.message.split('\n')[0]! }));
  const at: At = (node, reason) => {
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    problems.push({ file, line: pos.line, column: pos.col, reason });
  };
  return { doc, lines, problems, at };
}

/** A problem at every key of `map` not in `allowed`. */
export function checkKeys(map: YAMLMap, allowed: readonly string[], where: string, at: At): void {
  for (const pair of map.items as Pair<Node, Node>[]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!allowed.includes(key)) at(pair.key, `unknown key '${key}' in ${where} (expected one of: ${allowed.join(', ')})`);
  }
}
