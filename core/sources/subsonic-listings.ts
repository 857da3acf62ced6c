import { SourceProblem } from './problems';
import { PROBED_SUFFIXES, type CollectLimits } from './server-facts';
import { listOf, type SubsonicClient } from './subsonic-api';

type Row = Record<string, unknown>;

/**
 * Reads a paged listing to its end within `limits`, or gives up with `library-too-large`. The next
 * offset moves by the rows the server counted (`advance`), and the listing ends on an empty page or
 * a page with nothing new: a server that caps or ignores the page size cannot loop or cut it short.
 */
async function pageThrough(
  limits: CollectLimits,
  fetchPage: (offset: number) => Promise<Row[]>,
  take: (rows: Row[]) => { advance: number; added: number },
): Promise<void> {
  const deadline = performance.now() + limits.listingBudgetMs;
  let offset = 0;
  for (let page = 0; ; page++) {
    if (page >= limits.maxPages || performance.now() > deadline) throw new SourceProblem('library-too-large');
    const rows = await fetchPage(offset);
    if (rows.length === 0) return;
    const { advance, added } = take(rows);
    if (added === 0 || advance === 0) return;
    offset += advance;
  }
}

const rowsOf = (list: unknown[]): Row[] => list.filter((r): r is Row => r !== null && typeof r === 'object');
const idOf = (row: Row): string | null => (typeof row.id === 'string' || typeof row.id === 'number' ? String(row.id) : null);

export interface SuffixTally {
  counts: Record<string, number>;
  /** Tracks whose suffix is not in PROBED_SUFFIXES (or that have none). */
  unlisted: number;
  /** Distinct songs seen. */
  tracks: number;
}

/**
 * File formats from search3 with an empty query (OpenSubsonic: lists every song), paged. Folder
 * rows (isDir) and repeated rows are skipped: each song id counts once. `expectedTracks` (the
 * server's own count, when it gave one) decides early whether the listing can fit the limits, and
 * whether an empty answer means an empty library or a search that cannot list everything.
 */
export async function tallySuffixes(client: SubsonicClient, limits: CollectLimits, expectedTracks: number | undefined): Promise<SuffixTally> {
  if (expectedTracks !== undefined && Math.ceil(expectedTracks / limits.pageSize) > limits.maxPages) throw new SourceProblem('library-too-large');
  const suffixById = new Map<string, string>();
  const search = (query: string) => async (offset: number) => {
    const params = { query, songCount: String(limits.pageSize), songOffset: String(offset), artistCount: '0', albumCount: '0' };
    return rowsOf(listOf((await client.call('search3', params)).body, 'searchResult3', 'song'));
  };
  const take = (rows: Row[]) => {
    const songs = rows.filter((row) => row.isDir !== true);
    let added = 0;
    for (const song of songs) {
      const id = idOf(song);
      if (id === null || suffixById.has(id)) continue;
      suffixById.set(id, typeof song.suffix === 'string' ? song.suffix.toLowerCase() : '');
      added++;
    }
    return { advance: songs.length, added };
  };
  // `query=""` is OpenSubsonic's "everything"; some servers only understand a truly empty query.
  await pageThrough(limits, search('""'), take);
  if (suffixById.size === 0 && expectedTracks !== 0) await pageThrough(limits, search(''), take);
  if (suffixById.size === 0 && expectedTracks !== undefined && expectedTracks > 0) throw new SourceProblem('search-all-unsupported');

  const counts: Record<string, number> = {};
  let unlisted = 0;
  for (const suffix of suffixById.values()) {
    if ((PROBED_SUFFIXES as readonly string[]).includes(suffix)) counts[suffix] = (counts[suffix] ?? 0) + 1;
    else unlisted++;
  }
  return { counts, unlisted, tracks: suffixById.size };
}

/** Albums: the `x-total-count` header where the server sends one (Navidrome), else distinct ids over the list. */
export async function countAlbums(client: SubsonicClient, limits: CollectLimits): Promise<number> {
  let headerTotal: number | null = null;
  const ids = new Set<string>();
  await pageThrough(
    limits,
    async (offset) => {
      const { body, headers } = await client.call('getAlbumList2', { type: 'alphabeticalByName', size: String(limits.pageSize), offset: String(offset) });
      const total = Number(headers['x-total-count']);
      if (offset === 0 && headers['x-total-count'] !== undefined && Number.isSafeInteger(total) && total >= 0) {
        headerTotal = total;
        return [];
      }
      return rowsOf(listOf(body, 'albumList2', 'album'));
    },
    (rows) => {
      const before = ids.size;
      for (const row of rows) {
        const id = idOf(row);
        if (id !== null) ids.add(id);
      }
      return { advance: rows.length, added: ids.size - before };
    },
  );
  return headerTotal ?? ids.size;
}
