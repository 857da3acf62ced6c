import type { MenuItemConstructorOptions } from 'electron';

/**
 * The application menu, replacing Electron's default (whose Help menu opens electronjs.org, a
 * link outside Candor's allowlist, and whose View menu offers DevTools in packaged builds).
 * Roles only: quitting goes through `app.quit()`, closing through the window's close-to-tray.
 * macOS needs the app and Edit menus for Cmd+Q and for copy/paste in text fields.
 */
export function appMenuTemplate(platform: NodeJS.Platform, options: { dev: boolean }): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      ...(options.dev ? ([{ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' }] as MenuItemConstructorOptions[]) : []),
    ],
  };
  if (platform === 'darwin') return [{ role: 'appMenu' }, { role: 'editMenu' }, view, { role: 'windowMenu' }];
  return [
    { label: 'File', submenu: [{ role: 'close', label: 'Close window' }, { type: 'separator' }, { role: 'quit', label: 'Quit Candor' }] },
    { role: 'editMenu' },
    view,
  ];
}
