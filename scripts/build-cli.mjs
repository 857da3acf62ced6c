#!/usr/bin/env node
// Bundles the two command lines with esbuild, so they start without compiling TypeScript:
//   headless/cli/main.ts → dist/cli/candor.js            (bin/candor.js runs it)
//   collector/main.ts        → dist/cli/candor-collector.js  (bin/candor-collector.js runs it)
// ESM with code splitting: each entry holds only what parses the arguments and prints the help;
// the agent, axios and the collector's stores are chunks (dist/cli/chunk-*.js) loaded once a command
// needs them. Native and driver packages stay external and resolve from node_modules at run time:
// fs-native-extensions (the OS file lock, an N-API addon), better-sqlite3 and pg.
// Runs at `npm ci` (prepare) and before every test run (test/support/build-bins.ts).
// Usage: node scripts/build-cli.mjs [--outdir DIR]
import { build } from 'esbuild';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ESM_BANNER } from './build-electron.mjs';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');

export const CLI_OUTDIR = path.join(root, 'dist', 'cli');

/**
 * axios loads two things at start-up that a command line never uses, at a measured ~35 ms a network
 * command (`npm run bench -- start-up`): form-data (with the 200 KB mime-db) for multipart uploads,
 * and the fetch adapter, whose set-up wakes Node's fetch (undici). In Node axios always takes its
 * http adapter, and Candor sends strings only. A stand-in that exports less than axios imports
 * fails the build, so a new axios cannot silently lose them.
 */
const leanAxios = {
  name: 'lean-axios',
  setup(b) {
    b.onResolve({ filter: /^form-data$/ }, (args) => (/[\\/]axios[\\/]/.test(args.importer) ? { path: 'form-data', namespace: 'candor-stand-in' } : undefined));
    b.onResolve({ filter: /^\.\/fetch\.js$/ }, (args) =>
      /[\\/]axios[\\/]lib[\\/]adapters[\\/]/.test(args.importer) ? { path: 'fetch-adapter', namespace: 'candor-stand-in' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'candor-stand-in' }, (args) => ({
      loader: 'js',
      contents:
        args.path === 'fetch-adapter'
          ? '// axios treats `false` as "this adapter is not available here".\nexport const getFetch = () => false;\nexport default false;'
          : "export default class FormData { constructor() { throw new Error('multipart uploads are not part of the candor command line'); } }",
    }));
  },
};

export const CLI_EXTERNAL = ['fs-native-extensions', 'better-sqlite3', 'pg', 'pg-native'];

export const CLI_ENTRIES = { candor: 'headless/cli/main.ts', 'candor-collector': 'collector/main.ts' };

/**
 * esbuild options for one command line (`candor` or `candor-collector`). Each is built on its own,
 * so its chunks follow its own lazy imports only, not the modules the two happen to share.
 */
export function cliBuildOptions(name, { outdir = CLI_OUTDIR } = {}) {
  return {
    entryPoints: { [name]: path.join(root, CLI_ENTRIES[name]) },
    outdir,
    // Chunks sit beside the entries: code that finds files from its own folder (the admin UI at
    // `../../dist/renderer`) sees the same depth in the bundle as in the sources.
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: CLI_EXTERNAL,
    banner: { js: ESM_BANNER },
    // Less to parse at every start; names kept, as error names are logged. The collector keeps its
    // names by not renaming them: esbuild's keepNames re-labels every function made at run time,
    // closures on a report's path included, which cost it about 1% of a report (measured).
    minify: true,
    ...(name === 'candor-collector' ? { minifyIdentifiers: false } : { keepNames: true }),
    plugins: [leanAxios],
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  };
}

/**
 * Builds into `outdir`. Each file is written under a temporary name and renamed, so a process
 * starting meanwhile (another test run) reads an old file or a new one, never half of one; chunks
 * no build of these sources produces any more are removed.
 */
export async function buildCli({ outdir = CLI_OUTDIR } = {}) {
  const results = await Promise.all(Object.keys(CLI_ENTRIES).map((name) => build(cliBuildOptions(name, { outdir }))));
  mkdirSync(outdir, { recursive: true });
  const written = new Set();
  for (const file of results.flatMap((r) => r.outputFiles)) {
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
    written.add(path.basename(file.path));
  }
  for (const name of readdirSync(outdir)) {
    if (name.endsWith('.js') && !written.has(name)) rmSync(path.join(outdir, name), { force: true });
  }
  return [...written];
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  const outdir = values.outdir ? path.resolve(values.outdir) : CLI_OUTDIR;
  await buildCli({ outdir });
  console.log(`built ${path.relative(root, outdir)}/candor.js and candor-collector.js`);
}
