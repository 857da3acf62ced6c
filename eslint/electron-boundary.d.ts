import type { Linter } from 'eslint';

/** The lint rules that keep `electron` out of everything but the Electron shell. */
export declare const electronBoundary: Linter.Config[];
