/**
 * Sharing levels as the user sees them: which option is pointed at, which categories it carries,
 * and the `setConsent` input it saves. The categories and presets come from the core's one schema
 * (`schema/levels.ts`); nothing here lists fields.
 */
import type { ConsentState, LevelName, PolicyCategory, StoredChoice } from '../../shared/api-contract';
import { normalizeCategories, POLICY_CATEGORIES, PRESETS, presetOf, REQUIRED_CATEGORY } from '../../shared/schema/levels';
import { CATEGORY_TITLES } from '../../shared/schema/payload';

export { POLICY_CATEGORIES, REQUIRED_CATEGORY };

/** What a level does with the daily report: send it, keep it here, or not build it; and with which categories. */
export interface LevelChoice {
  mode: 'share' | 'local' | 'off';
  categories: PolicyCategory[];
}

/** The options of the level picker, in order. `custom` is any set of categories other than the presets. */
export type LevelOption = 'full' | 'basic' | 'custom' | 'local' | 'off';

export const LEVEL_TITLES: Record<LevelName, string> = {
  full: 'Full',
  basic: 'Basic',
  custom: 'Custom',
  local: 'Local only',
  off: 'Off',
};

/** Each option with its explanation, and a shorter one for where space is tight (Settings). */
export const LEVEL_OPTIONS: ReadonlyArray<{ value: LevelOption; help: string; short: string }> = [
  {
    value: 'full',
    help: 'Everything the policy lists: application details, system information, library statistics and configuration. The project’s default.',
    short: 'all four categories',
  },
  {
    value: 'basic',
    help: 'Application details and system information only: no library counts, no configuration.',
    short: 'application details and system information',
  },
  { value: 'custom', help: 'Only the categories you tick below.', short: 'the categories you tick below' },
  {
    value: 'local',
    help: 'A report is built each day and kept in the history on this machine. Nothing is ever sent.',
    short: 'built each day and kept here, never sent',
  },
  { value: 'off', help: 'Nothing is built and nothing is sent.', short: 'nothing is built or sent' },
];

/** A custom set to start from when none was made yet: everything but the configuration. */
const FIRST_CUSTOM: PolicyCategory[] = ['application', 'system', 'library'];

export function optionOf(choice: LevelChoice): LevelOption {
  return choice.mode === 'share' ? presetOf(choice.categories) : choice.mode;
}

/** The level in force (what the agent does now), as a choice; at `off`, the categories the stored answer would carry. */
export function choiceOf(consent: ConsentState): LevelChoice {
  if (consent.level === 'off') return { mode: 'off', categories: consent.storedCategories };
  return { mode: consent.level === 'local' ? 'local' : 'share', categories: normalizeCategories(consent.categories) };
}

/** Moving to an option: the presets set their categories, the others keep the ones in hand. */
export function choose(option: LevelOption, from: LevelChoice, lastCustom: PolicyCategory[] | null): LevelChoice {
  switch (option) {
    case 'full':
    case 'basic':
      return { mode: 'share', categories: [...PRESETS[option]] };
    case 'custom':
      return { mode: 'share', categories: lastCustom ?? (presetOf(from.categories) === 'custom' ? from.categories : FIRST_CUSTOM) };
    case 'local':
    case 'off':
      return { mode: option, categories: from.categories };
  }
}

/** Ticking or unticking one category; application details cannot go (`normalizeCategories` keeps them). */
export function toggle(choice: LevelChoice, category: PolicyCategory, on: boolean): LevelChoice {
  const set = new Set(choice.categories);
  if (on) set.add(category);
  else set.delete(category);
  return { ...choice, categories: normalizeCategories([...set]) };
}

/** The categories whose report a choice shows (none at `off`: nothing is built). */
export function shownCategories(choice: LevelChoice): PolicyCategory[] | null {
  return choice.mode === 'off' ? null : choice.categories;
}

export function consentInput(choice: LevelChoice): { choice: StoredChoice; categories?: PolicyCategory[] } {
  if (choice.mode === 'off') return { choice: 'decline' };
  return { choice: choice.mode === 'local' ? 'local' : 'share', categories: choice.categories };
}

export function sameChoice(a: LevelChoice, b: LevelChoice): boolean {
  return a.mode === b.mode && (a.mode === 'off' || a.categories.join() === b.categories.join());
}

/** The level the live preview is built at: the one in force, or at Off the one the stored answer would share at. */
export function liveLevel(consent: ConsentState): { level: LevelName; categories: PolicyCategory[] } {
  if (consent.level !== 'off') return { level: consent.level, categories: consent.categories };
  return { level: presetOf(consent.storedCategories), categories: consent.storedCategories };
}

/** "Basic (application details, system information)". */
export function describeLevel(level: LevelName | undefined, categories: readonly PolicyCategory[] | undefined): string {
  const name = LEVEL_TITLES[level ?? 'full'];
  const all = !categories || categories.length === POLICY_CATEGORIES.length;
  if (level === undefined || level === 'off' || level === 'full' || (level === 'local' && all)) return name;
  const list = (categories ?? POLICY_CATEGORIES).map((c) => CATEGORY_TITLES[c].replace(/ \(.*\)$/, '').toLowerCase());
  return `${name} (${list.join(', ')})`;
}

/** "Sharing is off", "Sharing is on at Basic (…)", "Reports are kept on this machine only": the level in force, as a sentence's start. */
export function levelSummary(consent: Pick<ConsentState, 'level' | 'categories'>): string {
  if (consent.level === 'off') return 'Sharing is off';
  if (consent.level === 'local') return 'Reports are kept on this machine only';
  return `Sharing is on at ${describeLevel(consent.level, consent.categories)}`;
}

export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** Navidrome's own collector: it stores every field a report leaves out as zero. */
export function isNavidromeCollector(endpoint: string): boolean {
  try {
    return new URL(endpoint).hostname === 'insights.navidrome.org';
  } catch {
    return false;
  }
}
