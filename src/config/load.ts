/**
 * Loads and validates `supplywatch.yaml`. Every problem is reported with file:line:column (YAML
 * positions from the `yaml` package's LineCounter, as src/alerts/pack.ts does) and a reason;
 * unknown keys are errors, so a misspelt section cannot silently do nothing.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { textOf } from '../sources/utf16.js';
import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { compileGlob } from './glob.js';
import { checkKeys, positionedDocument, type At } from './positions.js';
import { HostAllowlist, parseHostEntry } from './hosts.js';
import { LEVELS, type BuildChainEntry, type ConfigProblem, type Level, type Mirror, type Suppression, type SupplywatchConfig } from './schema.js';

/** A config (or labels) file that cannot be used: the CLI prints every problem and exits 2. */
export class ConfigError extends UsageError {
  constructor(readonly problems: ConfigProblem[]) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    // One line per problem; whoever prints it escapes the file's text for its medium (cli/main.ts).
    super(problems.map((p) => (p.line > 0 ? `${p.file}:${p.line}:${p.column}: ${p.reason}` : `${p.file}: ${p.reason}`)).join('\n'));
  }
}

const TOP_KEYS = ['version', 'registries', 'bots', 'build_chain', 'suppressions', 'levels'];
const SUPPRESSION_KEYS = ['rule', 'host', 'user', 'path', 'command', 'expires', 'reason'];

/**
 * A config file as read once, validated, by the command: worker threads rebuild the config from
 * this text (never from the disk again, which may have changed meanwhile).
 */
export interface ConfigSource {
  file: string;
  text: string;
}

/** Reads and validates a config file; throws ConfigError listing every problem. */
export function readConfigSource(file: string): ConfigSource {
  let text: string;
  try {
    text = textOf(readFileSync(file));
  } catch (err) {
    throw new ConfigError([{ file, line: 0, column: 0, reason: `cannot read the config: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}` }]);
  }
  parseConfig(text, file);
  return { file, text };
}

