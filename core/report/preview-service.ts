import type { PreviewView } from '../../shared/api-contract';
import type { AgentContext } from '../context';
import type { SettingsService } from '../settings/settings-service';
import { ensureInstanceId } from '../state/instance-id';
import type { PersistedState } from '../state/state-schema';
import { normalizeCategories, type PolicyCategory } from '../../shared/schema/levels';
import type { Held } from '../storage/folder-lock';
import { StorageError } from '../storage/storage-error';
import { AGENT_VERSION } from '../version';
import { defaultSources } from '../sources/source-set';
import { ReportBuilder, type BuiltReport } from './builder';
import { diffReports } from '../../shared/report-diff';

/** Re-read the server this often while the preview is being watched. */
const SOURCE_REFRESH_MS = 5 * 60 * 1000;
const TICK_MS = 5000;

/**
 * The next report, exactly as it would be sent: slow facts refreshed on demand, the cheap rest
 * rebuilt from the state on disk at each build, so the preview never shows a stale id.
 */
export class PreviewService {
  private readonly builder: ReportBuilder;
  private preview: PreviewView | null = null;
  private built: BuiltReport | null = null;
  private lastRefreshAt = -Infinity;
  /** The settings the server was last read with (`SettingsService.targetKey`). */
  private readFor: string | null = null;
  private refreshing: Promise<void> | null = null;
  private tick: unknown = null;
  private builtCategories = '';

  constructor(
    private readonly ctx: AgentContext,
    private readonly settings: SettingsService,
    /** The categories of the current choice, from the state given (what a report at the current level carries). */
    private readonly categoriesOf: (state: PersistedState) => PolicyCategory[],
  ) {
    const { deps } = ctx;
    this.builder = new ReportBuilder(deps.sources ?? defaultSources(deps.http), () => deps.clock.now(), deps.agentVersion ?? AGENT_VERSION);
  }

  get lastBuilt(): BuiltReport | null {
    return this.built;
  }

  get busy(): Promise<void> | null {
    return this.refreshing;
  }

  /** Reads the slow sources (server, its config, folders). Concurrent callers share one refresh. */
  refreshSources(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const key = this.settings.targetKey();
        await this.builder.refresh(await this.settings.target());
        this.readFor = key;
        this.lastRefreshAt = this.ctx.deps.clock.monotonic();
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** Whether what was last read from the server was read with the settings as they are in `state`. */
  readWith(state: PersistedState): boolean {
    return this.readFor === this.settings.targetKey(state);
  }

  /**
   * After the settings changed (in the config file, or stored by another process): once the server
   * has been read, it is read again if it was read with other settings (another address, user or
   * password), or always when `force` (the password file was edited), and the preview rebuilt.
   */
  async onSettingsChanged(force = false): Promise<void> {
    await this.refreshing?.catch(() => undefined);
    if (this.lastRefreshAt === -Infinity) return;
    if (!force && this.readWith(this.ctx.store.read())) return;
    await this.refreshSources();
    if (this.preview) await this.rebuild();
  }

  /**
   * Builds the report from the state given (by default: on disk now, with an id made if there is
   * none yet) at the categories given (by default: the current choice's) and, for the current
   * choice, publishes it as the live preview.
   */
  async rebuild(given?: PersistedState, categories?: readonly PolicyCategory[], held?: Held): Promise<BuiltReport> {
    let state = given ?? this.ctx.store.read();
    let idProblem: string | null = null;
    if (!given && !state.instanceId) {
      try {
        state = await ensureInstanceId(this.ctx);
      } catch (error) {
        idProblem = error instanceof StorageError ? error.message : 'it could not be saved';
      }
    }
    const current = this.categoriesOf(state);
    const chosen = categories ? normalizeCategories(categories) : current;
    let keyHash: string | null = null;
    if (state.instanceId) keyHash = await this.ctx.deletionKeys.hashFor(state.instanceId, held).catch(() => null);
    const built = await this.builder.build(state.instanceId ?? null, chosen, keyHash);
    if (idProblem) built.omitted.unshift({ path: 'id', reason: `The anonymous ID is made when it can be kept, and ${idProblem}.` });
    else if (state.instanceId && !keyHash)
      built.omitted.push({ path: 'candor.deletionKeyHash', reason: 'The secret that lets you delete your reports could not be saved in the data folder.' });
    if (chosen.join() !== current.join()) return built;
    this.built = built;
    this.builtCategories = chosen.join();
    this.preview = this.viewOf(built);
    this.ctx.events.emit({ type: 'preview', preview: this.preview });
    return built;
  }

  private viewOf(built: BuiltReport): PreviewView {
    const last = this.ctx.history.lastSent();
    return {
      text: built.report.text,
      sha256: built.report.sha256,
      size: built.report.size,
      builtAt: new Date(this.ctx.deps.clock.now()).toISOString(),
      changesSinceLastSent: last ? diffReports(last.body, built.report.text) : null,
      omitted: built.omitted,
      guard: built.guard,
      serverLocation: built.location,
    };
  }

  /** The preview for the current choice, or for any other set of categories (the wizard points at each level in turn). */
  async get(input?: { categories?: PolicyCategory[] }): Promise<PreviewView> {
    if (this.lastRefreshAt === -Infinity) await this.refreshSources();
    if (input?.categories) return this.viewOf(await this.rebuild(undefined, input.categories));
    if (this.preview) return this.preview;
    await this.rebuild();
    return this.preview!;
  }

  async refresh(input?: { categories?: PolicyCategory[] }): Promise<PreviewView> {
    await this.refreshSources();
    const built = await this.rebuild();
    return input?.categories ? this.viewOf(await this.rebuild(undefined, input.categories)) : this.viewOf(built);
  }

  /** After a change on disk: rebuild if the report depends on what changed (the id) and anyone has seen a preview. */
  async onStateChanged(): Promise<void> {
    if (!this.preview) return;
    const state = this.ctx.store.read();
    const changed = (state.instanceId ?? null) !== (this.built?.payload.id ?? null) || this.categoriesOf(state).join() !== this.builtCategories;
    if (changed) await this.rebuild(state);
  }

  /** While someone watches, keep the preview live: memory and uptime every few seconds, the server every few minutes. */
  startTicking(): void {
    if (this.tick) return;
    const { clock } = this.ctx.deps;
    const loop = () => {
      this.tick = clock.setTimeout(() => {
        if (!this.ctx.events.previewWatched) {
          this.tick = null;
          return;
        }
        const stale = clock.monotonic() - this.lastRefreshAt > SOURCE_REFRESH_MS;
        void (stale ? this.refreshSources() : Promise.resolve())
          .then(() => this.rebuild())
          .catch(() => undefined)
          .finally(loop);
      }, TICK_MS);
      (this.tick as { unref?: () => void }).unref?.();
    };
    loop();
  }

  stopTicking(): void {
    if (this.tick) this.ctx.deps.clock.clearTimeout(this.tick);
    this.tick = null;
  }
}
