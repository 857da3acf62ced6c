/**
 * The collector's layering, checked: storage drivers stay in their store module, inner modules
 * never reach out to HTTP or the CLI, wall time comes only from the injected clock, and the
 * payload's fields come only from the schema module.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCollector, RETENTION_DAYS, startCollector } from '../../collector/index';
import { FakeClock } from '../support/fake-clock';
import { repoRoot, sourceOf, tsFiles } from '../support/source-files';
import { candorReport, post, sqliteRows } from './support/harness';
import { existsSync } from 'node:fs';

const root = repoRoot;
const files = tsFiles;
const source = sourceOf;
/** Runtime imports only: `import type` is erased and allowed anywhere. */
function runtimeImports(file: string): string[] {
  return [...source(file).matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
}
const resolved = (file: string, spec: string) => (spec.startsWith('.') ? path.normalize(path.join(path.dirname(file), spec)) : spec);

const all = files('collector');
const INNER = [
  ...[
    'retention',
    'limits',
    'metrics',
    'validation',
    'rate-limit',
    'writer',
    'purge',
    'maintenance',
    'admission',
    'deletion',
    'source-tag',
    'export-file',
    'import',
    'replacement',
    'regular-file',
  ].map((m) => `collector/${m}.ts`),
  ...all.filter((f) => /^collector\/(store|summary)\//.test(f)),
];

describe('collector architecture', () => {
  it('has the modules the design names', () => {
    for (const f of [
      'http/server.ts',
      'http/ingest.ts',
      'http/read-routes.ts',
      'maintenance.ts',
      'validation.ts',
      'rate-limit.ts',
      'admission.ts',
      'deletion.ts',
      'source-tag.ts',
      'export-file.ts',
      'import.ts',
      'writer.ts',
      'store/types.ts',
      'store/sqlite.ts',
      'store/postgres.ts',
      'purge.ts',
      'summary/aggregate.ts',
      'summary/threshold.ts',
      'dashboard/page.ts',
      'metrics.ts',
      'cli.ts',
      'main.ts',
      'index.ts',
    ]) {
      expect(existsSync(path.join(root, 'collector', f)), f).toBe(true);
    }
  });

  it('inner modules never import HTTP, the dashboard, the composition root or the CLI', () => {
    const offenders = INNER.flatMap((file) =>
      runtimeImports(file)
        .map((spec) => resolved(file, spec))
        .filter((target) => /^collector\/(http|dashboard)\/|^collector\/(app|cli|main|index)$|^node:(http|net)$/.test(target))
        .map((target) => `${file} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('database drivers are used by their store module only', () => {
    const users = (pkg: string) => all.filter((f) => runtimeImports(f).includes(pkg));
    expect(users('better-sqlite3')).toEqual(['collector/store/sqlite.ts']);
    expect(users('pg')).toEqual(['collector/store/postgres.ts']);
  });

  it('from the agent, only the schema runs in the collector (the platform is shared as types)', () => {
    const reached = all.flatMap((file) =>
      runtimeImports(file)
        .map((spec) => resolved(file, spec))
        .filter((t) => /^(core|shared)\//.test(t)),
    );
    expect([...new Set(reached)].sort()).toEqual(['shared/schema/compile', 'shared/schema/dsl', 'shared/schema/payload']);
  });

  it('wall time comes from the injected clock, and nothing writes to the console', () => {
    const wall = all.filter((f) => f !== 'collector/platform.ts' && /Date\.now\(|new Date\(\)/.test(source(f)));
    expect(wall).toEqual([]);
    expect(all.filter((f) => /console\./.test(source(f)))).toEqual([]);
  });

  it('retention has one constant: no other module spells the number', () => {
    const spelled = all.filter(
      (f) => f !== 'collector/retention.ts' && new RegExp(`\\b${RETENTION_DAYS}\\s*\\*\\s*(?:24|86_?400)|\\b${RETENTION_DAYS}\\s*days`, 'i').test(source(f)),
    );
    expect(spelled).toEqual([]);
  });
});

describe('startCollector (for end-to-end tests of the agent)', () => {
  it('runs the real service on port 0 in a temp folder with an injected clock, and cleans up', async () => {
    const clock = new FakeClock(Date.UTC(2027, 1, 3, 4, 5, 6));
    const started = await startCollector({ clock });
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await post(started.url, candorReport())).status).toBe(200);
    expect(sqliteRows(started.dataDir!)[0]!.received_at).toBe(clock.now());
    await started.close();
    expect(existsSync(started.dataDir!)).toBe(false);
    expect(typeof createCollector).toBe('function');
  });
});
