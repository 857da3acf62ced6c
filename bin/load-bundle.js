// Finds a command's bundle in dist/cli/ (built by scripts/build-cli.mjs at `npm ci`, and before tests).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Imports dist/cli/<name>.js; when it was never built, says how to build it and exits 1. */
export async function loadBundle(name) {
  const file = path.resolve(import.meta.dirname, '..', 'dist', 'cli', `${name}.js`);
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(file)) throw error;
    process.stderr.write(`${name}: not built yet (no ${file}); run \`npm run build:cli\` in ${path.dirname(import.meta.dirname)} (\`npm ci\` does it).\n`);
    process.exit(1);
  }
}
