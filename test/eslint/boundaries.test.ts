/**
 * The architecture's borders as lint rules (eslint/boundaries.js): what each catches and what it lets
 * through, at real places in the tree, and that the configuration `npm test` lints with holds them
 * (which is how the whole tree is checked against them).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { LAYERS, PARTS, partBoundaries } from '../../eslint/boundaries.js';
import { electronBoundary } from '../../eslint/electron-boundary.js';

const root = path.resolve(import.meta.dirname, '../..');
// The border rules alone, over a parser for every file (no type information: quick).
const bordersOnly = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.{ts,tsx}'], languageOptions: { parser: tseslint.parser } }, ...electronBoundary, ...partBoundaries],
});

async function findings(file: string, code: string): Promise<string[]> {
  const [result] = await bordersOnly.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => m.message);
}

/** A file of each part, and the specifier that reaches part `to` from it. */
const FILE_OF: Record<string, string> = {
  shared: 'shared/schema/payload.ts',
  lib: 'lib/http/respond.ts',
  core: 'core/report/builder.ts',
  headless: 'headless/serve/server.ts',
  electron: 'electron/main/ipc.ts',
  renderer: 'renderer/views/History.tsx',
  collector: 'collector/http/ingest.ts',
};
const FILE_IN: Record<string, string> = {
  shared: 'api-contract',
  lib: 'log/line-logger',
  core: 'agent',
  headless: 'cli/main',
  electron: 'pure/csp',
  renderer: 'App',
  collector: 'index',
};
const reach = (from: string, to: string) => `${path.posix.relative(path.posix.dirname(from), to)}/${FILE_IN[to.split('/')[0]!]}`;

const pairs = Object.keys(PARTS).flatMap((from) =>
  Object.keys(PARTS)
    .filter((to) => to !== from)
    .map((to) => [from, to] as const),
);
const allowed = pairs.filter(([from, to]) => PARTS[from]!.may.includes(to));
const forbidden = pairs.filter(([from, to]) => !PARTS[from]!.may.includes(to));

