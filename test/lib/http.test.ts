/**
 * lib/http: the HTTP primitives both servers share. A leaf: it depends on Node alone, and nothing
 * in either server reaches into Node's private fields.
 */
import { describe, expect, it } from 'vitest';
import { effectivePort, parseAuthority, parseOrigin } from '../../lib/http/host';
import { sourceOf, tsFiles } from '../support/source-files';

const files = tsFiles;
const source = sourceOf;

describe('Host and Origin parsing', () => {
  it.each([
    ['127.0.0.1:8080', { name: '127.0.0.1', port: 8080 }],
    ['LOCALHOST:8080', { name: 'localhost', port: 8080 }],
    ['[::1]:65535', { name: '[::1]', port: 65535 }],
    ['collector.example', { name: 'collector.example', port: null }],
  ])('reads %s', (value, expected) => {
    expect(parseAuthority(value)).toEqual(expected);
  });

  it.each([
    '127.0.0.1:08080',
    '127.0.0.1:+8080',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:',
    '127.0.0.1:8080 ',
    'localhost.:8080',
    'a b',
    '[::1',
    'user@host',
    '127.0.0.1:8080/',
    '',
  ])('refuses %j', (value) => {
    expect(parseAuthority(value)).toBeNull();
  });

  it('fills in the default port of the scheme', () => {
    expect(effectivePort(parseAuthority('example.org')!)).toBe(80);
    expect(effectivePort(parseAuthority('example.org')!, 'https')).toBe(443);
  });

  it('reads origins only as browsers serialize them', () => {
    expect(parseOrigin('http://127.0.0.1:8080')).toEqual({ scheme: 'http', name: '127.0.0.1', port: 8080 });
    expect(parseOrigin('https://collector.example')).toEqual({ scheme: 'https', name: 'collector.example', port: null });
    for (const bad of [
      'http://127.0.0.1:08080',
      'http://127.0.0.1:80',
      'http://127.0.0.1:8080/',
      'http://u@127.0.0.1:8080',
      'null',
      'file://x',
      'http://127.0.0.1:8080?x',
      undefined,
    ]) {
      expect(parseOrigin(bad), String(bad)).toBeNull();
    }
  });
});

describe('lib/http as a leaf', () => {
  const lib = files('lib/http');

  it('imports only Node built-ins and its own files', () => {
    const imports = lib.flatMap((file) => [...source(file).matchAll(/from\s+'([^']+)'/g)].map((m) => `${file}: ${m[1]}`));
    expect(imports.filter((line) => !/: (node:[a-z_/]+|\.\/[a-z-]+)$/.test(line))).toEqual([]);
  });

  it('is used by both servers', () => {
    const users = (dir: string) => files(dir).filter((f) => source(f).includes('lib/http/'));
    expect(users('collector').length).toBeGreaterThan(0);
    expect(users('headless/serve').length).toBeGreaterThan(0);
  });

  it("no server reads Node's private socket fields", () => {
    const all = [...lib, ...files('collector'), ...files('headless')];
    expect(all.filter((f) => /\._httpMessage|\._handle\b|\._parent\b/.test(source(f)))).toEqual([]);
  });
});
