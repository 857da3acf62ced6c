import type { AgentEvent } from '../shared/api-contract';

/**
 * The agent's push channel: status, preview and history events for whoever watches. A window
 * watches to see the preview live; the tray watches the status only, for the life of the app, and
 * must not keep the preview rebuilding while nobody looks at it.
 */
export class EventHub {
  private readonly listeners = new Set<(event: AgentEvent) => void>();
  private readonly live = new Set<(event: AgentEvent) => void>();

  get watched(): boolean {
    return this.listeners.size > 0;
  }

  /** Someone looks at the preview: it is kept live (memory and uptime every few seconds). */
  get previewWatched(): boolean {
    return this.live.size > 0;
  }

  subscribe(listener: (event: AgentEvent) => void, options: { livePreview?: boolean } = {}): () => void {
    // A wrapper per subscription: the same function subscribed twice is two subscriptions.
    const entry = (event: AgentEvent) => listener(event);
    this.listeners.add(entry);
    if (options.livePreview) this.live.add(entry);
    return () => {
      this.listeners.delete(entry);
      this.live.delete(entry);
    };
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