describe('the borders between the parts of the tree', () => {
  it('has the parts the architecture names, each a top-level folder', () => {
    expect(Object.keys(PARTS).sort()).toEqual(['collector', 'core', 'electron', 'headless', 'lib', 'renderer', 'shared']);
    for (const part of Object.keys(PARTS)) expect(statSync(path.join(root, part)).isDirectory(), part).toBe(true);
    // The dependencies point one way: the shared package and lib/ import no other part, the core only those two.
    expect(PARTS.shared!.may).toEqual([]);
    expect(PARTS.renderer!.may).toEqual(['shared']);
    expect(PARTS.collector!.may).not.toContain('core');
    expect(PARTS.core!.may.every((p) => ['shared', 'lib'].includes(p))).toBe(true);
  });

  it.each(forbidden)('flags %s/ importing %s/, a type import too', async (from, to) => {
    const spec = reach(FILE_OF[from]!, to);
    for (const code of [`import { x } from '${spec}';`, `import type { X } from '${spec}';`, `export { x } from '${spec}';`]) {
      const found = await findings(FILE_OF[from]!, code);
      expect(found, `${FILE_OF[from]}: ${code}`).toHaveLength(1);
      expect(found[0]).toContain(`${from}/ is ${PARTS[from]!.is}`);
    }
  });

  it.each(allowed)('lets %s/ import %s/', async (from, to) => {
    expect(await findings(FILE_OF[from]!, `import { x } from '${reach(FILE_OF[from]!, to)}';`)).toEqual([]);
  });

  it('lets every part import its own files, at any depth', async () => {
    expect(await findings('core/report/builder.ts', "import { x } from '../sources/music-server';\nimport { y } from './encode';")).toEqual([]);
    expect(await findings('renderer/views/settings/SharingSection.tsx', "import { x } from '../../components/Field';")).toEqual([]);
  });

  it('keeps Node built-ins out of the renderer and the shared package, in every spelling', async () => {
    for (const file of ['renderer/App.tsx', 'shared/report-diff.ts']) {
      for (const code of ["import fs from 'node:fs';", "import path from 'path';", "import type { Server } from 'node:http';"]) {
        expect(await findings(file, code), `${file}: ${code}`).toHaveLength(1);
      }
    }
    expect(await findings('core/platform.ts', "import os from 'node:os';")).toEqual([]);
  });

  it('keeps the layers inside a part: sources and settings never import what is built on them', async () => {
    const cases: [string, string][] = [
      ['core/sources/server-facts.ts', '../report/privacy-guard'],
      ['core/sources/host/deps.ts', '../../report/builder'],
      ['core/settings/settings-service.ts', '../send/sender'],
      ['core/settings/settings-service.ts', '../report/builder'],
      ['core/storage/folder-lock.ts', '../state/state-store'],
      ['core/net/endpoint.ts', '../settings/settings-service'],
      ['electron/pure/tray-model.ts', '../main/tray'],
    ];
    for (const [file, spec] of cases) {
      const found = await findings(file, `import type { X } from '${spec}';`);
      expect(found, `${file}: ${spec}`).toHaveLength(1);
      expect(found[0]).toContain('may not import');
    }
    // The other way is the right way.
    expect(await findings('core/report/builder.ts', "import { x } from '../sources/music-server';\nimport { y } from '../settings/settings-service';")).toEqual(
      [],
    );
    expect(await findings('core/settings/settings-service.ts', "import { x } from '../sources/music-server';\nimport { y } from '../net/endpoint';")).toEqual(
      [],
    );
    expect(await findings('electron/main/tray.ts', "import { x } from '../pure/tray-model';")).toEqual([]);
  });

  it('still keeps Electron out of every part but the two entry points (one finding, not two)', async () => {
    for (const file of ['core/agent.ts', 'renderer/App.tsx', 'electron/pure/csp.ts', 'collector/app.ts']) {
      const found = await findings(file, "import { app } from 'electron';");
      expect(found, file).toHaveLength(1);
      expect(found[0]).toContain('Only electron/main/main.ts and electron/preload/preload.ts may load electron');
    }
    expect(await findings('electron/main/main.ts', "import { app } from 'electron';\nimport { x } from '../../core/agent';")).toEqual([]);
    expect(await findings('electron/main/main.ts', "import { x } from '../../renderer/App';")).toHaveLength(1);
  });

  it('is exact: no folder inside a part is named like a part or a layer it borders', () => {
    const folders = (dir: string): string[] =>
      readdirSync(path.join(root, dir)).flatMap((name) => {
        const rel = path.posix.join(dir, name);
        return statSync(path.join(root, rel)).isDirectory() ? [rel, ...folders(rel)] : [];
      });
    const parts = Object.keys(PARTS);
    const clashes = parts.flatMap((part) => folders(part)).filter((f) => parts.includes(path.posix.basename(f)));
    expect(clashes).toEqual([]);
    for (const layer of LAYERS) {
      const inside = folders(layer.folder).filter((f) => layer.not.includes(path.posix.basename(f)));
      expect(inside, layer.folder).toEqual([]);
    }
  });

  it('is part of the configuration npm test lints with', async () => {
    const project = new ESLint({ cwd: root });
    for (const [file, says] of [
      ['core/agent.ts', 'core/ is the agent core'],
      ['core/sources/server-facts.ts', 'core/sources/ may not import'],
      ['renderer/App.tsx', 'renderer/ is the renderer'],
      ['collector/app.ts', 'collector/ is the collector'],
      ['electron/main/main.ts', 'electron/ is the Electron shell'],
    ] as const) {
      const rules = ((await project.calculateConfigForFile(file)) as { rules: Record<string, unknown> }).rules;
      expect(JSON.stringify(rules['@typescript-eslint/no-restricted-imports']), file).toContain(says);
    }
  });
});
