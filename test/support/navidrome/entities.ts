/**
 * Seed rows -> the JSON Navidrome's native API emits (model/*.go json tags), plus who may see what
 * (persistence/*_repository.go: library filter, ownership, public playlists).
 */
import type { NavidromeSeed, SeedAlbum, SeedArtist, SeedLibrary, SeedPlayer, SeedPlaylist, SeedRadio, SeedShare, SeedSong, SeedUser } from './seed';
import { ALL_ROLES } from './seed';
import { GO_ZERO_TIME, goTime } from './util';

export type Json = Record<string, unknown>;

/** Admins get every library (user_repository Put auto-assigns); others their user_library rows. */
export function userLibraryIds(seed: NavidromeSeed, user: SeedUser): number[] {
  const all = seed.libraries.map((l) => l.id);
  return user.isAdmin ? all : all.filter((id) => user.libraryIds.includes(id));
}

export function findUserByName(seed: NavidromeSeed, name: string): SeedUser | undefined {
  const lower = name.toLowerCase(); // user_name = ? COLLATE NOCASE
  return seed.users.find((u) => u.userName.toLowerCase() === lower);
}

export interface LibraryTotals {
  totalSongs: number;
  totalAlbums: number;
  totalArtists: number;
  totalMissingFiles: number;
  totalSize: number;
  totalDuration: number;
}

/** libraryRepository.RefreshStats: what the last scan stored (missing rows excluded). */
export function libraryTotals(seed: NavidromeSeed, libId: number): LibraryTotals {
  const songs = seed.songs.filter((s) => s.libraryId === libId);
  const albums = seed.albums.filter((a) => a.libraryId === libId && !a.missing);
  return {
    totalSongs: songs.filter((s) => !s.missing).length,
    totalAlbums: albums.length,
    totalArtists: seed.artists.filter((a) => !a.missing && a.libraryIds.includes(libId)).length,
    totalMissingFiles: songs.filter((s) => s.missing).length,
    totalSize: albums.reduce((t, a) => t + a.size, 0),
    totalDuration: albums.reduce((t, a) => t + a.duration, 0),
  };
}

export function libraryJson(seed: NavidromeSeed, l: SeedLibrary): Json {
  const t = libraryTotals(seed, l.id);
  return {
    id: l.id,
    name: l.name,
    path: l.path,
    remotePath: l.remotePath ?? '',
    lastScanAt: goTime(l.lastScanAt) ?? GO_ZERO_TIME,
    lastScanStartedAt: goTime(l.lastScanStartedAt) ?? GO_ZERO_TIME,
    fullScanInProgress: l.fullScanInProgress ?? false,
    updatedAt: goTime(l.updatedAt),
    createdAt: goTime(l.createdAt),
    totalSongs: t.totalSongs,
    totalAlbums: t.totalAlbums,
    totalArtists: t.totalArtists,
    totalFolders: l.totalFolders,
    totalFiles: l.totalFiles,
    totalMissingFiles: t.totalMissingFiles,
    totalSize: t.totalSize,
    totalDuration: t.totalDuration,
    defaultNewUsers: l.defaultNewUsers ?? false,
  };
}

/**
 * The user's `libraries` come from a json_object with snake_case keys decoded into model.Library,
 * whose json tags are camelCase: only id, name and path survive; everything else is a zero value.
 */
function userLibraryJson(l: SeedLibrary): Json {
  return {
    id: l.id,
    name: l.name,
    path: l.path,
    remotePath: '',
    lastScanAt: GO_ZERO_TIME,
    lastScanStartedAt: GO_ZERO_TIME,
    fullScanInProgress: false,
    updatedAt: GO_ZERO_TIME,
    createdAt: GO_ZERO_TIME,
    totalSongs: 0,
    totalAlbums: 0,
    totalArtists: 0,
    totalFolders: 0,
    totalFiles: 0,
    totalMissingFiles: 0,
    totalSize: 0,
    totalDuration: 0,
    defaultNewUsers: false,
  };
}

