import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseLevel, type CategoriesSetting, type LevelSetting } from '../consent/consent';
import { parseSwitch, shownValue, type Switch } from '../consent/switch';
import { CATEGORY_WORDS, type PolicyCategory } from '../../shared/schema/levels';
import { MIB, OddFileError, readRegularTextSync } from '../storage/regular-file';

/** A config file is a few lines: anything larger is refused unread. */
const MAX_CONFIG_BYTES = MIB;

/**
 * Candor's own config file (TOML), fixed by the administrator. Anything set here wins over what
 * the UI stores, and the UI shows it as locked.
 *
 *   [insights]  enabled = true|false, endpoint = "https://…/collect"
 *   [server]    url, username, password | password_file, config_file
 *   [history]   retention_days = 365
 */
export interface CandorConfig {
  /** The file read, or null when there is none. */
  path: string | null;
  /** The file exists but could not be read or parsed: treated as an opt-out until fixed. */
  unreadable: boolean;
  /** CANDOR_CONFIG names a file that does not exist: held as unreadable (it may hold the opt-out). */
  missing?: true;
  /** `[insights] enabled`: a boolean, or a value written otherwise (understood where it can be, else held as an opt-out). */
  insightsEnabled?: Switch;
  /** `[insights] level`: full, basic, local or off. */
  insightsLevel?: LevelSetting;
  /** `[insights] categories`: the policy categories that may be shared. */
  insightsCategories?: CategoriesSetting;
  endpoint?: string;
  server: { url?: string; username?: string; password?: string; passwordFile?: string; configFile?: string };
  historyRetentionDays?: number;
  /** Ignored keys and wrong types, in words. */
  problems: string[];
}

const KNOWN: Record<string, Record<string, 'boolean' | 'string' | 'integer' | 'array'>> = {
  insights: { enabled: 'boolean', endpoint: 'string', level: 'string', categories: 'array' },
  server: { url: 'string', username: 'string', password: 'string', password_file: 'string', config_file: 'string' },
  history: { retention_days: 'integer' },
};

