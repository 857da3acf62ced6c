import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? files(rel) : /\.(ts|tsx|css)$/.test(name) ? [rel] : [];
  });
}

// What the renderer may import is a lint rule (eslint/boundaries.js, test/eslint/boundaries.test.ts).
describe('the renderer as a page', () => {
  const sources = files('renderer');

  it('says "anonymous usage statistics", never "telemetry", to the user', () => {
    const offenders = sources.filter((file) => /telemetry/i.test(readFileSync(path.join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('loads nothing from outside: no external URLs in the page or the styles', () => {
    for (const file of ['renderer/index.html', ...sources.filter((f) => f.endsWith('.css'))]) {
      expect(readFileSync(path.join(root, file), 'utf8')).not.toMatch(/https?:\/\/|@import|url\(/);
    }
  });
});
