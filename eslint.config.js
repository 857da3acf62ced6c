// ESLint: typescript-eslint's type-aware recommended rules everywhere, React's hook rules in the
// renderer, and the architecture's one hard border: only the Electron shell (electron/main,
// electron/preload) may load `electron` at run time, so the core and the UI run without it.
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

const ELECTRON_AT_RUN_TIME = 'Only electron/main and electron/preload may load electron at run time (types are fine: import type).';

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'coverage/**'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    // The two programs the code is checked in: Node (tsconfig.json) and the browser (tsconfig.web.json).
    languageOptions: { parserOptions: { project: ['./tsconfig.json', './tsconfig.web.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.{ts,tsx}'],
    ignores: ['electron/main/**', 'electron/preload/**'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'electron', message: ELECTRON_AT_RUN_TIME, allowTypeImports: true }] }],
    },
  },
  {
    files: ['**/*.{js,mjs}'],
    ignores: ['electron/main/**', 'electron/preload/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: ELECTRON_AT_RUN_TIME }] }] },
  },
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    ignores: ['electron/main/**', 'electron/preload/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "ImportExpression[source.value='electron']", message: ELECTRON_AT_RUN_TIME },
        { selector: "CallExpression[callee.name='require'][arguments.0.value='electron']", message: ELECTRON_AT_RUN_TIME },
      ],
    },
  },
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
