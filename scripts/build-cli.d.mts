import type { BuildOptions } from 'esbuild';

export const CLI_OUTDIR: string;
export const CLI_EXTERNAL: string[];
export const CLI_ENTRIES: Record<'candor' | 'candor-collector', string>;
export function cliBuildOptions(name: 'candor' | 'candor-collector', options?: { outdir?: string }): BuildOptions;
export function buildCli(options?: { outdir?: string }): Promise<string[]>;
