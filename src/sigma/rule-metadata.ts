import { RuleError } from './errors.js';

/** The descriptive attributes every Sigma rule document has, event rule or correlation alike. */
export interface RuleMetadata {
  title: string;
  id?: string;
  name?: string;
  level?: string;
  status?: string;
  description?: string;
  tags: string[];
  falsepositives: string[];
}

export function parseMetadata(raw: Record<string, unknown>): RuleMetadata {
  const text = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new RuleError(`'${key}' must be a string`, [key]);
    return v;
  };
  const list = (key: string): string[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new RuleError(`'${key}' must be a list`, [key]);
    return v.map(String);
  };
  const title = text('title');
  if (!title) throw new RuleError(raw.title === undefined ? 'missing title' : 'empty title', raw.title === undefined ? [] : ['title']);
  return {
    title,
    id: text('id'),
    name: text('name'),
    level: text('level'),
    status: text('status'),
    description: text('description'),
    tags: list('tags'),
    falsepositives: list('falsepositives'),
  };
}
