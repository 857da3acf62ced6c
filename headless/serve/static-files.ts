/** The built renderer, read-only: only files inside the build, no dotfiles, long caching for hashed assets. */
import { readFile, stat } from 'node:fs/promises';
import type http from 'node:http';
import path from 'node:path';
import { allowHeader, methodIn } from '../../lib/http/respond';
import { sendPlain } from './responses';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const READ_METHODS = ['GET', 'HEAD'];

export async function hasIndexHtml(staticDir: string): Promise<boolean> {
  try {
    return (await stat(path.join(staticDir, 'index.html'))).isFile();
  } catch {
    return false;
  }
}

export function staticFiles(staticDir: string) {
  const root = path.resolve(staticDir);
  return async (req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> => {
    if (!methodIn(req, READ_METHODS)) {
      sendPlain(res, 405, 'Method not allowed.', { Allow: allowHeader(READ_METHODS) });
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      sendPlain(res, 400, 'Bad path.');
      return;
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    // No parent segments, no dotfiles, no NUL: only the build's own files.
    if (rel.includes('\0') || rel.includes('\\') || rel.split('/').some((part) => part.startsWith('.'))) {
      sendPlain(res, 404, 'Not found.');
      return;
    }
    const file = path.resolve(root, '.' + rel);
    if (!file.startsWith(root + path.sep)) {
      sendPlain(res, 404, 'Not found.');
      return;
    }
    let data: Buffer;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      data = await readFile(file);
    } catch {
      sendPlain(res, 404, 'Not found.');
      return;
    }
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': data.length,
      'Cache-Control': rel.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  };
}
