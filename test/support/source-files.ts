import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** The repository root, for tests that read the sources themselves (architecture checks). */
export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** Every `.ts` file under `dir` (relative to the repository root), as relative paths. */
export function tsFiles(dir: string): string[] {
  return readdirSync(path.join(repoRoot, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(repoRoot, rel)).isDirectory() ? tsFiles(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

export const sourceOf = (file: string): string => readFileSync(path.join(repoRoot, file), 'utf8');
