import path from 'node:path';
import type { Agent } from '../../core/agent';
import { startServe, type ServeHandle } from './server';

/**
 * The built admin UI: `npm ci` builds it (the `prepare` script); CANDOR_RENDERER_DIR points elsewhere.
 * Two folders up is the project root both from here (headless/serve) and from the bundle (dist/cli).
 */
export function rendererDir(env: Record<string, string | undefined> = process.env): string {
  return env.CANDOR_RENDERER_DIR ? path.resolve(env.CANDOR_RENDERER_DIR) : path.resolve(import.meta.dirname, '../../dist/renderer');
}

/** Starts the loopback admin UI over the agent. Throws `ServeError` with a one-line message. */
export function startHeadlessServer(agent: Agent, options: { port: number; host: string; allowRemote: boolean; staticDir?: string }): Promise<ServeHandle> {
  return startServe({ api: agent, host: options.host, port: options.port, allowRemote: options.allowRemote, staticDir: options.staticDir ?? rendererDir() });
}
