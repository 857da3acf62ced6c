#!/usr/bin/env node
// Bundles the desktop shell with esbuild:
//   electron/main/main.ts       → dist/electron/main.js     (ESM, Node platform: package.json "main")
//   electron/preload/preload.ts → dist/electron/preload.cjs (CommonJS: sandboxed preloads cannot load ES modules)
// `electron` stays external (the runtime provides it); every other dependency is bundled, so the
// packaged app ships no node_modules. Usage: node scripts/build-electron.mjs [--outdir DIR] [--dev]
import { build } from 'esbuild';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');

// Bundled CommonJS dependencies (ajv, electron-log…) call require() and read __dirname, which an
// ES module lacks: give them both, made from the bundle's own URL.
const ESM_BANNER = [
  "import { createRequire as __candorCreateRequire } from 'node:module';",
  "import { fileURLToPath as __candorFileURLToPath } from 'node:url';",
  "import { dirname as __candorDirname } from 'node:path';",
  'const require = __candorCreateRequire(import.meta.url);',
  'const __filename = __candorFileURLToPath(import.meta.url);',
  'const __dirname = __candorDirname(__filename);',
].join('\n');

/** esbuild options for both bundles; `plugins` lets tests swap `electron` for a stand-in. */
export function electronBuildOptions({ outdir = path.join(root, 'dist', 'electron'), dev = false, plugins = [] } = {}) {
  const common = { bundle: true, sourcemap: dev ? 'inline' : false, legalComments: 'none', logLevel: 'warning', external: plugins.length ? [] : ['electron'], plugins };
  return {
    // Electron 45 runs Node 22 and Chromium 140.
    main: { ...common, entryPoints: [path.join(root, 'electron/main/main.ts')], outfile: path.join(outdir, 'main.js'), platform: 'node', target: 'node22', format: 'esm', banner: { js: ESM_BANNER } },
    // "browser" makes esbuild refuse Node built-ins: a sandboxed preload can only require `electron`.
    preload: { ...common, entryPoints: [path.join(root, 'electron/preload/preload.ts')], outfile: path.join(outdir, 'preload.cjs'), platform: 'browser', target: 'chrome140', format: 'cjs' },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, dev: { type: 'boolean' } } });
  const options = electronBuildOptions({ ...(values.outdir ? { outdir: path.resolve(values.outdir) } : {}), dev: values.dev === true });
  await Promise.all([build(options.main), build(options.preload)]);
  console.log(`built ${path.relative(root, path.dirname(options.main.outfile)) || '.'}/main.js and preload.cjs`);
}
