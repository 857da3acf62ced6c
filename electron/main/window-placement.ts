import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import type { Options as StoreOptions } from 'electron-store';
import { s, validate, type Infer } from '../../shared/schema/dsl';
import { PRIVATE_FILE_MODE } from '../../core/storage/private-files';
import { toJsonSchema } from '../pure/json-schema';

/**
 * Where the window was: the desktop app's own preference, kept in electron-store (`desktop.json`),
 * apart from the agent's state that every Candor process shares. Restored only while that place is
 * still on a screen (a monitor unplugged since must not leave the window out of reach).
 */
const placementSchema = s.object({
  x: s.int(-1_000_000, 1_000_000),
  y: s.int(-1_000_000, 1_000_000),
  width: s.int(100, 100_000),
  height: s.int(100, 100_000),
  maximized: s.bool(),
});
export type SavedPlacement = Infer<typeof placementSchema>;
type Prefs = { window?: SavedPlacement };

/** The part of electron-store used here. */
export interface PrefsStore {
  get(key: 'window'): unknown;
  set(key: 'window', value: SavedPlacement): void;
}

export function desktopPrefsOptions(dir: string): StoreOptions<Prefs> {
  // Losing a window position is harmless: a damaged file is simply started afresh.
  return { cwd: dir, name: 'desktop', clearInvalidConfig: true, configFileMode: PRIVATE_FILE_MODE, schema: { window: toJsonSchema(placementSchema) } };
}

/** What is needed of a window to remember its place. */
export interface PlacedWindow {
  getNormalBounds(): Rectangle;
  isMaximized(): boolean;
}

/** At least this much of the window's top must show on some screen for the saved place to be used. */
const MIN_VISIBLE = 64;

export class WindowPlacement {
  constructor(
    private readonly store: PrefsStore,
    private readonly workAreas: () => Rectangle[],
  ) {}

  restore(): { options: Partial<BrowserWindowConstructorOptions>; maximized: boolean } {
    let saved: SavedPlacement | null = null;
    try {
      const checked = validate(placementSchema, this.store.get('window'), { unknownKeys: 'drop' });
      if (checked.ok) saved = checked.value;
    } catch {
      saved = null;
    }
    if (!saved) return { options: {}, maximized: false };
    const { x, y, width, height, maximized } = saved;
    const onScreen = this.workAreas().some((area) => overlap(area, { x, y, width, height: MIN_VISIBLE }) >= MIN_VISIBLE * MIN_VISIBLE);
    return { options: onScreen ? { x, y, width, height } : { width, height }, maximized };
  }

  save(window: PlacedWindow): void {
    try {
      const { x, y, width, height } = window.getNormalBounds();
      this.store.set('window', { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height), maximized: window.isMaximized() });
    } catch {
      // A preference that cannot be saved is not worth an error.
    }
  }
}

function overlap(a: Rectangle, b: Rectangle): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}
