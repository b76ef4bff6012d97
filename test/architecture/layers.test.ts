import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

const SRC = join(REPO, 'src');

/** The layer order docs/architecture.md declares: one line `Layers, bottom to top: a, b → c → …`. */
function declaredLayers(): string[][] {
  const doc = readFileSync(join(REPO, 'docs', 'architecture.md'), 'utf8');
  const line = /^Layers, bottom to top: (.+)$/m.exec(doc);
  if (!line) throw new Error('docs/architecture.md has no "Layers, bottom to top:" line');
  return line[1]!.replace(/`/g, '').split('→').map((step) => step.split(',').map((name) => name.trim()).filter(Boolean));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(path) : e.name.endsWith('.ts') ? [path] : [];
  });
}

/** A file's layer: its folder under src/, or its name for a file directly in src/. */
function layerOf(file: string): string {
  const first = relative(SRC, file).split(sep)[0]!;
  return first.replace(/\.ts$/, '');
}

/** Every relative import of a file: static, type-only, re-exports and dynamic import(). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((spec) => normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts'));
}

describe('layers (docs/architecture.md)', () => {
  const layers = declaredLayers();
  const rank = new Map(layers.flatMap((names, i) => names.map((name) => [name, i] as const)));

  it('names every folder and top-level file of src/ once', () => {
    const present = [...new Set(sourceFiles(SRC).map(layerOf))].sort();
    expect([...rank.keys()].sort()).toEqual(present);
    expect(layers.flat()).toHaveLength(rank.size);
  });

  it('has no import that points up the order', () => {
    const upward: string[] = [];
    for (const file of sourceFiles(SRC)) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to !== from && rank.get(to)! > rank.get(from)!) upward.push(`${relative(REPO, file)} → ${relative(REPO, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('would catch an upward import (the check itself)', () => {
    // sources/ is below alerts/: a reader that imported a pack would point up.
    expect(rank.get('sources')!).toBeLessThan(rank.get('alerts')!);
    expect(importsOf(join(SRC, 'scan', 'run-scan.ts')).map(layerOf)).toContain('parallel');
    expect(rank.get('parallel')!).toBeLessThan(rank.get('scan')!);
  });
});
