/**
 * No module of the workers or the shared core imports itself through others: types sit below what
 * uses them, settings hold configuration, each worker's own modules form no loop. Type-only
 * imports count the same (a loop of types is a loop in the design).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const projectRoot = resolve(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Each module's relative imports and re-exports (static ones: the only kind these folders use). */
export function importGraph(files: string[]): Map<string, string[]> {
  return new Map(
    files.map((file) => {
      const text = readFileSync(file, 'utf8');
      const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+\.ts)'/g)].map((m) => resolve(dirname(file), m[1]!));
      return [file, targets];
    }),
  );
}

/** Every loop found by a depth-first walk, each as the paths around it. */
export function circles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('imports', () => {
  it('find a loop when there is one', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(circles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('form no circle in functions/ or shared/', () => {
    const graph = importGraph([...sources(join(projectRoot, 'shared')), ...sources(join(projectRoot, 'functions'))]);
    expect(graph.size).toBeGreaterThan(100);
    const found = circles(graph).map((loop) => loop.map((file) => relative(projectRoot, file)).join(' → '));
    expect(found).toEqual([]);
  });
});
