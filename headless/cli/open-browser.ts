import { spawn } from 'node:child_process';

/**
 * `candor serve --open`: the admin UI in the default browser, where there is one. On Linux and the
 * BSDs that means a desktop session (a display); a headless box or an SSH session has none, and is
 * not asked. Nothing here can fail the server: the address is printed either way.
 */
export function browserCommand(url: string, platform: NodeJS.Platform, env: Record<string, string | undefined>): [string, string[]] | null {
  if (platform === 'darwin') return ['open', [url]];
  // url.dll opens the URL with the default handler without a shell between, so nothing in it is interpreted.
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
  return ['xdg-open', [url]];
}

/** Asks the desktop to open `url`; resolves true once the opener started, false where there is none. */
export function openInBrowser(url: string, env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const command = browserCommand(url, platform, env);
  if (!command) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      const child = spawn(command[0], command[1], { stdio: 'ignore', detached: true, env: { ...process.env, ...env } });
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
      // No xdg-open (a minimal desktop): the printed address is enough.
      child.once('error', () => resolve(false));
    } catch {
      resolve(false);
    }
  });
}
