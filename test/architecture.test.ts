/**
 * What ARCHITECTURE.md promises about the tree, checked: no module reaches itself through its imports
 * (type imports and lazy import() included), and the file map names every folder of every part and
 * nothing that is not there. Which part may import which is a lint rule (eslint/boundaries.js).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PARTS } from '../eslint/boundaries.js';

const root = path.resolve(import.meta.dirname, '..');

function walk(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.posix.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? [rel + '/', ...walk(rel)] : [rel];
  });
}
const PART_NAMES = Object.keys(PARTS);
const tree = PART_NAMES.flatMap((part) => [part + '/', ...walk(part)]);
const sources = tree.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'));

/** The modules a source imports (relative specifiers resolved to files of the tree). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const specs = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/gm)].map((m) => m[1] ?? m[2]!);
  return specs.flatMap((spec) => {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
    const hit = ['.ts', '.tsx', '/index.ts'].map((ext) => base + ext).find((candidate) => sources.includes(candidate));
    return hit ? [hit] : [];
  });
}

/** Strongly connected groups of more than one module (Tarjan): each is a circle of imports. */
function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || graph.get(v)?.includes(v)) found.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the module graph', () => {
  const graph = new Map(sources.map((f) => [f, importsOf(f)]));

  it('reads the imports it checks', () => {
    expect(sources.length).toBeGreaterThan(150);
    expect(graph.get('headless/cli/main.ts')).toEqual(expect.arrayContaining(['core/version.ts', 'headless/cli/args.ts', 'headless/cli/commands.ts']));
  });

  it('has no circles, type imports and lazy imports included', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('would see a circle', () => {
    expect(
      circles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
          ['d', ['a']],
        ]),
      ),
    ).toEqual([['a', 'b', 'c']]);
  });
});

/**
 * The file map: the first ``` block of ARCHITECTURE.md that starts with a folder and its description
 * (the dependency picture above it does not). A line's first word is a path when it ends
 * in `/` or has a file extension; it is relative to the folder of the nearest less-indented path
 * above it, or to the root when it starts in the first column.
 */
function fileMap(markdown: string): string[] {
  const block = /```\n([a-z][\w.-]*\/ {2,}[\s\S]*?)\n```/.exec(markdown)![1]!;
  const named: string[] = [];
  const folders: { indent: number; path: string }[] = [];
  for (const line of block.split('\n')) {
    const match = /^( *)(\S+)/.exec(line);
    if (!match) continue;
    const [, spaces, word] = match as unknown as [string, string, string];
    if (!/\/$|\.[a-z]+$/.test(word) || word.startsWith('`')) continue;
    const indent = spaces.length;
    while (folders.length && folders.at(-1)!.indent >= indent) folders.pop();
    const full = (folders.at(-1)?.path ?? '') + word;
    named.push(full);
    if (word.endsWith('/')) folders.push({ indent, path: full });
  }
  return named;
}

describe('ARCHITECTURE.md', () => {
  const named = fileMap(readFileSync(path.join(root, 'ARCHITECTURE.md'), 'utf8'));

  it('names only what exists', () => {
    expect(named.length).toBeGreaterThan(40);
    expect(named.filter((p) => !existsSync(path.join(root, p)))).toEqual([]);
  });

  it('names every folder of every part', () => {
    const folders = tree.filter((f) => f.endsWith('/'));
    expect(folders.filter((f) => !named.includes(f))).toEqual([]);
  });

  it('reads its map the way it is written', () => {
    expect(fileMap('```\na ──> b\n```\n```\ncore/  the core\n  sources/   facts\n    host/  host\n  agent.ts   composes\nlib/\n```')).toEqual([
      'core/',
      'core/sources/',
      'core/sources/host/',
      'core/agent.ts',
      'lib/',
    ]);
  });
});
