// The architecture's borders, as lint rules: each top-level folder is one part, and a part imports
// only the parts below it. A type import counts (a type is a dependency too). The rule is
// typescript-eslint's no-restricted-imports, one set of options per part: ESLint keeps only the last
// options given for a rule, so every set also carries the Electron border (electron-boundary.js).
// test/eslint/boundaries.test.ts proves what each border catches and lets through.
//
// A border is written as the relative path that reaches another part: one or more `../` and the
// part's name. That is exact because no folder inside a part is named like a part (the test checks).

import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import { ELECTRON_ENTRY_POINTS, ELECTRON_RESTRICTION } from './electron-boundary.js';

/** The parts, each with the parts it may import. Nothing may import what is not listed. */
export const PARTS = {
  shared: { may: [], node: false, is: 'the shared package (the API contract, payload schema and levels, diff, history filter, clock type)' },
  lib: { may: [], node: true, is: 'Node libraries every server process shares' },
  core: { may: ['shared', 'lib'], node: true, is: 'the agent core' },
  headless: { may: ['core', 'shared', 'lib'], node: true, is: 'the headless shell' },
  electron: { may: ['core', 'shared', 'lib'], node: true, is: 'the Electron shell' },
  renderer: { may: ['shared'], node: false, is: 'the renderer' },
  collector: { may: ['shared', 'lib'], node: true, is: 'the collector' },
};

/**
 * Borders inside a part: a lower layer never imports a higher one. `folder` is relative to the
 * part; `not` lists sibling folders (or files, without extension) it may not import.
 */
export const LAYERS = [
  {
    folder: 'core/sources',
    not: ['report', 'send', 'settings', 'state', 'consent', 'schedule', 'history', 'agent', 'context', 'events'],
    why: 'the sources read the world; reports, settings and sending are built on them',
  },
  {
    folder: 'core/settings',
    not: ['report', 'send', 'schedule', 'history', 'agent', 'events'],
    why: 'settings are read by reports and sends, never the other way round',
  },
  {
    folder: 'core/storage',
    not: ['sources', 'report', 'send', 'settings', 'state', 'consent', 'schedule', 'history', 'agent', 'context', 'events'],
    why: 'storage is the bottom layer',
  },
  {
    folder: 'core/net',
    not: ['sources', 'report', 'send', 'settings', 'state', 'consent', 'schedule', 'history', 'agent', 'context', 'events'],
    why: 'the network door is the bottom layer',
  },
  { folder: 'electron/pure', not: ['main', 'preload'], why: 'the pure helpers take nothing from the shell that uses them' },
];

const others = (part) => Object.keys(PARTS).filter((p) => p !== part && !PARTS[part].may.includes(p));
const reaching = (names) => `^(?:\\.\\./)+(?:${names.join('|')})(?:/|$)`;

function partPatterns(part) {
  const forbidden = others(part);
  return forbidden.length
    ? [
        {
          regex: reaching(forbidden),
          message: `${part}/ is ${PARTS[part].is}: it may import ${PARTS[part].may.map((p) => `${p}/`).join(', ') || 'nothing outside itself'}.`,
        },
      ]
    : [];
}

function layerPatterns(layer) {
  // From a file anywhere under the layer's folder: up to the part, then a forbidden sibling.
  return [{ regex: `^(?:\\.\\./)+(?:${layer.not.join('|')})(?:/|$)`, message: `${layer.folder}/ may not import ${layer.not.join(', ')}: ${layer.why}.` }];
}

const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_'));
function nodeRestriction(part) {
  if (PARTS[part].node) return { paths: [], patterns: [] };
  const message = `${part}/ runs in a browser too: no Node built-ins.`;
  return { paths: NODE_BUILTINS.map((name) => ({ name, message })), patterns: [{ regex: '^node:', message }] };
}

function options(part, layer, { electronAllowed = false } = {}) {
  const node = nodeRestriction(part);
  return {
    paths: [...(electronAllowed ? [] : ELECTRON_RESTRICTION.paths), ...node.paths],
    patterns: [...(electronAllowed ? [] : ELECTRON_RESTRICTION.patterns), ...node.patterns, ...partPatterns(part), ...(layer ? layerPatterns(layer) : [])],
  };
}

const ruleFor = (opts) => ({ '@typescript-eslint/no-restricted-imports': ['error', opts] });
const TS = '**/*.{ts,tsx,mts,cts}';

export const partBoundaries = Object.keys(PARTS).flatMap((part) => {
  const entryPoints = ELECTRON_ENTRY_POINTS.filter((f) => f.startsWith(`${part}/`));
  const layers = LAYERS.filter((l) => l.folder.startsWith(`${part}/`));
  const layerFiles = layers.map((l) => `${l.folder}/${TS}`);
  const base = { plugins: { '@typescript-eslint': tseslint.plugin }, languageOptions: { parser: tseslint.parser } };
  return [
    { ...base, files: [`${part}/${TS}`], ignores: [...entryPoints, ...layerFiles], rules: ruleFor(options(part)) },
    ...layers.map((layer) => ({ ...base, files: [`${layer.folder}/${TS}`], ignores: entryPoints, rules: ruleFor(options(part, layer)) })),
    ...(entryPoints.length ? [{ ...base, files: entryPoints, rules: ruleFor(options(part, null, { electronAllowed: true })) }] : []),
  ];
});
