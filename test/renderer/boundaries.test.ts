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

/** The pure, Node-free core modules the renderer may use at run time. */
const ALLOWED_CORE = new Set([
  'electron/core/api/contract',
  'electron/core/schema/payload',
  'electron/core/schema/levels',
  'electron/core/schema/dsl',
  'electron/core/report/diff',
  // The history search's groups, filter normalization and date words: the CLI and the UI say the same.
  'electron/core/history/history-filter',
]);

describe('renderer boundaries', () => {
  const sources = files('renderer');

  it('talks to the agent only through the contract: no Node built-ins, no other core module, no shell', () => {
    const offenders: string[] = [];
    for (const file of sources) {
      const text = readFileSync(path.join(root, file), 'utf8');
      for (const match of text.matchAll(/^\s*import\s+(type\s+)?[^;]*?from\s+['"]([^'"]+)['"]/gm)) {
        const typeOnly = Boolean(match[1]);
        const spec = match[2]!;
        if (spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'electron'].includes(spec)) offenders.push(`${file}: ${spec}`);
        if (spec.startsWith('.')) {
          const target = path.relative(root, path.resolve(root, path.dirname(file), spec));
          if (target.startsWith('electron/') && !typeOnly && !ALLOWED_CORE.has(target)) offenders.push(`${file}: ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

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
