import { ApiError, type ExportedReport } from '../../shared/api-contract';
import type { ConsentService } from '../consent/consent-service';
import type { AgentContext } from '../context';
import { summarize, type StoredEntry } from '../history/history-store';
import type { PreviewService } from '../report/preview-service';
import { instantOf } from '../schedule/schedule';
import { normalizeCategories, presetOf, type PolicyCategory } from '../../shared/schema/levels';
import { ensureInstanceId } from '../state/instance-id';
import type { SettingsService } from '../settings/settings-service';
import type { Held } from '../storage/folder-lock';
import { StorageError } from '../storage/storage-error';
import { entryBase } from './entry';
import { notWorthSending } from './worth-sending';

/** The file format a collector imports (`candor-collector import`, or `POST /collect`): see docs/collector.md. */
export const EXPORT_FORMAT_VERSION = 1;

/**
 * The next report, written to a file for a machine without internet: the exact bytes, their
 * sha256 and the level, logged in the history like any report that leaves. Nothing is sent.
 */
export class ReportExporter {
  constructor(
    private readonly ctx: AgentContext,
    private readonly consent: ConsentService,
    private readonly settings: SettingsService,
    private readonly preview: PreviewService,
  ) {}

  async export(input?: { categories?: PolicyCategory[] }): Promise<ExportedReport> {
    await ensureInstanceId(this.ctx).catch(() => undefined);
    await this.preview.refreshSources();
    try {
      return await this.ctx.lock.run((held) => this.write(input?.categories, held));
    } catch (error) {
      if (error instanceof StorageError) throw new ApiError('unavailable', `Not exported: ${error.message}, so the export could not be logged.`);
      throw error;
    }
  }

  private async write(asked: PolicyCategory[] | undefined, held: Held): Promise<ExportedReport> {
    const { deps, store, history } = this.ctx;
    const state = store.readFresh();
    const consent = this.consent.current(state);
    if (consent.level === 'off' && consent.locked)
      throw new ApiError('locked', `Sharing is off, decided by ${consent.decidedByLabel}: nothing is built, not even for a file.`);
    if (consent.level === 'off' && !asked)
      throw new ApiError('unavailable', 'Sharing is off: say how much to export (`candor export --level basic`, or full).');
    const categories = normalizeCategories(asked ?? consent.categories);
    const built = await this.preview.rebuild(state, categories, held);
    if (!built.guard.ok) throw new ApiError('unavailable', `Not exported: refused by the privacy guard: ${built.guard.field} ${built.guard.reason}.`);
    const hollow = notWorthSending(built);
    if (hollow) throw new ApiError('unavailable', `Not exported: ${hollow.cause}; a report is made only when the server was read.`);
    const now = instantOf(deps.clock);
    const level = presetOf(categories);
    const base = entryBase(deps.random.uuid(), now.wall, 'export', this.settings.endpoint(state), built, { level, categories });
    const entry: StoredEntry = { ...base, durationMs: 0, outcome: 'exported', message: 'written to a file for a machine without internet' };
    await history.append(entry, held);
    const text =
      JSON.stringify({ candorExport: EXPORT_FORMAT_VERSION, level, categories, createdAt: base.at, sha256: base.sha256, report: base.body }, null, 2) + '\n';
    deps.logger.log('info', 'report exported', { sha256: base.sha256, bytes: base.size });
    return { fileName: `candor-report-${base.at.slice(0, 10)}-${base.sha256.slice(0, 8)}.json`, text, sha256: base.sha256, level, entry: summarize(entry) };
  }
}
