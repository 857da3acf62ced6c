#!/usr/bin/env node
// Bundles the desktop shell with esbuild:
//   electron/main/main.ts       → dist/electron/main.js     (ESM, Node platform: package.json "main")
//   electron/preload/preload.ts → dist/electron/preload.cjs (CommonJS: sandboxed preloads cannot load ES modules)
// `electron` stays external (the runtime provides it); every other dependency is bundled, so the
// packaged app ships no node_modules. The one native piece, the OS file lock (fs-native-extensions,
// N-API, so one build serves Node and Electron alike), is copied beside main.js as its prebuilds for
// the desktop platforms. Usage: node scripts/build-electron.mjs [--outdir DIR] [--dev]
import { build } from 'esbuild';
import { cpSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const self = fileURLToPath(import.meta.url);
const root = path.resolve(path.dirname(self), '..');

// Bundled CommonJS dependencies (ajv, electron-log…) call require() and read __dirname, which an
// ES module lacks: give them both, made from the bundle's own URL.
export const ESM_BANNER = [
  "import { createRequire as __candorCreateRequire } from 'node:module';",
  "import { fileURLToPath as __candorFileURLToPath } from 'node:url';",
  "import { dirname as __candorDirname } from 'node:path';",
  'const require = __candorCreateRequire(import.meta.url);',
  'const __filename = __candorFileURLToPath(import.meta.url);',
  'const __dirname = __candorDirname(__filename);',
].join('\n');

/** esbuild options for both bundles; `plugins` lets tests swap `electron` for a stand-in. */
export function electronBuildOptions({ outdir = path.join(root, 'dist', 'electron'), dev = false, plugins = [] } = {}) {
  const common = {
    bundle: true,
    sourcemap: dev ? 'inline' : false,
    legalComments: 'none',
    logLevel: 'warning',
    external: plugins.length ? [] : ['electron'],
    plugins,
  };
  return {
    // Electron 45 runs Node 22 and Chromium 140.
    main: {
      ...common,
      entryPoints: [path.join(root, 'electron/main/main.ts')],
      outfile: path.join(outdir, 'main.js'),
      platform: 'node',
      target: 'node22',
      format: 'esm',
      banner: { js: ESM_BANNER },
    },
    // "browser" makes esbuild refuse Node built-ins: a sandboxed preload can only require `electron`.
    preload: {
      ...common,
      entryPoints: [path.join(root, 'electron/preload/preload.ts')],
      outfile: path.join(outdir, 'preload.cjs'),
      platform: 'browser',
      target: 'chrome140',
      format: 'cjs',
    },
  };
}

/** Desktop platforms electron-builder can target. */
export const DESKTOP_PREBUILDS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];

/** Copies the lock addon's prebuilds to `<outdir>/prebuilds/<platform>-<arch>/`, where the bundle looks. */
export function copyNativePrebuilds(outdir) {
  const pkg = path.dirname(createRequire(import.meta.url).resolve('fs-native-extensions/package.json'));
  for (const target of DESKTOP_PREBUILDS) {
    const from = path.join(pkg, 'prebuilds', target, 'fs-native-extensions.node');
    if (existsSync(from)) cpSync(from, path.join(outdir, 'prebuilds', target, 'fs-native-extensions.node'));
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === self) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, dev: { type: 'boolean' } } });
  const options = electronBuildOptions({ ...(values.outdir ? { outdir: path.resolve(values.outdir) } : {}), dev: values.dev === true });
  await Promise.all([build(options.main), build(options.preload)]);
  copyNativePrebuilds(path.dirname(options.main.outfile));
  console.log(`built ${path.relative(root, path.dirname(options.main.outfile)) || '.'}/main.js and preload.cjs`);
}
