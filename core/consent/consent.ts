import type { ConsentState, ShellKind, StoredChoice } from '../../shared/api-contract';
import { fieldsFor, normalizeCategories, POLICY_CATEGORIES, PRESETS, presetOf, type Level, type PolicyCategory } from '../../shared/schema/levels';
import { parseSwitch, shownValue, type Switch } from './switch';

/** Headless and unanswered: the first report waits this long after first start, so the notice can be read. */
export const HEADLESS_GRACE_MS = 30 * 60 * 1000;

/** A level as written in a config file or the environment: understood, or kept as written. */
export type LevelSetting = Level | { notUnderstood: string };
/** `[insights] categories` as written: understood, or kept as written. */
export type CategoriesSetting = PolicyCategory[] | { notUnderstood: string };

export interface ConfigLevelChoice {
  /** From the command line (`--share` / `--no-share`, or `--share=<value>`). */
  cliFlag?: Switch;
  /** The process environment (`DO_NOT_TRACK`, `CANDOR_INSIGHTS_ENABLED`, `CANDOR_INSIGHTS_LEVEL`). */
  env: Record<string, string | undefined>;
  /** `[insights]` in Candor's config file, and the file's path for the label. */
  configFile?: { enabled?: Switch; level?: LevelSetting; categories?: CategoriesSetting; path: string; unreadable?: boolean; missing?: boolean };
}

export interface ConsentInputs extends ConfigLevelChoice {
  storedChoice: StoredChoice | null;
  /** The categories stored with the answer; none stored means all four. */
  storedCategories?: readonly PolicyCategory[] | null;
  shell: ShellKind;
  /** When a long-running shell first started (null: none has yet, so the grace period has not begun). */
  firstStartAt: number | null;
  now: number;
  /** Fields approved with the last "yes" (null: never approved explicitly). */
  approvedFields: readonly string[] | null;
}

/** What one setting allows: whether reports are built, whether they leave, and with which categories. */
interface Vote {
  built: boolean;
  leaves: boolean;
  categories: readonly PolicyCategory[];
  decidedBy: ConsentState['decidedBy'];
  label: string;
}

const HELD = 'is not understood, so sharing is held off';
const OFF = { built: false, leaves: false, categories: [] as PolicyCategory[] };
const ON = { built: true, leaves: true, categories: POLICY_CATEGORIES };

/** `DO_NOT_TRACK` set to anything but empty or `0` means "off" (the console-do-not-track convention). */
export function doNotTrack(env: Record<string, string | undefined>): boolean {
  const value = env.DO_NOT_TRACK?.trim();
  return value !== undefined && value !== '' && value !== '0';
}

/** A level written as text: a level name, or any yes/no word (yes = full, no = off). */
export function parseLevel(raw: string): Level | undefined {
  const value = raw.trim().toLowerCase();
  if (value === 'full' || value === 'basic' || value === 'local' || value === 'off') return value;
  const yes = parseSwitch(value);
  return yes === undefined ? undefined : yes ? 'full' : 'off';
}

function levelVote(level: Level): Omit<Vote, 'decidedBy' | 'label'> {
  if (level === 'off') return OFF;
  if (level === 'local') return { built: true, leaves: false, categories: POLICY_CATEGORIES };
  return { built: true, leaves: true, categories: PRESETS[level] };
}

/**
 * The config-level settings, most specific first. Together they decide, locked; where several
 * speak, the most private wins (an opt-out anywhere is never undone by a setting elsewhere). A
 * value meant as a setting but not understood counts as "off": it may have been meant as an opt-out.
 */
function configVotes(inputs: ConfigLevelChoice): Vote[] {
  const votes: Vote[] = [];
  const flag = inputs.cliFlag;
  if (typeof flag === 'boolean') votes.push({ ...(flag ? ON : OFF), decidedBy: 'cli-flag', label: flag ? 'the --share flag' : 'the --no-share flag' });
  else if (flag) votes.push({ ...OFF, decidedBy: 'cli-flag', label: `--share=${flag.notUnderstood} ${HELD}` });

  const env = inputs.env;
  if (doNotTrack(env)) votes.push({ ...OFF, decidedBy: 'environment', label: `DO_NOT_TRACK=${shownValue(env.DO_NOT_TRACK ?? '')} in the environment` });
  const enabled = env.CANDOR_INSIGHTS_ENABLED;
  if (enabled !== undefined && enabled.trim() !== '') {
    const on = parseSwitch(enabled);
    const shown = `CANDOR_INSIGHTS_ENABLED=${shownValue(enabled)} in the environment`;
    votes.push(
      on === undefined ? { ...OFF, decidedBy: 'environment', label: `${shown} ${HELD}` } : { ...(on ? ON : OFF), decidedBy: 'environment', label: shown },
    );
  }
  const levelText = env.CANDOR_INSIGHTS_LEVEL;
  if (levelText !== undefined && levelText.trim() !== '') {
    const level = parseLevel(levelText);
    const shown = `CANDOR_INSIGHTS_LEVEL=${shownValue(levelText)} in the environment`;
    votes.push(
      level === undefined ? { ...OFF, decidedBy: 'environment', label: `${shown} ${HELD}` } : { ...levelVote(level), decidedBy: 'environment', label: shown },
    );
  }

  const file = inputs.configFile;
  if (!file) return votes;
  const where = `in ${file.path}`;
  if (file.missing) {
    // Named but not there: it may be the file that holds the opt-out.
    votes.push({
      ...OFF,
      decidedBy: 'config-file',
      label: `CANDOR_CONFIG naming ${file.path}, which does not exist (sharing is held off until it is there or CANDOR_CONFIG is unset)`,
    });
    return votes;
  }
  if (file.unreadable) {
    // A file we cannot read may hold an opt-out: hold off until it is fixed.
    votes.push({ ...OFF, decidedBy: 'config-file', label: `${file.path} (unreadable, so sharing is held off until it is fixed)` });
    return votes;
  }
  if (typeof file.enabled === 'boolean')
    votes.push({ ...(file.enabled ? ON : OFF), decidedBy: 'config-file', label: `[insights] enabled = ${file.enabled} ${where}` });
  else if (file.enabled)
    votes.push({ ...OFF, decidedBy: 'config-file', label: `[insights] enabled = ${file.enabled.notUnderstood} ${where} ${HELD} (write true or false)` });
  if (typeof file.level === 'string') votes.push({ ...levelVote(file.level), decidedBy: 'config-file', label: `[insights] level = "${file.level}" ${where}` });
  else if (file.level)
    votes.push({
      ...OFF,
      decidedBy: 'config-file',
      label: `[insights] level = ${file.level.notUnderstood} ${where} ${HELD} (write full, basic, local or off)`,
    });
  if (Array.isArray(file.categories)) {
    votes.push({
      ...ON,
      categories: normalizeCategories(file.categories),
      decidedBy: 'config-file',
      label: `[insights] categories = [${file.categories.map((c) => `"${c}"`).join(', ')}] ${where}`,
    });
  } else if (file.categories) {
    votes.push({ ...OFF, decidedBy: 'config-file', label: `[insights] categories = ${file.categories.notUnderstood} ${where} ${HELD}` });
  }
  return votes;
}