export function userJson(seed: NavidromeSeed, u: SeedUser): Json {
  const libs = seed.libraries.filter((l) => userLibraryIds(seed, u).includes(l.id));
  const out: Json = {
    id: u.id,
    userName: u.userName,
    name: u.name,
    email: u.email,
    isAdmin: u.isAdmin,
    lastLoginAt: goTime(u.lastLoginAt),
    lastAccessAt: goTime(u.lastAccessAt),
    createdAt: goTime(u.createdAt),
    updatedAt: goTime(u.updatedAt),
    scrobbleFilter: '',
  };
  if (libs.length > 0) out.libraries = libs.map(userLibraryJson); // omitempty
  return out;
}

export function playerJson(seed: NavidromeSeed, p: SeedPlayer): Json {
  const owner = seed.users.find((u) => u.id === p.userId);
  return {
    userName: owner?.userName ?? '',
    id: p.id,
    name: p.name,
    userAgent: p.userAgent,
    userId: p.userId,
    client: p.client,
    ip: p.ip,
    lastSeen: goTime(p.lastSeen),
    transcodingId: p.transcodingId ?? '',
    maxBitRate: p.maxBitRate ?? 0,
    reportRealPath: p.reportRealPath ?? false,
    scrobbleEnabled: p.scrobbleEnabled ?? true,
  };
}

function libraryOf(seed: NavidromeSeed, id: number): SeedLibrary | undefined {
  return seed.libraries.find((l) => l.id === id);
}

function participants(role: string, id: string, name: string): Json {
  return { [role]: [{ id, name, missing: false }] };
}

export function songJson(seed: NavidromeSeed, s: SeedSong): Json {
  const lib = libraryOf(seed, s.libraryId);
  return {
    id: s.id,
    libraryId: s.libraryId,
    libraryPath: lib?.path ?? '',
    libraryName: lib?.name ?? '',
    folderId: `fo-${s.albumId}`,
    path: s.path,
    title: s.title,
    album: s.album,
    artistId: s.artistId,
    artist: s.artist,
    albumArtistId: s.albumArtistId,
    albumArtist: s.albumArtist,
    albumId: s.albumId,
    hasCoverArt: false,
    trackNumber: s.trackNumber,
    discNumber: s.discNumber,
    year: s.year,
    originalYear: 0,
    releaseYear: 0,
    size: s.size,
    suffix: s.suffix,
    duration: s.duration,
    bitRate: s.bitRate,
    sampleRate: 44100,
    channels: 2,
    codec: s.suffix.toUpperCase(),
    genre: s.genre,
    orderTitle: s.title.toLowerCase(),
    orderAlbumName: s.album.toLowerCase(),
    orderArtistName: s.artist.toLowerCase(),
    orderAlbumArtistName: s.albumArtist.toLowerCase(),
    compilation: false,
    lyrics: '[]',
    explicitStatus: '',
    rgAlbumGain: null,
    rgAlbumPeak: null,
    rgTrackGain: null,
    rgTrackPeak: null,
    participants: { ...participants('albumartist', s.albumArtistId, s.albumArtist), ...participants('artist', s.artistId, s.artist) },
    missing: s.missing,
    birthTime: goTime(s.createdAt),
    createdAt: goTime(s.createdAt),
    updatedAt: goTime(s.updatedAt),
  };
}

