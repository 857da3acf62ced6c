import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAppProtocolHandler } from '../../../electron/main/protocol';
import { guardWebContents, hardenSession, isAllowedRequest } from '../../../electron/main/security';
import { APP_ENTRY, devServerOrigin, isAppUrl } from '../../../electron/pure/app-origin';
import { contentSecurityPolicy } from '../../../electron/pure/csp';
import { allowedExternalUrl } from '../../../electron/pure/external-links';
import { tempHome } from '../../support/agent-harness';
import { recordingLogger } from '../support/fixtures';
import { FakeWebContents, createElectronStandIn } from '../support/stand-in';

const packaged = { devOrigin: null };
const dev = { devOrigin: 'http://localhost:5173' };

function guarded(source: { devOrigin: string | null } = packaged) {
  const electron = createElectronStandIn();
  const contents = new FakeWebContents();
  const logger = recordingLogger();
  guardWebContents(contents, source, electron.shell, logger);
  return { contents, shell: electron.shell, logger };
}

describe('navigation, redirects, new windows and webviews are denied', () => {
  it.each(['will-navigate', 'will-frame-navigate'] as const)('%s away from the app is denied', (event) => {
    const { contents, shell } = guarded();
    expect(contents.navigate(event, 'https://evil.example/')).toBe(true);
    expect(contents.navigate(event, 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate(event, 'candor://other/index.html')).toBe(true);
    expect(shell.opened).toEqual([]);
  });

  it('navigating within the app is allowed', () => {
    const { contents } = guarded();
    expect(contents.navigate('will-navigate', `${APP_ENTRY}#/history`)).toBe(false);
  });

  it('a clicked link on the allowlist opens in the browser instead, once', () => {
    const { contents, shell } = guarded();
    const url = 'https://www.navidrome.org/docs/getting-started/insights/';
    // Electron emits both events for a top-frame navigation.
    expect(contents.navigate('will-frame-navigate', url)).toBe(true);
    expect(contents.navigate('will-navigate', url)).toBe(true);
    expect(shell.opened).toEqual([url]);
  });

  it('redirects out of the app are denied and never opened', () => {
    const { contents, shell } = guarded();
    expect(contents.navigate('will-redirect', 'https://github.com/')).toBe(true);
    expect(shell.opened).toEqual([]);
  });

  it('window.open is always denied; allowlisted links go to the browser', () => {
    const { contents, shell, logger } = guarded();
    expect(contents.openWindow('https://github.com/navidrome/navidrome')).toEqual({ action: 'deny' });
    expect(contents.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
    expect(contents.openWindow(APP_ENTRY)).toEqual({ action: 'deny' });
    expect(shell.opened).toEqual(['https://github.com/navidrome/navidrome']);
    expect(logger.lines.some((l) => l.message.includes('evil'))).toBe(false);
  });

  it('webviews are refused even if one were requested', () => {
    const { contents } = guarded();
    const event = {
      preventDefault() {
        this.prevented = true;
      },
      prevented: false,
    };
    contents.emit('will-attach-webview', event);
    expect(event.prevented).toBe(true);
  });

  it('the dev server counts as the app only in dev', () => {
    expect(guarded(dev).contents.navigate('will-navigate', 'http://localhost:5173/#/preview')).toBe(false);
    expect(guarded(packaged).contents.navigate('will-navigate', 'http://localhost:5173/')).toBe(true);
  });
});

describe('openExternal allowlist', () => {
  it.each([
    ['https://www.navidrome.org/docs/', 'https://www.navidrome.org/docs/'],
    ['http://navidrome.org/', 'http://navidrome.org/'],
    ['https://github.com/candor', 'https://github.com/candor'],
  ])('allows %s', (url, expected) => {
    expect(allowedExternalUrl(url)).toBe(expected);
  });

  it.each([
    'javascript:alert(1)',
    'file:///etc/passwd',
    'smb://server/share',
    'candor://app/index.html',
    'https://evil.example/',
    'https://github.com.evil.example/',
    'https://evilgithub.com/',
    'https://github.com@evil.example/',
    'https://user:pw@github.com/',
    'https://github.com:8443/',
    'not a url',
    '',
  ])('refuses %s', (url) => {
    expect(allowedExternalUrl(url)).toBeNull();
  });

  it('refuses anything that is not a string', () => {
    expect(allowedExternalUrl({ toString: () => 'https://github.com/' })).toBeNull();
    expect(allowedExternalUrl(undefined)).toBeNull();
  });
});

describe('session: permissions and remote content', () => {
  function session(source: { devOrigin: string | null } = packaged) {
    const electron = createElectronStandIn();
    const s = electron.session.defaultSession;
    hardenSession(s, source, contentSecurityPolicy(source), recordingLogger());
    return s;
  }

  it('refuses every permission request and check', () => {
    const s = session();
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      let granted: boolean | undefined;
      s.permissionRequestHandler!(null, permission, (ok: boolean) => (granted = ok), {});
      expect(granted).toBe(false);
      expect(s.permissionCheckHandler!(null, permission, 'candor://app', {})).toBe(false);
    }
    expect(s.devicePermissionHandler!({})).toBe(false);
  });

  it('cancels every request to the network or the disk', () => {
    const s = session();
    const cancelled = (url: string) => {
      let result: { cancel?: boolean } = {};
      s.webRequest.beforeRequest!({ url }, (r: { cancel?: boolean }) => (result = r));
      return result.cancel;
    };
    expect(cancelled('https://tracker.example/pixel.gif')).toBe(true);
    expect(cancelled('http://127.0.0.1:4533/rest/ping')).toBe(true);
    expect(cancelled('wss://evil.example/')).toBe(true);
    expect(cancelled('file:///home/alice/.ssh/id_rsa')).toBe(true);
    expect(cancelled(`${APP_ENTRY}`)).toBe(false);
    expect(cancelled('candor://app/assets/index.js')).toBe(false);
    expect(cancelled('devtools://devtools/bundled/inspector.html')).toBe(false);
  });

  it('in dev, allows the dev server (and its hot reload) and adds the CSP header to its pages', () => {
    const s = session(dev);
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', dev)).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', dev)).toBe(true);
    expect(isAllowedRequest('http://localhost:5174/', dev)).toBe(false);
    let headers: Record<string, string[]> | undefined;
    s.webRequest.headersReceived!(
      { url: 'http://localhost:5173/', responseHeaders: {} },
      (r: { responseHeaders?: Record<string, string[]> }) => (headers = r.responseHeaders),
    );
    expect(headers?.['Content-Security-Policy']?.[0]).toMatch(/^default-src 'none'/);
  });
});

