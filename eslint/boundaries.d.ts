import type { Linter } from 'eslint';

/** The top-level parts of the tree: what each is and which parts it may import. */
export declare const PARTS: Record<string, { may: string[]; node: boolean; is: string }>;
/** Borders inside a part: a folder and the sibling folders (or files) it may not import. */
export declare const LAYERS: { folder: string; not: string[]; why: string }[];
/** One config block per part (and per layer, and for Electron's two entry points). */
export declare const partBoundaries: Linter.Config[];
