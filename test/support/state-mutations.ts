import type { PersistedState } from '../../core/state/state-schema';

/**
 * Changes to the shared state, as plain data, so one process can apply them under the lock and
 * another can replay them in the same order and compare. A mix on purpose: last-writer-wins values
 * (answer, retention, endpoint, id), a grow-only set (approved fields: a lost update loses a
 * member) and a counter (a lost update loses a count).
 */
export type Mutation =
  | { op: 'answer'; choice: 'share' | 'decline' }
  | { op: 'retention'; days: number }
  | { op: 'endpoint'; url: string }
  | { op: 'id'; id: string }
  | { op: 'approve'; field: string }
  | { op: 'count' };

const COUNTER_KEY = '00000000000000aa';

export function randomMutation(next: () => number, tag: string): Mutation {
  const roll = next();
  if (roll < 0.15) return { op: 'answer', choice: next() < 0.5 ? 'share' : 'decline' };
  if (roll < 0.3) return { op: 'retention', days: 1 + Math.floor(next() * 3000) };
  if (roll < 0.4) return { op: 'endpoint', url: `https://c${Math.floor(next() * 1000)}.example/collect` };
  if (roll < 0.5)
    return {
      op: 'id',
      id: `${Math.floor(next() * 1e8)
        .toString(16)
        .padStart(8, '0')}-0000-4000-8000-000000000000`,
    };
  if (roll < 0.75) return { op: 'approve', field: `t.${tag}` };
  return { op: 'count' };
}

export function applyMutation(draft: PersistedState, m: Mutation): void {
  switch (m.op) {
    case 'answer':
      draft.consent.choice = m.choice;
      return;
    case 'retention':
      draft.settings.historyRetentionDays = m.days;
      return;
    case 'endpoint':
      draft.settings.endpoint = m.url;
      return;
    case 'id':
      draft.instanceId = m.id;
      return;
    case 'approve':
      draft.consent.approvedFields = [...(draft.consent.approvedFields ?? []), m.field];
      return;
    case 'count': {
      const record = draft.schedules[COUNTER_KEY] ?? { consecutiveFailures: 0 };
      draft.schedules[COUNTER_KEY] = { ...record, consecutiveFailures: record.consecutiveFailures + 1 };
      return;
    }
  }
}
