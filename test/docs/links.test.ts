/**
 * The documents as a newcomer meets them: a README short enough to read (quick start, commands,
 * configuration, consent, what is sent, how to test), an index naming every document, and no link
 * between them that leads nowhere (a file or a heading that is not there).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const DOCUMENTS = [
  'README.md',
  'ARCHITECTURE.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (markdown: string) => new Set([...markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));

describe('the documents', () => {
  it('keep the README under 15 kB, with the sections a self-hoster and a contributor need', () => {
    const readme = read('README.md');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(15_000);
    const sections = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(sections).toEqual(expect.arrayContaining(['Quick start', 'Commands', 'Configuration', 'Consent', 'What is sent', 'How to test']));
  });

  it('list every document in the index', () => {
    const index = read('docs/README.md');
    for (const doc of DOCUMENTS.filter((d) => d !== 'docs/README.md')) {
      expect(index, doc).toContain(`](${path.posix.relative('docs', doc)})`);
    }
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const doc of DOCUMENTS) {
      for (const [, target] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [file, hash] = target!.split('#') as [string, string | undefined];
        const resolved = file ? path.posix.normalize(path.posix.join(path.posix.dirname(doc), file)) : doc;
        if (!existsSync(path.join(root, resolved))) broken.push(`${doc}: ${target}`);
        else if (hash && resolved.endsWith('.md') && !anchorsOf(read(resolved)).has(hash)) broken.push(`${doc}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('would see a heading that is not there', () => {
    expect(anchorsOf('# A title\n## What is sent\n```sh\n# not a heading\n```\n## Levels, exports and search')).toEqual(
      new Set(['a-title', 'what-is-sent', 'levels-exports-and-search']),
    );
  });
});
