// ESLint: typescript-eslint's type-aware recommended rules everywhere, React's hook rules in the
// renderer, and the architecture's borders: Electron only in the shell's two entry points
// (eslint/electron-boundary.js) and each top-level part importing only the parts below it
// (eslint/boundaries.js); test/eslint proves what both catch.
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { partBoundaries } from './eslint/boundaries.js';
import { electronBoundary } from './eslint/electron-boundary.js';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'coverage/**'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    // The two programs the code is checked in: the browser (tsconfig.web.json) and Node (tsconfig.json).
    // A file is read in the first that holds it: the browser's first, so linting only the browser's
    // files (npm test lints the two in two processes side by side) never builds the larger Node program.
    languageOptions: { parserOptions: { project: ['./tsconfig.web.json', './tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  ...electronBoundary,
  ...partBoundaries,
  {
    files: ['**/*.{js,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['renderer/**/*.{ts,tsx}', 'test/renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
);
