import { describe, expect, it } from 'vitest';
import { createSseParser, type SseMessage } from '../../../renderer/api/sse';
import { takeToken } from '../../../renderer/api/token';

describe('server-sent events parser', () => {
  it('handles messages split anywhere, CRLF, comments, multi-line data and ids', () => {
    const got: SseMessage[] = [];
    const parser = createSseParser((m) => got.push(m));
    const text = 'retry: 2000\r\n\r\n: keep-alive\n\nid: 1\ndata: {"a":\ndata: 1}\n\nevent: other\ndata:x\n\n';
    for (const ch of text) parser.push(ch);
    expect(got).toEqual([
      { event: 'message', data: '{"a":\n1}', id: '1' },
      { event: 'other', data: 'x', id: '1' },
    ]);
  });
});

function fakeWindow(href: string) {
  const replaced: string[] = [];
  const store = new Map<string, string>();
  return {
    location: { href },
    history: { replaceState: (_d: unknown, _u: string, url?: string | URL | null) => void replaced.push(String(url)) },
    storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
    replaced,
    store,
  };
}

describe('takeToken', () => {
  const token = 'q1uh-itmqSuabWICG2d0V7-FiPte8rMIvEFUWJaBt3g';

  it('reads the secret from the fragment, removes it from the address bar and keeps it for reloads', () => {
    const w = fakeWindow(`http://127.0.0.1:4000/#token=${token}`);
    expect(takeToken(w.location, w.history, w.storage)).toBe(token);
    expect(w.replaced).toEqual(['/#/']);
    expect(w.store.get('candor.token')).toBe(token);
    // A reload (no token in the URL) finds it again.
    expect(takeToken({ href: 'http://127.0.0.1:4000/#/history' }, w.history, w.storage)).toBe(token);
  });

  it('keeps the screen named before the secret, and accepts ?token= too', () => {
    const w = fakeWindow(`http://127.0.0.1:4000/#/history?token=${token}`);
    expect(takeToken(w.location, w.history, w.storage)).toBe(token);
    expect(w.replaced).toEqual(['/#/history']);
    const q = fakeWindow(`http://127.0.0.1:4000/?token=${token}`);
    expect(takeToken(q.location, q.history, q.storage)).toBe(token);
    expect(q.replaced).toEqual(['/#/']);
  });

  it('refuses a malformed secret but still scrubs it from the address bar', () => {
    const w = fakeWindow('http://127.0.0.1:4000/#token=<script>');
    expect(takeToken(w.location, w.history, w.storage)).toBeNull();
    expect(w.replaced).toEqual(['/#/']);
    expect(w.store.size).toBe(0);
  });

  it('works without history or storage (sandboxed contexts)', () => {
    expect(takeToken({ href: `file:///app/index.html#token=${token}` }, null, null)).toBe(token);
    expect(takeToken({ href: 'file:///app/index.html' }, null, null)).toBeNull();
  });
});
