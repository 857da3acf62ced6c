/**
 * A Subsonic JSON answer as the server tests read it: everything sits under `subsonic-response`,
 * and each part below is there only for the method that returns it.
 */
export interface SubsonicResponse {
  status: string;
  version?: string;
  type?: string;
  serverVersion?: string;
  openSubsonic?: boolean;
  error?: { code: number; message: string };
  scanStatus?: { scanning: boolean; count?: number };
  albumList2?: { album: Array<{ name: string }> };
  users?: { user: unknown[] };
  openSubsonicExtensions?: Array<{ name: string }>;
  musicFolders?: { musicFolder: Array<{ id: number; name: string }> };
  searchResult3?: { song?: Array<{ suffix: string }> };
  artists?: { index: Array<{ name: string; artist: unknown[] }> };
  playlists?: { playlist: unknown[] };
}

/** The `subsonic-response` of a JSON answer (`f=json`). */
export async function subsonicBody(res: Response): Promise<SubsonicResponse> {
  return ((await res.json()) as { 'subsonic-response': SubsonicResponse })['subsonic-response'];
}
