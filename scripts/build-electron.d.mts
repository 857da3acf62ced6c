import type { BuildOptions, Plugin } from 'esbuild';

export function electronBuildOptions(options?: { outdir?: string; dev?: boolean; plugins?: Plugin[] }): { main: BuildOptions; preload: BuildOptions };

/** Gives bundled CommonJS dependencies the `require`, `__filename` and `__dirname` an ES module lacks. */
export const ESM_BANNER: string;