export function parseConfig(text: string, file: string): SupplywatchConfig {
  const { doc, lines, problems, at } = positionedDocument(text, file);
  const config: SupplywatchConfig = { file, mirrors: [], allowed: new HostAllowlist(), bots: [], buildChain: [], suppressions: [], levels: new Map() };
  if (problems.length > 0) throw new ConfigError(problems);
  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null)) return config; // an empty file tunes nothing
  if (!isMap(root)) {
    at(root, 'the config must be a mapping of sections (registries, bots, build_chain, suppressions, levels)');
    throw new ConfigError(problems);
  }
  checkKeys(root, TOP_KEYS, 'top level', at);

  const version = root.get('version', true) as Node | undefined;
  if (version !== undefined && !(isScalar(version) && version.value === 1)) at(version, '`version` must be 1');

  const registries = root.get('registries', true) as Node | undefined;
  if (registries !== undefined) {
    if (!isMap(registries)) at(registries, '`registries` must be a mapping with `mirrors` and/or `allowed_hosts`');
    else {
      checkKeys(registries, ['mirrors', 'allowed_hosts'], 'registries', at);
      for (const item of stringList(registries.get('mirrors', true) as Node | undefined, 'registries.mirrors', at)) {
        const mirror = parseMirror(item.value);
        if (typeof mirror === 'string') at(item.node, mirror);
        else {
          config.mirrors.push(mirror);
          config.allowed.add({ kind: 'name', name: mirror.host });
        }
      }
      for (const item of stringList(registries.get('allowed_hosts', true) as Node | undefined, 'registries.allowed_hosts', at)) {
        const entry = parseHostEntry(item.value);
        if (typeof entry === 'string') at(item.node, entry);
        else config.allowed.add(entry);
      }
    }
  }

  for (const item of stringList(root.get('bots', true) as Node | undefined, 'bots', at)) {
    config.bots.push({ pattern: item.value, match: compileGlob(item.value) });
  }

  const chain = root.get('build_chain', true) as Node | undefined;
  if (chain !== undefined) {
    if (!isSeq(chain)) at(chain, '`build_chain` must be a list of {image, descendants}');
    else {
      for (const item of chain.items as Node[]) {
        const entry = parseBuildChain(item, at);
        if (entry) config.buildChain.push(entry);
      }
    }
  }

  const suppressions = root.get('suppressions', true) as Node | undefined;
  if (suppressions !== undefined) {
    if (!isSeq(suppressions)) at(suppressions, '`suppressions` must be a list');
    else {
      for (const item of suppressions.items as Node[]) {
        const s = parseSuppression(item, lines, at);
        if (s) config.suppressions.push(s);
      }
    }
  }

  const levels = root.get('levels', true) as Node | undefined;
  if (levels !== undefined) {
    if (!isMap(levels)) at(levels, '`levels` must map rule ids to a level');
    else {
      for (const pair of levels.items as Pair<Node, Node>[]) {
        const key = pair.key;
        const value = pair.value;
        const id = isScalar(key) ? String(key.value) : '';
        if (!/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(id)) {
          at(key, `'${id}' is not a rule id (a UUID such as 924bb489-6e8d-4410-8353-3ad2610975c1)`);
          continue;
        }
        const level = isScalar(value) ? value.value : undefined;
        if (typeof level !== 'string' || !(LEVELS as readonly string[]).includes(level)) {
          at(value ?? key, `level must be one of ${LEVELS.join(', ')}`);
          continue;
        }
        config.levels.set(id.toLowerCase(), level as Level);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function stringList(node: Node | undefined, where: string, at: At): Array<{ value: string; node: Node }> {
  if (node === undefined) return [];
  if (!isSeq(node)) {
    at(node, `\`${where}\` must be a list of strings`);
    return [];
  }
  const out: Array<{ value: string; node: Node }> = [];
  for (const item of node.items as Node[]) {
    if (isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') out.push({ value: item.value.trim(), node: item });
    else at(item, `each entry of \`${where}\` must be a non-empty string (quote values that start with *)`);
  }
  return out;
}

function parseMirror(text: string): Mirror | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `mirror '${text}' is not a URL (e.g. https://artifactory.corp.example/api/npm/npm-remote/)`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `mirror '${text}' must be an http:// or https:// URL`;
  return { url: text, host: url.hostname.toLowerCase().replace(/^\[|\]$/g, ''), http: url.protocol === 'http:' };
}

function parseBuildChain(item: Node, at: At): BuildChainEntry | undefined {
  if (isScalar(item) && typeof item.value === 'string' && item.value.trim() !== '') {
    return { pattern: item.value, image: compileGlob(item.value), descendants: false };
  }
  if (!isMap(item)) {
    at(item, 'a build_chain entry is an image pattern or {image, descendants}');
    return undefined;
  }
  checkKeys(item, ['image', 'descendants'], 'build_chain entry', at);
  const image = item.get('image', true) as Node | undefined;
  const descendants = item.get('descendants', true) as Node | undefined;
  if (!isScalar(image) || typeof image.value !== 'string' || image.value.trim() === '') {
    at(image ?? item, 'build_chain entry needs `image`: a quoted pattern such as "*\\vcpkg.exe" or "*/bin/bazel" (unquoted, a leading * is a YAML alias)');
    return undefined;
  }
  if (descendants !== undefined && !(isScalar(descendants) && typeof descendants.value === 'boolean')) {
    at(descendants, '`descendants` must be true or false');
    return undefined;
  }
  return { pattern: image.value, image: compileGlob(image.value), descendants: descendants !== undefined && (descendants as { value: boolean }).value };
}

function parseSuppression(item: Node, lines: LineCounter, at: At): Suppression | undefined {
  if (!isMap(item)) {
    at(item, 'a suppression is a mapping {rule, host, user, path, command, expires, reason}');
    return undefined;
  }
  checkKeys(item, SUPPRESSION_KEYS, 'suppression', at);
  const s: Partial<Suppression> = { line: lines.linePos(item.range?.[0] ?? 0).line };
  let matchers = 0;
  for (const key of ['rule', 'host', 'user', 'path', 'command'] as const) {
    const node = item.get(key, true) as Node | undefined;
    if (node === undefined) continue;
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') {
      at(node, `\`${key}\` must be a non-empty pattern (quote patterns that start with *: unquoted, that is a YAML alias)`);
      return undefined;
    }
    s[key] = compileGlob(node.value.trim());
    matchers += 1;
  }
  if (matchers === 0) {
    at(item, 'a suppression needs at least one of rule, host, user, path, command (it would hide every alert)');
    return undefined;
  }
  const expires = item.get('expires', true) as Node | undefined;
  const text = isScalar(expires) ? String(expires.value) : '';
  if (expires === undefined) {
    at(item, 'a suppression needs `expires: YYYY-MM-DD` (suppressions must be revisited)');
    return undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`)) || new Date(`${text}T00:00:00Z`).toISOString().slice(0, 10) !== text) {
    at(expires, `\`expires\` must be a date YYYY-MM-DD, not '${text}'`);
    return undefined;
  }
  s.expiresText = text;
  s.expires = Date.parse(`${text}T00:00:00Z`) + 24 * 3600 * 1000;
  const reason = item.get('reason', true) as Node | undefined;
  if (reason !== undefined) {
    if (!isScalar(reason) || typeof reason.value !== 'string') {
      at(reason, '`reason` must be text');
      return undefined;
    }
    s.reason = reason.value;
  }
  return s as Suppression;
}
