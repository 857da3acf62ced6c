#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx candor` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../electron/headless/cli.ts');
const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  env: process.env,
});
process.exitCode = code;
