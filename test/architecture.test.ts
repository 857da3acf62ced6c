import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const full = path.join(root, dir);
  let names: string[];
  try {
    names = readdirSync(full);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(name) ? [rel] : [];
  });
}

// Runtime `electron` imports are kept out by a lint rule (eslint/electron-boundary.js, test/lint/).
describe('architecture', () => {
  it('the core never reaches into a shell or the UI (dependencies point inward)', () => {
    const offenders = sourceFiles('core').filter((file) =>
      /from\s+['"](?:\.\.\/)+(?:headless|main|preload|renderer)\b/.test(readFileSync(path.join(root, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
