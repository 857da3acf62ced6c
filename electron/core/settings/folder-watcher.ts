import { statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../platform';

export const DEFAULT_FOLDER_POLL_MS = 1000;

/**
 * Tells a running process that another one changed the shared files (an answer given in the CLI
 * while the desktop app runs, a report sent by `candor run`). File-system events make it instant;
 * a cheap stat of each file every second catches what events miss (network folders, inotify limits,
 * a folder that did not exist yet).
 */
export class FolderWatcher {
  private watcher: FSWatcher | null = null;
  private timer: unknown = null;
  private readonly seen = new Map<string, string>();
  private running = false;

  constructor(
    private readonly dir: string,
    private readonly files: readonly string[],
    private readonly clock: Clock,
    private readonly onChange: (file: string) => void,
    private readonly options: { pollMs?: number; useEvents?: boolean } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const file of this.files) this.seen.set(file, signature(path.join(this.dir, file)));
    this.watchEvents();
    this.schedulePoll();
  }

  stop(): void {
    this.running = false;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Compares each file with what was last seen and reports the ones that changed. */
  check(): void {
    for (const file of this.files) {
      const now = signature(path.join(this.dir, file));
      if (now === this.seen.get(file)) continue;
      this.seen.set(file, now);
      try {
        this.onChange(file);
      } catch {
        // A failing listener must not stop the watching.
      }
    }
  }

  private watchEvents(): void {
    if (this.watcher || this.options.useEvents === false) return;
    try {
      // The folder, not the files: atomic writes replace a file, and a watch on the old one would go quiet.
      this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
        if (name === null || this.files.includes(name.toString())) this.check();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null; // no folder yet, or no events here: the poll covers it
    }
  }

  private schedulePoll(): void {
    // Infinity: events only (tests that drive a fake clock through weeks do not want a tick a second).
    if (!this.running || this.options.pollMs === Infinity) return;
    const handle = this.clock.setTimeout(() => {
      this.timer = null;
      this.check();
      this.watchEvents();
      this.schedulePoll();
    }, this.options.pollMs ?? DEFAULT_FOLDER_POLL_MS);
    handle.unref?.();
    this.timer = handle;
  }
}

function signature(file: string): string {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch {
    return 'absent';
  }
}
