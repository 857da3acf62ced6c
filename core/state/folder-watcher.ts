import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { Clock } from '../platform';
import { fileSignature } from '../storage/file-signature';

export const DEFAULT_FOLDER_POLL_MS = 1000;

/**
 * Tells a running process that a file it decides from changed: the shared state another process
 * wrote (an answer given in the CLI while the desktop app runs, a report sent by `candor run`), or
 * the config file and the password file it names, edited by hand. File-system events make it
 * instant; a cheap stat of each file every second catches what events miss (network folders,
 * inotify limits, a folder that did not exist yet).
 *
 * The files are asked for at every check, so a config that starts naming another password file is
 * followed from then on. Each file's folder is watched, not the file: atomic writes and editors
 * replace a file, and a watch on the old one would go quiet.
 */
export class FolderWatcher {
  private readonly folders = new Map<string, FSWatcher>();
  private timer: unknown = null;
  private readonly seen = new Map<string, string>();
  private running = false;

  constructor(
    /** Absolute paths; the list may change between checks. */
    private readonly files: () => readonly string[],
    private readonly clock: Clock,
    private readonly onChange: (file: string) => void,
    private readonly options: { pollMs?: number; useEvents?: boolean } = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const file of this.files()) this.seen.set(file, fileSignature(file));
    this.watchEvents();
    this.schedulePoll();
  }

  stop(): void {
    this.running = false;
    for (const watcher of this.folders.values()) watcher.close();
    this.folders.clear();
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Compares each file with what was last seen and reports the ones that changed. A file that has
   * just joined the list is only noted: what named it (a config change) is already being reported.
   */
  check(): void {
    const files = this.files();
    for (const known of [...this.seen.keys()]) if (!files.includes(known)) this.seen.delete(known);
    for (const file of files) {
      const now = fileSignature(file);
      const before = this.seen.get(file);
      this.seen.set(file, now);
      if (before === undefined || now === before) continue;
      try {
        this.onChange(file);
      } catch {
        // A failing listener must not stop the watching.
      }
    }
  }

  private watchEvents(): void {
    if (this.options.useEvents === false || !this.running) return;
    const wanted = new Set(this.files().map((file) => path.dirname(file)));
    for (const [folder, watcher] of this.folders) {
      if (wanted.has(folder)) continue;
      watcher.close();
      this.folders.delete(folder);
    }
    for (const folder of wanted) {
      if (this.folders.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, (_event, name) => {
          if (name === null || this.files().some((file) => path.dirname(file) === folder && path.basename(file) === name.toString())) this.check();
        });
        watcher.on('error', () => {
          watcher.close();
          if (this.folders.get(folder) === watcher) this.folders.delete(folder);
        });
        this.folders.set(folder, watcher);
      } catch {
        // No folder yet, or no events here: the poll covers it, and tries again each time.
      }
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
