import { describe, expect, it } from 'vitest';
import { HEADLESS_GRACE_MS, doNotTrack, maySend, resolveConsent, type ConsentInputs } from '../../../core/consent/consent';
import { fieldsFor, PRESETS } from '../../../shared/schema/levels';
import { CANDOR_FIELD_PATHS } from '../../../shared/schema/payload';

const T0 = Date.UTC(2026, 0, 1);
const base: ConsentInputs = {
  env: {},
  storedChoice: null,
  shell: 'desktop',
  firstStartAt: T0,
  now: T0 + 60_000,
  approvedFields: null,
};
const file = (enabled: boolean | undefined, unreadable = false) => ({
  configFile: { path: '/etc/candor.toml', unreadable, ...(enabled === undefined ? {} : { enabled }) },
});

describe('consent precedence', () => {
  // [name, inputs, sharing, decidedBy, locked, paused reason]
  const table: Array<[string, Partial<ConsentInputs>, boolean, string, boolean, string | null]> = [
    ['desktop, unanswered: sharing by default but nothing leaves', {}, true, 'default', false, 'awaiting-answer'],
    ['desktop, wizard yes', { storedChoice: 'share', approvedFields: CANDOR_FIELD_PATHS }, true, 'wizard', false, null],
    ['desktop, wizard no', { storedChoice: 'decline' }, false, 'wizard', false, null],
    ['headless, unanswered, inside the grace period', { shell: 'headless' }, true, 'default', false, 'headless-grace'],
    ['headless, unanswered, after the grace period', { shell: 'headless', now: T0 + HEADLESS_GRACE_MS + 1 }, true, 'default', false, null],
    ['headless, unanswered, exactly at the end of grace', { shell: 'headless', now: T0 + HEADLESS_GRACE_MS }, true, 'default', false, null],
    ['headless, answered no', { shell: 'headless', storedChoice: 'decline', now: T0 + 10 * HEADLESS_GRACE_MS }, false, 'wizard', false, null],
    ['config file off beats wizard yes', { storedChoice: 'share', ...file(false) }, false, 'config-file', true, null],
    ['config file on beats wizard no', { storedChoice: 'decline', ...file(true) }, true, 'config-file', true, null],
    ['config file without the key decides nothing', { storedChoice: 'decline', ...file(undefined) }, false, 'wizard', false, null],
    ['unreadable config file holds sharing off', { storedChoice: 'share', ...file(undefined, true) }, false, 'config-file', true, null],
    ['DO_NOT_TRACK=1 beats wizard yes', { storedChoice: 'share', env: { DO_NOT_TRACK: '1' } }, false, 'environment', true, null],
    ['DO_NOT_TRACK=true counts as off', { env: { DO_NOT_TRACK: 'true' } }, false, 'environment', true, null],
    ['DO_NOT_TRACK=0 decides nothing', { storedChoice: 'share', env: { DO_NOT_TRACK: '0' }, approvedFields: CANDOR_FIELD_PATHS }, true, 'wizard', false, null],
    ['DO_NOT_TRACK empty decides nothing', { storedChoice: 'decline', env: { DO_NOT_TRACK: '' } }, false, 'wizard', false, null],
    ['DO_NOT_TRACK=1 beats config file on', { env: { DO_NOT_TRACK: '1' }, ...file(true) }, false, 'environment', true, null],
    ['config file off beats CANDOR_INSIGHTS_ENABLED=true', { env: { CANDOR_INSIGHTS_ENABLED: 'true' }, ...file(false) }, false, 'config-file', true, null],
    ['--share flag decides on', { cliFlag: true, storedChoice: 'decline' }, true, 'cli-flag', true, null],
    ['--no-share flag decides off', { cliFlag: false, storedChoice: 'share' }, false, 'cli-flag', true, null],
    ['--share cannot undo DO_NOT_TRACK', { cliFlag: true, env: { DO_NOT_TRACK: '1' } }, false, 'environment', true, null],
    ['config on, desktop, unanswered: config is the answer', { ...file(true) }, true, 'config-file', true, null],
    ['new fields since approval pause sending', { storedChoice: 'share', approvedFields: CANDOR_FIELD_PATHS.slice(1) }, true, 'wizard', false, 'new-fields'],
    ...['false', 'FALSE', '0', 'no', 'n', 'off', 'Disabled', ' no '].map((v): (typeof table)[number] => [
      `CANDOR_INSIGHTS_ENABLED=${v} is an opt-out`,
      { storedChoice: 'share', env: { CANDOR_INSIGHTS_ENABLED: v } },
      false,
      'environment',
      true,
      null,
    ]),
    ['CANDOR_INSIGHTS_ENABLED=maybe holds sharing off', { storedChoice: 'share', env: { CANDOR_INSIGHTS_ENABLED: 'maybe' } }, false, 'environment', true, null],
    [
      'CANDOR_INSIGHTS_ENABLED= (empty) decides nothing',
      { storedChoice: 'share', env: { CANDOR_INSIGHTS_ENABLED: '' }, approvedFields: CANDOR_FIELD_PATHS },
      true,
      'wizard',
      false,
      null,
    ],
    [
      'config enabled written as something not understood holds sharing off',
      { storedChoice: 'share', configFile: { path: '/etc/candor.toml', enabled: { notUnderstood: '"maybe"' } } },
      false,
      'config-file',
      true,
      null,
    ],
    ['--share=<not understood> holds sharing off', { storedChoice: 'share', cliFlag: { notUnderstood: 'perhaps' } }, false, 'cli-flag', true, null],
    [
      'headless, unanswered, no long-running shell started yet: waits',
      { shell: 'headless', firstStartAt: null, now: T0 + 10 * HEADLESS_GRACE_MS },
      true,
      'default',
      false,
      'headless-grace',
    ],
  ];

  for (const [name, inputs, sharing, decidedBy, locked, paused] of table) {
    it(name, () => {
      const state = resolveConsent({ ...base, ...inputs });
      expect(state.sharing).toBe(sharing);
      expect(state.decidedBy).toBe(decidedBy);
      expect(state.locked).toBe(locked);
      expect(state.paused?.reason ?? null).toBe(paused);
      expect(maySend(state)).toBe(sharing && paused === null);
    });
  }

  it('names the deciding setting', () => {
    expect(resolveConsent({ ...base, env: { DO_NOT_TRACK: '1' } }).decidedByLabel).toContain('DO_NOT_TRACK=1');
    expect(resolveConsent({ ...base, ...file(false) }).decidedByLabel).toContain('/etc/candor.toml');
    expect(resolveConsent({ ...base, cliFlag: false }).decidedByLabel).toContain('--no-share');
  });

  it('names a setting it could not understand, with the value, and says sharing is held off', () => {
    expect(resolveConsent({ ...base, env: { CANDOR_INSIGHTS_ENABLED: 'maybe' } }).decidedByLabel).toBe(
      'CANDOR_INSIGHTS_ENABLED=maybe in the environment is not understood, so sharing is held off',
    );
    expect(resolveConsent({ ...base, configFile: { path: '/etc/candor.toml', enabled: { notUnderstood: '"nah"' } } }).decidedByLabel).toMatch(
      /\[insights\] enabled = "nah" in \/etc\/candor.toml is not understood, so sharing is held off/,
    );
    expect(resolveConsent({ ...base, cliFlag: { notUnderstood: 'perhaps' } }).decidedByLabel).toMatch(/--share=perhaps is not understood/);
  });

  it('asks approval only for fields of the categories shared: a new field elsewhere pauses nothing', () => {
    const basic = fieldsFor(PRESETS.basic);
    const atBasic = resolveConsent({ ...base, storedChoice: 'share', storedCategories: PRESETS.basic, approvedFields: basic });
    expect(atBasic).toMatchObject({ level: 'basic', paused: null });
    const atFull = resolveConsent({ ...base, storedChoice: 'share', storedCategories: PRESETS.full, approvedFields: basic });
    expect(atFull.paused?.reason).toBe('new-fields');
    expect(atFull.paused?.fields).toEqual(expect.arrayContaining(['library.tracks', 'config.enableLastFM']));
    expect(atFull.paused?.fields).not.toContain('os.arch');
  });

  it('local keeps reports here: nothing leaves, nothing waits for approval, the categories are those chosen', () => {
    const local = resolveConsent({ ...base, storedChoice: 'local', storedCategories: ['system'], approvedFields: [] });
    expect(local).toMatchObject({ sharing: false, level: 'local', categories: ['application', 'system'], paused: null });
  });

  it('lists exactly the fields that were not approved', () => {
    const state = resolveConsent({ ...base, storedChoice: 'share', approvedFields: CANDOR_FIELD_PATHS.filter((f) => f !== 'uptime') });
    expect(state.paused?.fields).toEqual(['uptime']);
  });

  it('keeps the stored answer visible while a config setting overrides it', () => {
    expect(resolveConsent({ ...base, storedChoice: 'decline', ...file(true) }).storedChoice).toBe('decline');
  });

  it('reads DO_NOT_TRACK as the convention says', () => {
    expect(doNotTrack({})).toBe(false);
    expect(doNotTrack({ DO_NOT_TRACK: '' })).toBe(false);
    expect(doNotTrack({ DO_NOT_TRACK: ' 0 ' })).toBe(false);
    expect(doNotTrack({ DO_NOT_TRACK: 'yes' })).toBe(true);
  });
});
