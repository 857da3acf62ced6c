import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { electronBoundary } from '../../eslint/electron-boundary.js';

const root = path.resolve(import.meta.dirname, '../..');
// The border rules alone, over a parser for every file, so a file the border does not cover is
// linted and found clean rather than skipped.
const boundaryOnly = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.{ts,tsx,mjs}'], languageOptions: { parser: tseslint.parser } }, ...electronBoundary],
});

/** The messages of the border rule for `code` placed at `file` (relative to the repository). */
async function borderFindings(file: string, code: string): Promise<string[]> {
  const [result] = await boundaryOnly.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((message) => `${message.line}: ${message.message}`);
}

const RUNTIME_IMPORTS = {
  'a named import': "import { app } from 'electron';",
  'a default import': "import electron from 'electron';",
  'a namespace import': "import * as electron from 'electron';",
  'a side-effect import': "import 'electron';",
  'a re-export': "export { app } from 'electron';",
  'a re-export of everything': "export * from 'electron';",
  'a dynamic import': "const electron = await import('electron');",
  'a require': "const { app } = require('electron');",
  "one of Electron's sub-entry points": "import { ipcRenderer } from 'electron/renderer';",
  'a dynamic import of a sub-entry point': "await import('electron/main');",
};

const ERASED_AT_BUILD_TIME = {
  'a type import': "import type { BrowserWindow } from 'electron';",
  'a type re-export': "export type { BrowserWindow } from 'electron';",
  'an inline type specifier': "import { type Tray } from 'electron';",
  'a relative import of the repository’s own electron folder': "import { x } from '../electron/core/x';",
  'a package whose name starts with electron': "import builder from 'electron-builder';",
};

describe('the lint rule that keeps Electron in the desktop shell', () => {
  it.each(Object.entries(RUNTIME_IMPORTS))('flags %s anywhere but the two entry points', async (_kind, code) => {
    for (const file of [
      'core/agent.ts',
      'headless/cli/main.ts',
      'electron/main/tray.ts',
      'electron/preload/bridge.ts',
      'electron/pure/launch.ts',
      'renderer/App.tsx',
      'collector/app.ts',
      'scripts/build.mjs',
    ]) {
      const findings = await borderFindings(file, code);
      expect(findings, `${file}: ${code}`).toHaveLength(1);
      expect(findings[0]).toContain('Only electron/main/main.ts and electron/preload/preload.ts may load electron at run time');
    }
  });

  it.each(Object.entries(ERASED_AT_BUILD_TIME))('lets %s through', async (_kind, code) => {
    expect(await borderFindings('core/agent.ts', code)).toEqual([]);
  });

  it("lets the shell's two entry points load Electron", async () => {
    for (const file of ['electron/main/main.ts', 'electron/preload/preload.ts']) {
      expect(await borderFindings(file, "import { app } from 'electron';\nexport * from 'electron';\nrequire('electron');")).toEqual([]);
    }
  });

  it('is part of the configuration npm test lints with', async () => {
    const project = new ESLint({ cwd: root });
    for (const file of ['core/agent.ts', 'renderer/App.tsx', 'scripts/build-cli.mjs']) {
      const rules = ((await project.calculateConfigForFile(file)) as { rules: Record<string, unknown> }).rules;
      const restriction = file.endsWith('.mjs') ? 'no-restricted-imports' : '@typescript-eslint/no-restricted-imports';
      expect(JSON.stringify(rules[restriction]), file).toContain('Only electron/main/main.ts and electron/preload/preload.ts');
      expect(JSON.stringify(rules['no-restricted-syntax']), file).toContain('ImportExpression');
    }
  });
});
