import type { Agent } from '../core/agent';

export interface HeadlessServer {
  url: string;
  close(): Promise<void>;
}

/** Starts the loopback admin UI over the agent; null while the UI is not part of the build. */
export async function startHeadlessServer(_agent: Agent, _options: { port: number; host: string; allowRemote: boolean }): Promise<HeadlessServer | null> {
  return null;
}
