/**
 * `npm start` where Electron's binary cannot be had (no internet, a NAS): one paragraph on why,
 * then the same admin UI through `candor serve` on loopback, its address printed and answering,
 * the default browser asked to open it where there is a desktop, and the process kept running
 * until Ctrl+C. With the binary there, the check lets the desktop path go on.
 */
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { browserCommand } from '../../headless/cli/open-browser';
import { tempHome } from '../support/agent-harness';
import { candorLongRunning } from '../support/cli';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** A stand-in for xdg-open on PATH that writes down the address it was asked to open. */
function fakeOpener(): { bin: string; opened: string } {
  const bin = tempHome('candor-opener-');
  const opened = path.join(bin, 'opened.txt');
  writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
  chmodSync(path.join(bin, 'xdg-open'), 0o755);
  return { bin, opened };
}

describe("npm start without Electron's binary", () => {
  it('says why in one paragraph, then serves the admin UI on loopback (200), asks the browser to open it, and keeps running', async () => {
    const opener = fakeOpener();
    const env = {
      ...process.env,
      // An empty place for the binary, and no download: as on a machine without internet access.
      ELECTRON_OVERRIDE_DIST_PATH: tempHome('candor-no-electron-'),
      ELECTRON_SKIP_BINARY_DOWNLOAD: '1',
      CANDOR_HOME: tempHome('candor-start-'),
      // Built into a folder of its own: other tests serve dist/renderer meanwhile.
      CANDOR_RENDERER_OUT: path.join(tempHome('candor-start-ui-'), 'renderer'),
      DISPLAY: ':99',
      PATH: `${opener.bin}${path.delimiter}${process.env.PATH ?? ''}`,
      DO_NOT_TRACK: '',
    };
    // Its own process group, so Ctrl+C can be sent to npm and everything under it, as a terminal does.
    const child = spawn('npm', ['start', '--silent'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? String(code))));
    let address: string | undefined;
    try {
      await expect.poll(() => /Candor admin UI: \S+\n.*\n/.test(stdout) || child.exitCode !== null, { timeout: 150_000, interval: 200 }).toBe(true);
      address = /Candor admin UI: (\S+)/.exec(stdout)?.[1];
      expect(address, stdout + stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=/);

      // The paragraph about Electron stays, above the address, in one paragraph.
      const [paragraph] = stdout.split('\n\n');
      expect(paragraph).toMatch(/^The desktop app needs Electron's own program/);
      expect(paragraph).toMatch(/`npm start` shows the same admin UI in a browser on\s+this machine, through `npx candor serve`\./);
      expect(paragraph!.split('\n').length).toBeLessThanOrEqual(6);
      expect(stdout.indexOf(paragraph!)).toBeLessThan(stdout.indexOf('Candor admin UI:'));
      expect(stdout).toMatch(/^Opening it in your default browser\. /m);
      expect(stdout + stderr).not.toMatch(/^\s+at |install-electron|Error:/m);

      const page = await fetch(new URL('/', address));
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/<div id="root">/);
      expect(readFileSync(opener.opened, 'utf8')).toBe(address);
      // Still running after answering.
      expect(child.exitCode).toBeNull();
    } finally {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
    }
    // npm passes Ctrl+C on and then ends by the same signal, as in a terminal; the server is gone.
    expect(['0', 'SIGINT']).toContain(await exited);
    await expect(fetch(new URL('/', address))).rejects.toThrow();
    expect(stdout + stderr).not.toMatch(/^\s+at |Error:/m);
  }, 240_000);

  it('`candor serve --open` with no desktop (no display) does not try, and serves all the same', async () => {
    const opener = fakeOpener();
    const serve = candorLongRunning(
      ['serve', '--open'],
      { CANDOR_HOME: tempHome('candor-start-'), DISPLAY: '', WAYLAND_DISPLAY: '', PATH: `${opener.bin}${path.delimiter}${process.env.PATH ?? ''}` },
      /press Ctrl\+C/,
    );
    try {
      await serve.started;
      expect(serve.output().stdout).toMatch(/^Open it in a browser on this machine\. /m);
      expect(existsSync(opener.opened)).toBe(false);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it("asks the platform's own opener: open on macOS, url.dll on Windows, xdg-open only where there is a display", () => {
    const url = 'http://127.0.0.1:4242/#token=abc';
    expect(browserCommand(url, 'darwin', {})).toEqual(['open', [url]]);
    expect(browserCommand(url, 'win32', {})).toEqual(['rundll32', ['url.dll,FileProtocolHandler', url]]);
    expect(browserCommand(url, 'linux', { DISPLAY: ':0' })).toEqual(['xdg-open', [url]]);
    expect(browserCommand(url, 'freebsd', { WAYLAND_DISPLAY: 'wayland-0' })).toEqual(['xdg-open', [url]]);
    expect(browserCommand(url, 'linux', {})).toBeNull();
    expect(browserCommand(url, 'linux', { DISPLAY: '' })).toBeNull();
  });

  it('lets `npm start` go on to the desktop app when the binary is there', async () => {
    const dist = tempHome('candor-electron-');
    mkdirSync(dist, { recursive: true });
    writeFileSync(path.join(dist, 'electron'), '');
    const result = await run(process.execPath, [path.join(root, 'scripts/check-electron.mjs')], {
      cwd: root,
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: dist, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
    expect(result).toEqual({ stdout: '', stderr: '' });
  });
});
