import type { ConsentState, ShellKind } from '../api/contract';
import { parseSwitch, shownValue, type Switch } from './switch';

/** Headless and unanswered: the first report waits this long after first start, so the notice can be read. */
export const HEADLESS_GRACE_MS = 30 * 60 * 1000;

export interface ConfigLevelChoice {
  /** From the command line (`--share` / `--no-share`, or `--share=<value>`). */
  cliFlag?: Switch;
  /** The process environment. */
  env: Record<string, string | undefined>;
  /** `[insights] enabled` in Candor's config file, and the file's path for the label. */
  configFile?: { enabled?: Switch; path: string; unreadable?: boolean };
}

export interface ConsentInputs extends ConfigLevelChoice {
  storedChoice: 'share' | 'decline' | null;
  shell: ShellKind;
  /** When a long-running shell first started (null: none has yet, so the grace period has not begun). */
  firstStartAt: number | null;
  now: number;
  /** Fields approved with the last "yes" (null: never approved explicitly). */
  approvedFields: readonly string[] | null;
  /** Fields this version can send. */
  currentFields: readonly string[];
}

interface Decision {
  sharing: boolean;
  decidedBy: ConsentState['decidedBy'];
  label: string;
}

/** `DO_NOT_TRACK` set to anything but empty or `0` means "off" (the console-do-not-track convention). */
export function doNotTrack(env: Record<string, string | undefined>): boolean {
  const value = env.DO_NOT_TRACK?.trim();
  return value !== undefined && value !== '' && value !== '0';
}

const HELD = 'is not understood, so sharing is held off';

/**
 * The config-level settings, most specific first. Any of them saying "off" wins over any saying
 * "on": an opt-out written anywhere must never be undone by a setting elsewhere. A value meant as a
 * setting but not understood counts as "off": it may have been meant as an opt-out.
 */
function configLevel(inputs: ConfigLevelChoice): Decision | null {
  const votes: Decision[] = [];
  const flag = inputs.cliFlag;
  if (typeof flag === 'boolean') {
    votes.push({ sharing: flag, decidedBy: 'cli-flag', label: flag ? 'the --share flag' : 'the --no-share flag' });
  } else if (flag) {
    votes.push({ sharing: false, decidedBy: 'cli-flag', label: `--share=${flag.notUnderstood} ${HELD}` });
  }
  if (doNotTrack(inputs.env)) votes.push({ sharing: false, decidedBy: 'environment', label: `DO_NOT_TRACK=${shownValue(inputs.env.DO_NOT_TRACK ?? '')} in the environment` });
  const envValue = inputs.env.CANDOR_INSIGHTS_ENABLED;
  if (envValue !== undefined && envValue.trim() !== '') {
    const envChoice = parseSwitch(envValue);
    const shown = `CANDOR_INSIGHTS_ENABLED=${shownValue(envValue)} in the environment`;
    votes.push(envChoice === undefined ? { sharing: false, decidedBy: 'environment', label: `${shown} ${HELD}` } : { sharing: envChoice, decidedBy: 'environment', label: shown });
  }
  const file = inputs.configFile;
  if (file?.unreadable) {
    // A file we cannot read may hold an opt-out: hold off until it is fixed.
    votes.push({ sharing: false, decidedBy: 'config-file', label: `${file.path} (unreadable, so sharing is held off until it is fixed)` });
  } else if (typeof file?.enabled === 'boolean') {
    votes.push({ sharing: file.enabled, decidedBy: 'config-file', label: `[insights] enabled = ${file.enabled} in ${file.path}` });
  } else if (file?.enabled) {
    votes.push({ sharing: false, decidedBy: 'config-file', label: `[insights] enabled = ${file.enabled.notUnderstood} in ${file.path} ${HELD} (write true or false)` });
  }
  return votes.find((v) => !v.sharing) ?? votes[0] ?? null;
}

export function resolveConsent(inputs: ConsentInputs): ConsentState {
  const locked = configLevel(inputs);
  const decision: Decision =
    locked ??
    (inputs.storedChoice
      ? { sharing: inputs.storedChoice === 'share', decidedBy: 'wizard', label: 'your answer in Candor' }
      : { sharing: true, decidedBy: 'default', label: 'the default (sharing is on until you choose)' });

  let paused: ConsentState['paused'] = null;
  if (decision.sharing) {
    if (decision.decidedBy === 'default' && inputs.shell === 'desktop') {
      paused = { reason: 'awaiting-answer' };
    } else if (decision.decidedBy === 'default' && (inputs.firstStartAt === null || inputs.now < inputs.firstStartAt + HEADLESS_GRACE_MS)) {
      // Headless and unanswered: the notice printed at first start must have had time to be read.
      paused = inputs.firstStartAt === null ? { reason: 'headless-grace' } : { reason: 'headless-grace', until: new Date(inputs.firstStartAt + HEADLESS_GRACE_MS).toISOString() };
    } else if (inputs.approvedFields !== null) {
      const approved = new Set(inputs.approvedFields);
      const fresh = inputs.currentFields.filter((f) => !approved.has(f));
      if (fresh.length > 0) paused = { reason: 'new-fields', fields: fresh };
    }
  }
  return {
    sharing: decision.sharing,
    decidedBy: decision.decidedBy,
    locked: locked !== null,
    decidedByLabel: decision.label,
    storedChoice: inputs.storedChoice,
    paused,
  };
}

/** Whether a report may leave now. */
export function maySend(state: ConsentState): boolean {
  return state.sharing && state.paused === null;
}
