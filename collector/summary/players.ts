/**
 * Player names as they are published: one table maps the client name a server reports
 * (`library.activePlayers` keys) to the name of the app, so one app is one row whatever its
 * builds, browsers or spellings, and no raw client text is ever published. Anything the table
 * does not know is published as "Other".
 *
 * The first rules are the facts of Navidrome's insights server (navidrome/insights,
 * summary/summary.go, `playersTypes`), with its quirks kept so both publish the same groups: most
 * of its patterns are case-sensitive and match anywhere in the name, and a few names are not counted
 * at all. There the rules are a Go map, tried in random order; here they are tried top to bottom,
 * and the ones that drop a name come before the ones that could name it. The rules after those are
 * Candor's: well-known OpenSubsonic apps, by the name they report, in any case, alone or followed by
 * a version or platform ("Symfonium", "DSub/5.5.3").
 *
 * Used in exactly two places: where a day's players are tallied (publishedPlayers), and at ingest
 * for a client name whose text may not be stored (storablePlayer: a URL, an odd spelling).
 */
import { OTHER } from './threshold';

export interface PlayerRule {
  /** Tested against the raw client name, as JavaScript's RegExp.test does (anywhere unless anchored). */
  match: RegExp;
  /** The published name, or null: not counted at all (a name that says nothing about who listens). */
  publish: string | null;
  /** Why the rule exists, in the docs' words. */
  why: string;
  from: 'insights' | 'candor';
}

const insights = (match: RegExp, publish: string | null, why: string): PlayerRule => ({ match, publish, why, from: 'insights' });
/** A known app by the name it reports: in any case, alone or followed by a version or platform. */
const app = (name: string, publish = name, spelled = name.replace(/[ _-]/g, '[ _-]?')): PlayerRule => ({
  match: new RegExp(`^${spelled}(?![a-z0-9])`, 'i'),
  publish,
  why: 'known app',
  from: 'candor',
});

export const PLAYER_RULES: readonly PlayerRule[] = [
  // Not counted (the insights server drops them before they reach any chart).
  insights(/feishin/, null, 'old Feishin builds registered a new player on every start (the current app reports "Feishin")'),
  insights(/DSubCC/, null, "DSub's Chromecast player: the same listener as their DSub"),
  insights(/bonob\+/, null, 'bonob registers one player per transcoding ("bonob+ogg")'),
  insights(/^archiver$/, null, 'one server creating a player row per request'),
  // Named.
  insights(/NavidromeUI/, 'NavidromeUI', 'Navidrome\'s own web player, one name per browser ("NavidromeUI [Firefox/Linux]")'),
  insights(/supersonic/, 'Supersonic', 'Supersonic, in lower case and with suffixes'),
  insights(/audioling/, 'Audioling', 'Audioling'),
  insights(/^AginMusic/, 'AginMusic', 'AginMusic with its build suffixes'),
  insights(/playSub/, 'play:Sub', 'play:Sub, which reports playSub plus its device'),
  insights(/eu\.callcc\.audrey/, 'audrey', 'audrey, which reports its package id'),
  insights(/https?:\/\/airsonic/, 'Airsonic Refix', 'Airsonic Refix, which reports the address it is served from'),
  insights(/multi-scrobbler/, 'Multi-Scrobbler', 'Multi-Scrobbler with its version'),
  insights(/SubMusic/, 'SubMusic', 'SubMusic with its version'),
  insights(/hiby/i, 'HiBy', 'HiBy players ("_hiby_", "HiBy Music")'),
  insights(/microSub/, 'AVSub', 'AVSub, which reports microSub'),
  insights(/Stream Music/, 'Musiver', 'Musiver, which reports Stream Music'),
  insights(/audiomuse/i, 'AudioMuse-AI', 'AudioMuse-AI with its version'),
  insights(/^psysonic/i, 'psysonic', 'psysonic with its version'),
  // Known apps that report their own name.
  app('Symfonium'),
  app('DSub'),
  app('DSub2000'),
  app('Ultrasonic'),
  app('Substreamer'),
  app('Tempo'),
  app('Tempus'),
  app('Feishin'),
  app('Sonixd'),
  app('Amperfy'),
  app('Supersonic'),
  app('Submariner'),
  app('Jamstash'),
  app('Sublime Music'),
  app('Subtracks'),
  app('Youamp'),
  app('Castafiore'),
  app('Narjo'),
  app('Arpeggi'),
  app('iSub'),
  app('Nautiline'),
  app('Strawberry'),
  app('Clementine'),
  app('MusicBee'),
  app('Tauon'),
  app('Aonsoku'),
  app('stmps'),
  app('stmp'),
  app('Audinaut'),
  app('ampcast'),
  app('Music Assistant'),
  app('bonob'),
];

/** Every name the table publishes: a stored name that is already one of them stays itself. */
const PUBLISHED = new Set(PLAYER_RULES.flatMap((rule) => (rule.publish === null ? [] : [rule.publish])));

/** The published name of a raw client name: a name from the table, OTHER, or null (not counted). */
export function publishedPlayer(client: string): string | null {
  if (PUBLISHED.has(client)) return client;
  for (const rule of PLAYER_RULES) if (rule.match.test(client)) return rule.publish;
  return OTHER;
}

/**
 * One report's players as published: keyed by published name (each app once per report, however
 * many of its builds or browsers it listed), names the table drops left out. The one place a
 * report's players meet the table before they are tallied.
 */
export function publishedPlayers(activePlayers: Readonly<Record<string, number>> | undefined): Record<string, number> | undefined {
  if (activePlayers === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const [client, count] of Object.entries(activePlayers)) {
    const name = publishedPlayer(client);
    if (name !== null) out[name] = (out[name] ?? 0) + count;
  }
  return out;
}

/**
 * At ingest, for a client name whose text the schema will not store (a URL, "_hiby_"): the
 * published name to store instead when the table names the app, undefined when it does not (then
 * the name is dropped, never stored).
 */
export function storablePlayer(client: string): string | undefined {
  const name = publishedPlayer(client);
  return name === null || name === OTHER ? undefined : name;
}
