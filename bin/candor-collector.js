#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx candor-collector` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCollectorCli } = await import('../collector/main.ts');
const code = await runCollectorCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  env: process.env,
  onSignal: (handler) => {
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  },
});
// Exit explicitly: a client's idle keep-alive socket must not hold a stopped collector open.
process.exit(code);
