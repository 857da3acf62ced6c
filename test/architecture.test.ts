import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  const full = path.join(root, dir);
  let names: string[];
  try {
    names = readdirSync(full);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx|js|mjs|cjs)$/.test(name) ? [rel] : [];
  });
}

/** An import that pulls Electron in at run time (type-only imports are erased and allowed). */
const RUNTIME_ELECTRON = /(?:^|\n)\s*import\s+(?!type\b)[^;]*?from\s+['"]electron(?:\/[^'"]*)?['"]|require\(\s*['"]electron(?:\/[^'"]*)?['"]\s*\)|import\(\s*['"]electron['"]\s*\)/;

describe('architecture', () => {
  it.each(['electron/core', 'electron/headless', 'renderer', 'collector'])('nothing in %s imports electron at run time', (dir) => {
    const offenders = sourceFiles(dir).filter((file) => RUNTIME_ELECTRON.test(readFileSync(path.join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the check itself catches a runtime import and lets a type import through', () => {
    expect(RUNTIME_ELECTRON.test("import { app } from 'electron';")).toBe(true);
    expect(RUNTIME_ELECTRON.test("const { app } = require('electron')")).toBe(true);
    expect(RUNTIME_ELECTRON.test("import type { BrowserWindow } from 'electron';")).toBe(false);
  });

  it('the core never reaches into a shell or the UI (dependencies point inward)', () => {
    const offenders = sourceFiles('electron/core').filter((file) => /from\s+['"](?:\.\.\/)+(?:headless|main|preload|renderer)\b/.test(readFileSync(path.join(root, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