export function albumJson(seed: NavidromeSeed, a: SeedAlbum): Json {
  const lib = libraryOf(seed, a.libraryId);
  const out: Json = {};
  if (a.playCount) out.playCount = a.playCount; // Annotations are omitempty
  if (a.playDate) out.playDate = goTime(a.playDate);
  if (a.rating) out.rating = a.rating;
  if (a.starred) out.starred = true;
  return Object.assign(out, {
    id: a.id,
    libraryId: a.libraryId,
    libraryPath: lib?.path ?? '',
    libraryName: lib?.name ?? '',
    name: a.name,
    albumArtistId: a.albumArtistId,
    albumArtist: a.albumArtist,
    maxYear: a.maxYear,
    minYear: a.maxYear,
    maxOriginalYear: 0,
    minOriginalYear: 0,
    compilation: a.compilation,
    songCount: a.songCount,
    duration: a.duration,
    size: a.size,
    orderAlbumName: a.name.toLowerCase(),
    orderAlbumArtistName: a.albumArtist.toLowerCase(),
    explicitStatus: '',
    rgAlbumGain: null,
    rgAlbumPeak: null,
    externalInfoUpdatedAt: null,
    genre: a.genre,
    genres: [{ id: `ge-${a.genre.toLowerCase()}`, name: a.genre }],
    participants: participants('albumartist', a.albumArtistId, a.albumArtist),
    missing: a.missing,
    importedAt: goTime(a.updatedAt),
    createdAt: goTime(a.createdAt),
    updatedAt: goTime(a.updatedAt),
  });
}

export function artistVisible(a: SeedArtist, libs: number[]): boolean {
  return a.libraryIds.some((id) => libs.includes(id)); // JOIN library_artist (+ user_library)
}

export function artistJson(a: SeedArtist): Json {
  const stats: Json = {};
  for (const role of ALL_ROLES) if (a.roles[role]) stats[role] = { ...a.roles[role] };
  const out: Json = { id: a.id, name: a.name, orderArtistName: a.name.toLowerCase().replace(/^the /, '') };
  if (a.mbzArtistId) out.mbzArtistId = a.mbzArtistId;
  if (Object.keys(stats).length) out.stats = stats;
  if (a.size) out.size = a.size; // omitempty
  if (a.albumCount) out.albumCount = a.albumCount;
  if (a.songCount) out.songCount = a.songCount;
  out.missing = a.missing;
  return out;
}

export function playlistVisible(p: SeedPlaylist, user: SeedUser): boolean {
  return user.isAdmin || p.public || p.ownerId === user.id; // playlistRepository.userFilter
}

export function playlistJson(seed: NavidromeSeed, p: SeedPlaylist): Json {
  return {
    id: p.id,
    name: p.name,
    comment: p.comment,
    duration: p.duration,
    size: p.size,
    songCount: p.songCount,
    ownerName: seed.users.find((u) => u.id === p.ownerId)?.userName ?? '',
    ownerId: p.ownerId,
    public: p.public,
    path: p.path,
    sync: p.sync,
    uploadedImage: '',
    createdAt: goTime(p.createdAt),
    updatedAt: goTime(p.updatedAt),
    rules: p.rules,
    evaluatedAt: goTime(p.evaluatedAt),
  };
}

/** shareRepository.ReadAll: share.* + username; no tracks/albums (loadMedia runs only in Get/GetAll). */
export function shareJson(seed: NavidromeSeed, s: SeedShare): Json {
  const out: Json = { id: s.id, userId: s.userId, username: seed.users.find((u) => u.id === s.userId)?.userName ?? '' };
  if (s.description) out.description = s.description;
  out.downloadable = s.downloadable;
  if (s.expiresAt) out.expiresAt = goTime(s.expiresAt);
  if (s.lastVisitedAt) out.lastVisitedAt = goTime(s.lastVisitedAt);
  if (s.resourceIds) out.resourceIds = s.resourceIds;
  if (s.resourceType) out.resourceType = s.resourceType;
  if (s.contents) out.contents = s.contents;
  if (s.format) out.format = s.format;
  if (s.maxBitRate) out.maxBitRate = s.maxBitRate;
  if (s.visitCount) out.visitCount = s.visitCount;
  out.createdAt = goTime(s.createdAt);
  out.updatedAt = goTime(s.updatedAt);
  return out;
}

export function radioJson(r: SeedRadio): Json {
  const out: Json = { id: r.id, streamUrl: r.streamUrl, name: r.name, homePageUrl: r.homePageUrl };
  if (r.uploadedImage) out.uploadedImage = r.uploadedImage;
  out.createdAt = goTime(r.createdAt);
  out.updatedAt = goTime(r.updatedAt);
  return out;
}
