import type { AgentContext } from '../context';
import type { PersistedState } from './state-schema';

/**
 * The random anonymous id, made the first time a report is built (so the preview shows the id that
 * will be sent, before anything leaves) and kept in the shared state. Never derived from anything.
 * Throws `StorageError` when it cannot be saved: an id that is not kept would change at every run.
 */
export async function ensureInstanceId(ctx: AgentContext): Promise<PersistedState> {
  const state = ctx.store.read();
  if (state.instanceId) return state;
  return ctx.store.update((d) => void (d.instanceId ??= ctx.deps.random.uuid()));
}
