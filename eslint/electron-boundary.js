// The architecture's one hard border, as lint rules: only the Electron shell's two entry points
// (electron/main/main.ts, the composition root, and electron/preload/preload.ts) may load `electron`
// at run time. Everything else, the rest of the shell included, gets Electron's objects handed in,
// so it runs (and is tested against a stand-in) under plain Node or a browser. Type-only imports and exports are
// erased at build time and stay allowed. `electron/main`, `electron/renderer`, ... are Electron's own
// sub-entry points and count as Electron; relative paths into this repository's electron/ folder do not.

import tseslint from 'typescript-eslint';

const MESSAGE = 'Only electron/main/main.ts and electron/preload/preload.ts may load electron at run time (types are fine: import type).';
export const ELECTRON_ENTRY_POINTS = ['electron/main/main.ts', 'electron/preload/preload.ts'];
const ENTRY_POINTS = ELECTRON_ENTRY_POINTS;
// esquery's regular expressions cannot hold a slash, so it is spelled \x2F.
const ELECTRON_MODULE = '^electron(\\x2F.*)?$';

/** The TypeScript rule's options; eslint/boundaries.js adds them to every part's own. */
export const ELECTRON_RESTRICTION = {
  paths: [{ name: 'electron', message: MESSAGE, allowTypeImports: true }],
  patterns: [{ regex: '^electron/', message: MESSAGE, allowTypeImports: true }],
};

export const electronBoundary = [
  {
    files: ['**/*.{ts,tsx,mts,cts}'],
    ignores: ENTRY_POINTS,
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', ELECTRON_RESTRICTION],
    },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    ignores: ENTRY_POINTS,
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: MESSAGE }], patterns: [{ regex: '^electron/', message: MESSAGE }] }] },
  },
  {
    // Imports the two rules above cannot see: import('electron') and require('electron').
    files: ['**/*.{ts,tsx,mts,cts,js,mjs,cjs}'],
    ignores: ENTRY_POINTS,
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: `ImportExpression > Literal.source[value=/${ELECTRON_MODULE}/]`, message: MESSAGE },
        { selector: `CallExpression[callee.name='require'] > Literal.arguments:first-child[value=/${ELECTRON_MODULE}/]`, message: MESSAGE },
      ],
    },
  },
];
