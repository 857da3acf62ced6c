import type { BuildOptions, Plugin } from 'esbuild';

export function electronBuildOptions(options?: { outdir?: string; dev?: boolean; plugins?: Plugin[] }): { main: BuildOptions; preload: BuildOptions };
