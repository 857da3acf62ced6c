/**
 * The renderer's Content-Security-Policy, sent as a response header by main (see protocol.ts).
 * Everything starts from `default-src 'none'`; the built bundle needs only its own scripts,
 * styles, images and fonts. No `connect-src`: the renderer reaches the agent through the preload
 * bridge, never the network. React sets styles through the CSSOM, which style-src does not block.
 */
export function contentSecurityPolicy(options: { devOrigin: string | null }): string {
  const self = options.devOrigin ?? "'self'";
  const directives: Record<string, string> = {
    'default-src': "'none'",
    'script-src': self,
    'style-src': self,
    'img-src': `${self} data:`,
    'font-src': self,
    'connect-src': "'none'",
    'object-src': "'none'",
    'base-uri': "'none'",
    'form-action': "'none'",
    'frame-src': "'none'",
    'frame-ancestors': "'none'",
    'worker-src': "'none'",
    'manifest-src': "'none'",
  };
  if (options.devOrigin) {
    // Vite's dev server only (never packaged): its React refresh preamble is inline, its CSS is
    // injected as <style> tags, and hot reload talks over a websocket to the same host.
    const ws = options.devOrigin.replace(/^http/, 'ws');
    directives['script-src'] = `${self} 'unsafe-inline'`;
    directives['style-src'] = `${self} 'unsafe-inline'`;
    directives['connect-src'] = `${self} ${ws}`;
  }
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}
