import { ApiError, type ConsentState, type StoredChoice } from '../../shared/api-contract';
import type { AgentContext } from '../context';
import { fieldsFor, normalizeCategories, POLICY_CATEGORIES, type PolicyCategory } from '../../shared/schema/levels';
import { CANDOR_FIELD_PATHS } from '../../shared/schema/payload';
import type { PersistedState } from '../state/state-schema';
import { StorageError } from '../storage/storage-error';
import { resolveConsent } from './consent';

/**
 * The sharing decision, always from the state and the config file as they are on disk now (plus the
 * command line and environment this process was started with). One exception: a "no" this process heard but could not save holds sharing
 * off here until it is saved, and saving is retried; the other processes cannot send meanwhile
 * either, because every send must first write its intent to the same unwritable folder.
 */
export class ConsentService {
  private unsavedDecline: string | null = null;

  constructor(private readonly ctx: AgentContext) {}

  current(state: PersistedState = this.ctx.store.read()): ConsentState {
    const { deps } = this.ctx;
    const config = deps.config.current();
    const resolved = resolveConsent({
      ...(deps.cliShare !== undefined ? { cliFlag: deps.cliShare } : {}),
      env: deps.env,
      ...(config.path
        ? {
            configFile: {
              path: config.path,
              unreadable: config.unreadable,
              ...(config.missing ? { missing: true } : {}),
              ...(config.insightsEnabled !== undefined ? { enabled: config.insightsEnabled } : {}),
              ...(config.insightsLevel !== undefined ? { level: config.insightsLevel } : {}),
              ...(config.insightsCategories !== undefined ? { categories: config.insightsCategories } : {}),
            },
          }
        : {}),
      storedChoice: this.unsavedDecline ? 'decline' : (state.consent.choice ?? null),
      storedCategories: state.consent.categories ?? null,
      // A damaged settings file lost the answer: ask again, as the desktop does, rather than assume "yes".
      shell: state.consent.mustAskAgain ? 'desktop' : deps.shell,
      firstStartAt: state.firstStartAt ?? null,
      now: deps.clock.now(),
      approvedFields: state.consent.approvedFields ?? null,
    });
    if (this.unsavedDecline && !resolved.locked) return { ...resolved, decidedByLabel: `your answer in Candor (not saved yet: ${this.unsavedDecline})` };
    return resolved;
  }

  /** What the preview shows: the current choice's categories, or, while nothing is built, what sharing would carry. */
  previewCategories(state: PersistedState): PolicyCategory[] {
    const consent = this.current(state);
    return consent.categories.length > 0 ? consent.categories : consent.storedCategories;
  }

  /**
   * Saves the answer (with the categories chosen, for `share` and `local`). What is shown when one
   * agrees is what is approved: the fields of the chosen categories. A "no" that cannot be saved
   * still holds here, and the caller is told.
   */
  async setChoice(choice: StoredChoice, categories?: readonly PolicyCategory[]): Promise<void> {
    const chosen = categories === undefined ? undefined : normalizeCategories(categories);
    try {
      await this.ctx.store.update((d) => {
        d.consent.choice = choice;
        d.consent.answeredAt = this.ctx.deps.clock.now();
        // A "no" keeps the categories chosen before: turning sharing back on must not share more than then.
        if (choice !== 'decline') {
          if (chosen && chosen.length < POLICY_CATEGORIES.length) d.consent.categories = chosen;
          else delete d.consent.categories;
        }
        delete d.consent.mustAskAgain;
        delete d.setAsideAs;
        if (choice === 'share') d.consent.approvedFields = [...new Set([...(d.consent.approvedFields ?? []), ...fieldsFor(chosen ?? POLICY_CATEGORIES)])];
      });
      this.unsavedDecline = null;
    } catch (error) {
      if (!(error instanceof StorageError)) throw error;
      if (choice === 'decline') {
        this.unsavedDecline = error.message;
        this.ctx.deps.logger.log('info', 'a "no" could not be saved; sharing is held off in this process', { problem: error.problem });
        throw new ApiError(
          'unavailable',
          `Your "no" could not be saved: ${error.message}. Nothing is sent while this lasts, but fix it so the answer is kept.`,
        );
      }
      throw new ApiError('unavailable', `Your answer could not be saved: ${error.message}. Nothing changed.`);
    }
    this.ctx.deps.logger.log('info', 'sharing choice saved', { choice });
  }

  /** Tries again to save a "no" that could not be saved. */
  async retryUnsaved(): Promise<void> {
    if (!this.unsavedDecline) return;
    await this.setChoice('decline').catch(() => undefined);
  }

  get hasUnsavedDecline(): boolean {
    return this.unsavedDecline !== null;
  }

  async approveFields(fields: string[]): Promise<void> {
    const known = new Set(CANDOR_FIELD_PATHS);
    const bad = fields.find((f) => !known.has(f));
    if (bad) throw new ApiError('invalid-input', `unknown field ${bad}`);
    try {
      await this.ctx.store.update((d) => void (d.consent.approvedFields = [...new Set([...(d.consent.approvedFields ?? []), ...fields])]));
    } catch (error) {
      if (error instanceof StorageError) throw new ApiError('unavailable', `The approval could not be saved: ${error.message}.`);
      throw error;
    }
  }
}
