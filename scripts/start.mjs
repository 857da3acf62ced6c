#!/usr/bin/env node
// `npm start`: the admin UI, wherever this runs.
//   - With Electron's program here (or downloadable): builds the UI and the desktop shell
//     (`npm run build`) and starts the desktop app, as always.
//   - Without it (no internet, a NAS, a headless box): says so in one paragraph, builds what the
//     headless shell needs (the admin UI and the command line), and runs `candor serve --open` in
//     this very process: the same admin UI on 127.0.0.1, its address printed, the default browser
//     asked to open it where there is a desktop. It keeps running until Ctrl+C.
// CANDOR_RENDERER_OUT builds the UI elsewhere than dist/renderer, and the server serves it from there.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronAvailable, NO_ELECTRON } from './check-electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function desktop() {
  const built = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  const electron = createRequire(import.meta.url)('electron');
  const app = spawn(electron, ['.'], { cwd: root, stdio: 'inherit' });
  // Ctrl+C reaches Electron from the terminal itself; a SIGTERM sent here is passed on.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => app.kill('SIGTERM'));
  app.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function headless() {
  process.stdout.write(`${NO_ELECTRON}\n\nBuilding the admin UI and the command line…\n`);
  const rendererOut = process.env.CANDOR_RENDERER_OUT ? path.resolve(process.env.CANDOR_RENDERER_OUT) : path.join(root, 'dist', 'renderer');
  const vite = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, CANDOR_RENDERER_OUT: rendererOut },
  });
  if (vite.status !== 0) process.exit(vite.status ?? 1);
  const { buildCli } = await import('./build-cli.mjs');
  await buildCli();
  // The command line's own entry, in this process: Ctrl+C goes straight to `candor serve`.
  const { loadBundle } = await import('../bin/load-bundle.js');
  const { lineWriter } = await import('../bin/stdio.js');
  const { runCli } = await loadBundle('candor');
  process.exitCode = await runCli(['serve', '--open'], {
    out: lineWriter(process.stdout),
    err: lineWriter(process.stderr),
    env: { ...process.env, CANDOR_RENDERER_DIR: rendererOut },
  });
}

if (electronAvailable()) desktop();
else await headless();
