/**
 * `npm start` where Electron's binary cannot be had (no internet, a NAS): one short paragraph on
 * what to do, no stack trace, no advice to run `install-electron`, exit 1 before anything is built.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempHome } from './support/agent-harness';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

async function attempt(command: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: root, env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm start without Electron's binary", () => {
  it('says in one paragraph how to get it and that `npx candor serve` works here, and exits 1', async () => {
    // An empty place for the binary, and no download: as on a machine without internet access.
    const env = { ELECTRON_OVERRIDE_DIST_PATH: tempHome('candor-no-electron-'), ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
    const result = await attempt('npm', ['start', '--silent'], env);
    expect(result.code).toBe(1);
    const said = result.stderr.trim();
    expect(said).toMatch(/^The desktop app needs Electron's own program/);
    expect(said).toMatch(/`npx candor serve` shows the same admin UI in a\s+browser/);
    expect(said.split('\n\n')).toHaveLength(1);
    expect(said.split('\n').length).toBeLessThanOrEqual(6);
    expect(result.stdout + result.stderr).not.toMatch(/^\s+at |install-electron|Error:/m);
    // Nothing was built: the check runs first.
    expect(result.stdout).not.toMatch(/vite|built/);
  });

  it('lets `npm start` go on when the binary is there', async () => {
    const dist = tempHome('candor-electron-');
    mkdirSync(dist, { recursive: true });
    writeFileSync(path.join(dist, 'electron'), '');
    const result = await attempt(process.execPath, [path.join(root, 'scripts/check-electron.mjs')], {
      ELECTRON_OVERRIDE_DIST_PATH: dist,
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
    });
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
