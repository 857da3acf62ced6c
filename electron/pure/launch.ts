import type { AgentStatus } from '../../shared/api-contract';

/**
 * Decisions taken once at start-up, kept pure so they are tested without Electron.
 */

/**
 * Whether a tray icon will most likely be visible. Windows and macOS always have one; on Linux it
 * depends on the desktop (stock GNOME shows none without an extension). `CANDOR_TRAY=1|0` overrides.
 * When unlikely, Candor opens its window at every start and minimizes instead of hiding, so the
 * tray is never the only way back in (a second launch also brings the window back).
 */
export function trayLikelyVisible(platform: NodeJS.Platform, env: Record<string, string | undefined>): boolean {
  if (env.CANDOR_TRAY === '1') return true;
  if (env.CANDOR_TRAY === '0') return false;
  if (platform !== 'linux') return true;
  const desktop = (env.XDG_CURRENT_DESKTOP ?? '').toLowerCase();
  return /kde|xfce|lxqt|lxde|mate|cinnamon|unity|ubuntu|budgie|pantheon|deepin|enlightenment|sway|hyprland/.test(desktop);
}

/** First run (the wizard is unanswered) or new fields to approve: the user has to act, so show the window. */
export function needsUserAtLaunch(status: AgentStatus): boolean {
  const reason = status.consent.paused?.reason;
  return reason === 'awaiting-answer' || reason === 'new-fields';
}

export function showWindowAtLaunch(status: AgentStatus, trayVisible: boolean): boolean {
  return needsUserAtLaunch(status) || !trayVisible;
}

/**
 * `--share` / `--no-share` on the desktop app's command line, as for the CLI (a config-level
 * choice shown as locked). Both at once: the opt-out wins, as everywhere else in consent.
 */
export function shareFlagFrom(argv: readonly string[]): boolean | undefined {
  if (argv.includes('--no-share')) return false;
  if (argv.includes('--share')) return true;
  return undefined;
}
