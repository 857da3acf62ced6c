import type { AgentEvent } from './api/contract';

/** The agent's push channel: status, preview and history events for whoever watches. */
export class EventHub {
  private readonly listeners = new Set<(event: AgentEvent) => void>();

  get watched(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: (event: AgentEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  emit(event: AgentEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener must not stop the agent or the other listeners.
      }
    }
  }
}

/** Problems met while running that did not stop the agent, each said once. */
export class Notices {
  private readonly items = new Set<string>();

  add(message: string): void {
    this.items.add(message);
  }

  remove(message: string): void {
    this.items.delete(message);
  }

  list(): string[] {
    return [...this.items];
  }
}
