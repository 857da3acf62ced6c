import type { ConsentState } from '../../shared/api-contract';
import { HEADLESS_GRACE_MS } from './consent';

/** A wall time as people read it in a terminal or a log: ISO 8601 with the local offset. */
export function localIso(ms: number): string {
  const date = new Date(ms);
  const offset = -date.getTimezoneOffset();
  const local = new Date(ms + offset * 60_000).toISOString().slice(0, 19);
  if (offset === 0) return `${local}Z`;
  const sign = offset > 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Why nothing is sent while sharing is on, in words, with when it ends and how to end it now.
 * Never an internal code: this is what `candor send`, `candor status` and the logs say. Where no
 * answer could be saved (`answerable` false: the data folder cannot be written), the way to end it
 * with `candor consent` is not offered.
 */
export function pauseSentence(paused: NonNullable<ConsentState['paused']>, formatTime: (ms: number) => string = localIso, answerable = true): string {
  const [why, howToEnd] = pauseParts(paused, formatTime);
  return answerable ? `${why}; ${howToEnd}` : why;
}

function pauseParts(paused: NonNullable<ConsentState['paused']>, formatTime: (ms: number) => string): [why: string, howToEnd: string] {
  switch (paused.reason) {
    case 'awaiting-answer':
      return ['sharing waits for your answer to the first-run question', '`candor consent yes` or `candor consent no` answers it'];
    case 'headless-grace':
      return [
        paused.until
          ? `the first report waits until ${formatTime(Date.parse(paused.until))} (${HEADLESS_GRACE_MS / 60_000} minutes after first start, so the notice can be read)`
          : `the first report waits until ${HEADLESS_GRACE_MS / 60_000} minutes after \`candor run\` or \`candor serve\` first starts`,
        '`candor consent yes` sends now',
      ];
    case 'new-fields':
      return [
        `this version can send fields you have not approved yet (${(paused.fields ?? []).join(', ')})`,
        'approve them in the app, or `candor consent yes`',
      ];
  }
}

/** Why a report was not sent, as one line. */
export function notSentBecause(consent: ConsentState, formatTime?: (ms: number) => string): string {
  if (consent.level === 'local')
    return `Not sent: reports are kept on this machine only (the local level, decided by ${consent.decidedByLabel}); \`candor export\` writes one to a file for a machine without internet.`;
  if (!consent.sharing) return `Not sent: sharing is off (${consent.decidedByLabel}).`;
  return `Not sent: ${consent.paused ? pauseSentence(consent.paused, formatTime) : 'sharing is paused'}.`;
}
