import type { Linter } from 'eslint';

/** The lint rules that keep `electron` out of everything but the Electron shell. */
export declare const electronBoundary: Linter.Config[];
/** The two files that may load `electron` at run time. */
export declare const ELECTRON_ENTRY_POINTS: string[];
/** The options of typescript-eslint's no-restricted-imports that keep `electron` out. */
export declare const ELECTRON_RESTRICTION: { paths: object[]; patterns: object[] };
