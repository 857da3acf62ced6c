/**
 * The command lines run as bundles (scripts/build-cli.mjs → dist/cli). These check the bundle's
 * shape from esbuild's own record of it: what `--help` loads (no agent, no axios, no database
 * driver), and that native and driver packages stay external; and what a bin says without one.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CLI_EXTERNAL, cliBuildOptions } from '../../../scripts/build-cli.mjs';
import { tempHome } from '../../support/agent-harness';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../../..');

async function metafile(name: 'candor' | 'candor-collector'): Promise<{ meta: Metafile; entry: string }> {
  const outdir = tempHome('candor-bundle-');
  const result = await build({ ...cliBuildOptions(name, { outdir }), metafile: true, write: false, logLevel: 'silent' });
  const entry = Object.keys(result.metafile.outputs).find((file) => result.metafile.outputs[file]!.entryPoint)!;
  return { meta: result.metafile, entry };
}

/** Everything a bundle output loads before its code runs: its static imports, transitively. */
function loadedAtStart(meta: Metafile, entry: string): { inputs: string[]; externals: string[] } {
  const seen = new Set<string>();
  const externals = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imp of meta.outputs[file]!.imports) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) externals.add(imp.path);
      else visit(imp.path);
    }
  };
  visit(entry);
  return { inputs: [...seen].flatMap((file) => Object.keys(meta.outputs[file]!.inputs)), externals: [...externals] };
}

const allInputs = (meta: Metafile) => Object.keys(meta.inputs);

describe('the CLI bundles', () => {
  it('`candor` loads only argument parsing at start: the agent, axios and the config parser come with a command', async () => {
    const { meta, entry } = await metafile('candor');
    const start = loadedAtStart(meta, entry);
    expect(start.inputs).toContain('headless/cli/args.ts');
    for (const heavy of [/electron\/core\/agent\.ts/, /node_modules\/axios\//, /node_modules\/smol-toml\//, /electron\/headless\/commands\.ts/]) {
      expect(
        start.inputs.filter((input) => heavy.test(input)),
        heavy.source,
      ).toEqual([]);
    }
    expect(allInputs(meta)).toEqual(expect.arrayContaining(['core/agent.ts', 'core/net/axios-http-client.ts']));
  });

  it('`candor-collector` parses its flags before loading the store drivers', async () => {
    const { meta, entry } = await metafile('candor-collector');
    const start = loadedAtStart(meta, entry);
    expect(start.externals.filter((name) => ['better-sqlite3', 'pg'].includes(name))).toEqual([]);
    expect(start.inputs.filter((input) => /collector\/(app|store\/open|import)\.ts$/.test(input))).toEqual([]);
  });

  it('keeps the native lock addon and the database drivers external, resolved from node_modules', async () => {
    for (const name of ['candor', 'candor-collector'] as const) {
      const { meta } = await metafile(name);
      for (const pkg of CLI_EXTERNAL)
        expect(
          allInputs(meta).filter((input) => input.startsWith(`node_modules/${pkg}/`)),
          `${name}: ${pkg}`,
        ).toEqual([]);
    }
    const collector = await metafile('candor-collector');
    const imported = Object.values(collector.meta.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    expect(imported).toEqual(expect.arrayContaining(['better-sqlite3', 'pg']));
  });

  it('a bin whose bundle was never built says how to build it, in one line, and exits 1', async () => {
    const copy = tempHome('candor-unbuilt-');
    mkdirSync(path.join(copy, 'bin'));
    for (const file of readdirSync(path.join(root, 'bin'))) copyFileSync(path.join(root, 'bin', file), path.join(copy, 'bin', file));
    for (const [bin, name] of [
      ['candor.js', 'candor'],
      ['candor-collector.js', 'candor-collector'],
    ]) {
      const result = await run(process.execPath, [path.join(copy, 'bin', bin!), '--help']).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `^${name}: not built yet \\(no .*dist/cli/${name}\\.js\\); run \`npm run build:cli\` in ${copy.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(\`npm ci\` does it\\)\\.\\n$`,
        ),
      );
    }
  });
});
