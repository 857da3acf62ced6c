import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The same policy `candor serve` sends as a header, as a <meta> in the built page, so the
 * Electron window (file://) gets it too. frame-ancestors is header-only and is left to the server
 * and the shell. Only in builds: the dev server injects an inline script for hot reload.
 */
export const RENDERER_CSP_META =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

function cspMeta(): Plugin {
  return {
    name: 'candor-csp-meta',
    apply: 'build',
    transformIndexHtml(html) {
      return html.replace(
        '<meta charset="utf-8" />',
        `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${RENDERER_CSP_META}" />`,
      );
    },
  };
}

export default defineConfig({
  root: path.join(here, 'renderer'),
  // Relative URLs: the same build works from file:// in Electron and from the loopback server.
  base: './',
  plugins: [react(), cspMeta()],
  build: {
    outDir: process.env.CANDOR_RENDERER_OUT ? path.resolve(process.env.CANDOR_RENDERER_OUT) : path.join(here, 'dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // Nothing inline: the CSP allows scripts and styles from 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
  server: { host: '127.0.0.1', strictPort: true },
  clearScreen: false,
});
