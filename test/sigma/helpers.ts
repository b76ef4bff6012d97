import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { NormalizedEvent } from '../../src/events/event.js';

export const SHARED = '/work/shared';

/** Read a shared YAML file; the shared folder is required, its absence fails loudly. */
export function readShared(rel: string): unknown {
  const path = `${SHARED}/${rel}`;
  if (!existsSync(path))
    throw new Error(`${path} not found: the shared folder ${SHARED} (sigma-vectors, sigmahq) is required for these tests`);
  return parse(readFileSync(path, 'utf8'), { schema: 'core' });
}

export function event(fields: Record<string, unknown>, ls: Partial<NormalizedEvent> = {}): NormalizedEvent {
  return { fields: fields as NormalizedEvent['fields'], source: { file: 'test', format: 'test' }, ...ls };
}
