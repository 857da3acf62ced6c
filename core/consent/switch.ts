/**
 * A yes/no setting as a person may write it (config file, environment, command line). Whatever
 * looks like an opt-out counts as one; a value that cannot be understood is kept as written, so
 * consent can hold sharing off and name it.
 */
export type Switch = boolean | { notUnderstood: string };

const OFF = new Set(['false', '0', 'no', 'n', 'off', 'disabled', 'disable']);
const ON = new Set(['true', '1', 'yes', 'y', 'on', 'enabled', 'enable']);

export function parseSwitch(raw: string): boolean | undefined {
  const value = raw.trim().toLowerCase();
  if (OFF.has(value)) return false;
  if (ON.has(value)) return true;
  return undefined;
}

/** A written value, made safe to show in one line. */
export function shownValue(raw: string): string {
  const clean = raw.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}

/** A setting from text: understood, or kept for the message. */
export function switchFrom(raw: string): Switch {
  return parseSwitch(raw) ?? { notUnderstood: shownValue(raw) };
}