describe('content security policy', () => {
  it("packaged: default-src 'none', own scripts and styles only, no network, no inline code", () => {
    const csp = contentSecurityPolicy(packaged);
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(csp).not.toMatch(/https?:/);
  });

  it('dev: adds only what the Vite dev server needs, for its own origin', () => {
    const csp = contentSecurityPolicy(dev);
    expect(csp).toContain("script-src http://localhost:5173 'unsafe-inline'");
    expect(csp).toContain('connect-src http://localhost:5173 ws://localhost:5173');
    expect(csp).not.toContain('unsafe-eval');
  });
});

describe('where the renderer may come from', () => {
  it('CANDOR_RENDERER_URL is honoured only unpackaged and only on loopback http', () => {
    expect(devServerOrigin({ CANDOR_RENDERER_URL: 'http://localhost:5173' }, false)).toBe('http://localhost:5173');
    expect(devServerOrigin({ CANDOR_RENDERER_URL: 'http://127.0.0.1:5173/some/path' }, false)).toBe('http://127.0.0.1:5173');
    expect(devServerOrigin({ CANDOR_RENDERER_URL: 'http://localhost:5173' }, true)).toBeNull();
    expect(devServerOrigin({ CANDOR_RENDERER_URL: 'http://192.168.1.5:5173' }, false)).toBeNull();
    expect(devServerOrigin({ CANDOR_RENDERER_URL: 'https://localhost:5173' }, false)).toBeNull();
    expect(devServerOrigin({ CANDOR_RENDERER_URL: 'http://u:p@localhost:5173' }, false)).toBeNull();
    expect(devServerOrigin({}, false)).toBeNull();
  });

  it('recognises only the app scheme and host', () => {
    expect(isAppUrl('candor://app/index.html#/x', packaged)).toBe(true);
    expect(isAppUrl('candor://APP/index.html', packaged)).toBe(true);
    expect(isAppUrl('candor://evil/index.html', packaged)).toBe(false);
    expect(isAppUrl('file:///app/index.html', packaged)).toBe(false);
    expect(isAppUrl('::', packaged)).toBe(false);
  });
});

describe('the app protocol serves the renderer folder and nothing else', () => {
  function renderer() {
    const home = tempHome();
    const root = path.join(home, 'renderer');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
    writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(home, 'secret.txt'), 'do not serve');
    writeFileSync(path.join(root, 'notes.md'), '# not a web file');
    return { handler: createAppProtocolHandler(root, contentSecurityPolicy(packaged)), root };
  }
  const get = (handler: ReturnType<typeof renderer>['handler'], url: string, method = 'GET') => handler(new Request(url, { method }));

  it('serves index.html with the CSP header, nosniff, and the right type', async () => {
    const { handler } = renderer();
    for (const url of ['candor://app/', 'candor://app/index.html', `${APP_ENTRY}#/history`]) {
      const res = await get(handler, url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const js = await get(handler, 'candor://app/assets/app.js');
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
  });

  it.each(['candor://app/../secret.txt', 'candor://app/%2e%2e/secret.txt', 'candor://app/assets/..%2F..%2Fsecret.txt', 'candor://app/%00index.html'])(
    'refuses traversal: %s',
    async (url) => {
      const res = await get(renderer().handler, url);
      expect(res.status).toBe(404);
    },
  );

  it('refuses unknown file types, other hosts and methods other than GET', async () => {
    const { handler } = renderer();
    expect((await get(handler, 'candor://app/notes.md')).status).toBe(404);
    expect((await get(handler, 'candor://other/index.html')).status).toBe(404);
    expect((await get(handler, 'candor://app/missing.js')).status).toBe(404);
    expect((await handler(new Request('candor://app/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('says how to build the window when the renderer is missing', async () => {
    const handler = createAppProtocolHandler(path.join(tempHome(), 'nothing-here'), contentSecurityPolicy(packaged));
    const res = await get(handler, APP_ENTRY);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/npm run build/);
  });
});
