#!/usr/bin/env node
// Runs the bundle `npm ci` builds (scripts/build-cli.mjs, `prepare`): no TypeScript compiled at start.
import { loadBundle } from './load-bundle.js';
import { lineWriter } from './stdio.js';

const { runCollectorCli } = await loadBundle('candor-collector');
const code = await runCollectorCli(process.argv.slice(2), {
  out: lineWriter(process.stdout),
  err: lineWriter(process.stderr),
  env: process.env,
  onSignal: (handler) => {
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  },
});
// Exit explicitly: a client's idle keep-alive socket must not hold a stopped collector open.
process.exit(code);
