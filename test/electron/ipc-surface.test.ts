import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    return statSync(path.join(root, rel)).isDirectory() ? files(rel) : /\.(ts|mts|cts)$/.test(name) ? [rel] : [];
  });
}

const shellFiles = [...files('electron/main'), ...files('electron/preload'), ...files('electron/pure')];

// Which files may load Electron, and that electron/pure takes nothing from main or preload, are lint
// rules (eslint/electron-boundary.js, eslint/boundaries.js).
describe('the desktop shell keeps its IPC surface small', () => {
  it('nothing uses sendSync, remote, or passes IPC channels through from the page', () => {
    for (const file of shellFiles) {
      const text = readFileSync(path.join(root, file), 'utf8');
      expect(text, file).not.toMatch(/\bsendSync\s*\(|@electron\/remote|\.send\(\s*channel\b/);
    }
  });
});