/** Where Candor keeps its data when CANDOR_HOME does not say: each platform's usual place. Both shells share it. */
export function defaultHome(env: Record<string, string | undefined> = process.env): string {
  if (env.CANDOR_HOME) return path.resolve(env.CANDOR_HOME);
  if (process.platform === 'win32') return path.join(env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'), 'Candor');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'Candor');
  return path.join(env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'candor');
}

export function candorConfigPath(env: Record<string, string | undefined>, home: string): string {
  return env.CANDOR_CONFIG ? path.resolve(env.CANDOR_CONFIG) : path.join(home, 'candor.toml');
}

/**
 * The config file every shell reads: CANDOR_CONFIG, else `candor.toml` in the data folder. A file
 * the administrator named that is not there is said out loud and holds sharing off, as a file that
 * cannot be read does: it may be where the opt-out was written.
 */
export function readCandorConfig(env: Record<string, string | undefined>, home: string): CandorConfig {
  const file = candorConfigPath(env, home);
  const config = loadCandorConfig(file);
  if (config.path !== null || !env.CANDOR_CONFIG) return config;
  return {
    ...config,
    path: file,
    unreadable: true,
    missing: true,
    problems: [`CANDOR_CONFIG names ${file}, which does not exist: sharing is held off until that file is there or CANDOR_CONFIG is unset.`],
  };
}

export function loadCandorConfig(file: string): CandorConfig {
  const config: CandorConfig = { path: null, unreadable: false, server: {}, problems: [] };
  let text: string;
  try {
    text = readRegularTextSync(file, MAX_CONFIG_BYTES);
  } catch (error) {
    // ENOTDIR: a file stands where a folder on the way should be: no config file can be there.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return config;
    const why = error instanceof OddFileError ? error.message : `The config file ${file} could not be read`;
    return { ...config, path: file, unreadable: true, problems: [`${why}: sharing is held off until it is fixed.`] };
  }
  config.path = file;
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text);
  } catch (error) {
    const line = (error as { line?: number }).line;
    return {
      ...config,
      unreadable: true,
      problems: [`The config file ${file} is not valid TOML${line ? ` (line ${line})` : ''}: sharing is held off until it is fixed.`],
    };
  }
  const value = (section: string, key: string): unknown => {
    const table = doc[section];
    return table && typeof table === 'object' ? (table as Record<string, unknown>)[key] : undefined;
  };
  for (const [section, table] of Object.entries(doc)) {
    if (!KNOWN[section] || typeof table !== 'object' || table === null) {
      config.problems.push(`Unknown setting [${section}] ignored.`);
      continue;
    }
    for (const [key, v] of Object.entries(table)) {
      const want = KNOWN[section][key];
      if (!want) config.problems.push(`Unknown setting ${section}.${key} ignored.`);
      else if (section === 'insights' && (key === 'enabled' || key === 'level' || key === 'categories'))
        continue; // explained below, with what it was read as
      else if (want === 'integer' ? !Number.isInteger(v) : typeof v !== want)
        config.problems.push(`${section}.${key} must be ${want === 'integer' ? 'a whole number' : `a ${want}`}; ignored.`);
    }
  }
  const level = readLevel(value('insights', 'level'));
  if (level !== undefined) config.insightsLevel = level;
  if (typeof level === 'object')
    config.problems.push(`insights.level = ${level.notUnderstood} is not understood (write full, basic, local or off); sharing is held off until it is fixed.`);
  const categories = readCategories(value('insights', 'categories'));
  if (categories !== undefined) config.insightsCategories = categories;
  if (categories !== undefined && !Array.isArray(categories))
    config.problems.push(
      `insights.categories = ${categories.notUnderstood} is not understood (a list of application, system, library, configuration); sharing is held off until it is fixed.`,
    );
  const str = (section: string, key: string) => (typeof value(section, key) === 'string' ? (value(section, key) as string) : undefined);
  const relative = (p: string | undefined) => (p ? path.resolve(path.dirname(file), p) : undefined);
  const enabled = readSwitch(value('insights', 'enabled'));
  if (enabled !== undefined) config.insightsEnabled = enabled;
  if (enabled !== undefined && typeof value('insights', 'enabled') !== 'boolean') {
    config.problems.push(
      typeof enabled === 'boolean'
        ? `insights.enabled should be true or false without quotes; it was read as ${enabled}.`
        : `insights.enabled = ${enabled.notUnderstood} is not understood (write true or false); sharing is held off until it is fixed.`,
    );
  }
  const assign = <T extends object, K extends keyof T>(target: T, key: K, v: T[K] | undefined) => {
    if (v !== undefined) target[key] = v;
  };
  assign(config, 'endpoint', str('insights', 'endpoint'));
  assign(config.server, 'url', str('server', 'url'));
  assign(config.server, 'username', str('server', 'username'));
  assign(config.server, 'password', str('server', 'password'));
  assign(config.server, 'passwordFile', relative(str('server', 'password_file')));
  assign(config.server, 'configFile', relative(str('server', 'config_file')));
  const days = value('history', 'retention_days');
  if (Number.isInteger(days) && (days as number) >= 1 && (days as number) <= 3650) config.historyRetentionDays = days as number;
  return config;
}

/**
 * `enabled = "false"`, `enabled = 0` or `enabled = "off"` mean what they say, though TOML wants a
 * bare boolean; anything else that is present is kept as written and holds sharing off.
 */
function readSwitch(raw: unknown): Switch | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' || typeof raw === 'number') return parseSwitch(String(raw)) ?? { notUnderstood: shownValue(JSON.stringify(raw)) };
  return { notUnderstood: written(raw) };
}

/** A TOML value as the file has it, for a message. */
function written(raw: unknown): string {
  return shownValue(JSON.stringify(raw) ?? typeof raw);
}

function readLevel(raw: unknown): LevelSetting | undefined {
  if (raw === undefined) return undefined;
  const level = typeof raw === 'string' ? parseLevel(raw) : typeof raw === 'boolean' ? (raw ? 'full' : 'off') : undefined;
  return level ?? { notUnderstood: written(raw) };
}

function readCategories(raw: unknown): CategoriesSetting | undefined {
  if (raw === undefined) return undefined;
  const words = Array.isArray(raw) && raw.every((w) => typeof w === 'string') ? raw.map((w) => CATEGORY_WORDS[w.trim().toLowerCase()]) : null;
  if (words && words.every((w): w is PolicyCategory => w !== undefined)) return words;
  return { notUnderstood: written(raw) };
}
