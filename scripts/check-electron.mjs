#!/usr/bin/env node
// Whether the desktop app can run here: it needs Electron's own binary, which npm does not install
// (Electron downloads it from GitHub when first needed). If it is missing, one download is tried,
// quietly. `npm start` (scripts/start.mjs) asks this first; run alone, it exits 0 when the binary
// is there and 1, with one paragraph and no stack trace, when it cannot be had.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the `electron` package keeps its binary, read as it reads it, without running its download. */
function electronBinary() {
  let dir;
  try {
    dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { dir: null, present: false };
  }
  const pathFile = path.join(dir, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8') : null;
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return { dir, present: existsSync(path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron')) };
  return { dir, present: relative !== null && existsSync(path.join(dir, 'dist', relative)) };
}

/** The one paragraph about Electron, said before `npm start` serves the admin UI in a browser instead. */
export const NO_ELECTRON = [
  "The desktop app needs Electron's own program, which is not on this machine and could not be",
  'downloaded here (Electron fetches it from GitHub the first time; no internet access?). On a machine',
  'with internet access and Node 22.12 or later, `npm ci && npm start` gets it, and `npm run dist`',
  'builds an installer to bring here. Meanwhile `npm start` shows the same admin UI in a browser on',
  'this machine, through `npx candor serve`.',
].join('\n');

/** True when Electron's binary is here, after one quiet download attempt if it was not. */
export function electronAvailable() {
  let binary = electronBinary();
  if (!binary.present && binary.dir && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    process.stdout.write("Downloading Electron's program (once)…\n");
    spawnSync(process.execPath, [path.join(binary.dir, 'install.js')], { stdio: 'ignore', timeout: 10 * 60_000 });
    binary = electronBinary();
  }
  return binary.present;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url) && !electronAvailable()) {
  process.stderr.write(`${NO_ELECTRON}\n`);
  process.exit(1);
}