/** The most private of the votes: nothing built beats kept locally beats sent; categories narrow to those all allow. */
function mostPrivate(votes: Vote[]): Vote {
  const built = votes.every((v) => v.built);
  const leaves = built && votes.every((v) => v.leaves);
  const categories = built ? POLICY_CATEGORIES.filter((c) => votes.every((v) => v.categories.includes(c))) : [];
  // Name the settings that made it so: those that said "off", else "local", else that narrowed it.
  const deciding = !built
    ? votes.filter((v) => !v.built)
    : !leaves
      ? votes.filter((v) => !v.leaves)
      : votes.filter((v) => v.categories.length < POLICY_CATEGORIES.length);
  const named = deciding.length > 0 ? deciding : votes;
  return { built, leaves, categories: normalizeCategories(categories), decidedBy: named[0]!.decidedBy, label: named.map((v) => v.label).join(' and ') };
}

/** The categories stored with the answer: none stored means all four. */
function storedCategories(inputs: ConsentInputs): PolicyCategory[] {
  return normalizeCategories(inputs.storedCategories?.length ? inputs.storedCategories : POLICY_CATEGORIES);
}

function storedVote(inputs: ConsentInputs): Vote | null {
  if (inputs.storedChoice === null) return null;
  const answer = { decidedBy: 'wizard' as const, label: 'your answer in Candor' };
  if (inputs.storedChoice === 'decline') return { ...OFF, ...answer };
  return { built: true, leaves: inputs.storedChoice === 'share', categories: storedCategories(inputs), ...answer };
}

export function resolveConsent(inputs: ConsentInputs): ConsentState {
  const votes = configVotes(inputs);
  const decision: Vote = (votes.length > 0 ? mostPrivate(votes) : null) ??
    storedVote(inputs) ?? { ...ON, decidedBy: 'default', label: 'the default (sharing is on until you choose)' };
  // Every vote carries its categories normalized (mostPrivate normalizes what it narrows).
  const categories = decision.built ? [...decision.categories] : [];
  const level = !decision.built ? 'off' : !decision.leaves ? 'local' : presetOf(categories);

  let paused: ConsentState['paused'] = null;
  if (decision.leaves) {
    if (decision.decidedBy === 'default' && inputs.shell === 'desktop') {
      paused = { reason: 'awaiting-answer' };
    } else if (decision.decidedBy === 'default' && (inputs.firstStartAt === null || inputs.now < inputs.firstStartAt + HEADLESS_GRACE_MS)) {
      // Headless and unanswered: the notice printed at first start must have had time to be read.
      paused =
        inputs.firstStartAt === null
          ? { reason: 'headless-grace' }
          : { reason: 'headless-grace', until: new Date(inputs.firstStartAt + HEADLESS_GRACE_MS).toISOString() };
    } else if (inputs.approvedFields !== null) {
      // Approval is per level: a new field in a category that is not shared needs no approval.
      const approved = new Set(inputs.approvedFields);
      const fresh = fieldsFor(categories).filter((f) => !approved.has(f));
      if (fresh.length > 0) paused = { reason: 'new-fields', fields: fresh };
    }
  }
  return {
    sharing: decision.leaves,
    level,
    categories,
    decidedBy: decision.decidedBy,
    locked: votes.length > 0,
    decidedByLabel: decision.label,
    storedChoice: inputs.storedChoice,
    storedCategories: storedCategories(inputs),
    paused,
  };
}

/** Whether a report may leave now. */
export function maySend(state: ConsentState): boolean {
  return state.sharing && state.paused === null;
}

/** Whether the daily report is built and kept here only. */
export function keepsLocally(state: ConsentState): boolean {
  return state.level === 'local';
}

/** Whether the daily schedule has anything to do: a report to send or one to keep. */
export function mayRun(state: ConsentState): boolean {
  return maySend(state) || keepsLocally(state);
}
