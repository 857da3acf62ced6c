/**
 * Builds the renderer once per set of sources: the output goes to a temp folder named after a hash
 * of everything the bundle is made from, so every e2e file, the benchmark and the screenshot run of
 * one test run share one build, and an unchanged tree is never rebuilt.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function files(dir: string): string[] {
  const full = path.join(ROOT, dir);
  if (!existsSync(full)) return [];
  if (statSync(full).isFile()) return [dir];
  return readdirSync(full).flatMap((name) => files(path.join(dir, name)));
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const inputs = [...files('renderer'), ...files('shared'), 'vite.config.ts', 'package-lock.json'].sort();
  for (const file of inputs) {
    hash.update(file);
    hash.update(readFileSync(path.join(ROOT, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

let cached: string | null = null;

/** Returns a folder holding the built renderer (index.html + assets/). */
export function buildRenderer(): string {
  if (cached) return cached;
  const dir = path.join(os.tmpdir(), `candor-renderer-${sourceHash()}`);
  if (!existsSync(path.join(dir, 'index.html'))) {
    const temp = `${dir}.tmp-${process.pid}`;
    const vite = path.join(ROOT, 'node_modules/vite/bin/vite.js');
    const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', CANDOR_RENDERER_OUT: temp },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
    try {
      renameSync(temp, dir);
    } catch {
      // Another worker finished first: use its build.
      rmSync(temp, { recursive: true, force: true });
    }
  }
  cached = dir;
  return dir;
}
