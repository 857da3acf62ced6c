/**
 * The `candor-collector import` command: export files (export-file.ts) stored in the store
 * directly (no server needed; a running collector on the same store shows the reports after its
 * next heartbeat, and plans their purge by then). The operator runs it on their own store, so its
 * lines say what the store already held; POST /collect answers a sender without telling that.
 */
import { FileRefused, readRegularFile } from './regular-file';
import { isExportDocument, openExport, sha256Hex } from './export-file';
import type { Limits } from './limits';
import type { CollectorClock } from './platform';
import { replaces } from './replacement';
import { utcDay } from './retention';
import { IMPORT_SOURCE } from './source-tag';
import type { ReportWrite, Store } from './store/types';
import { parseJson, storedForm } from './validation';

type PriorImport = 'already present' | 'newer report kept' | null;

/**
 * What the report's row (its instance, day and deletion key: replacement.ts) holds that stops it:
 * the same moment (imported before), a newer report (kept: newest wins), or nothing.
 */
async function priorImport(store: Pick<Store, 'findReport'>, write: ReportWrite): Promise<PriorImport> {
  const existing = await store.findReport(write.day, write.instanceId, write.deletionKeyHash);
  if (existing === null) return null;
  if (existing.receivedAt === write.receivedAt) return 'already present';
  return replaces(write, existing) ? null : 'newer report kept';
}

export interface ImportIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** JSON escaping can make the file up to six times the report; the report's own limit is checked inside. */
const fileLimit = (limits: Pick<Limits, 'maxBodyBytes'>) => 6 * limits.maxBodyBytes + 4096;

async function importOne(file: string, store: Store, limits: Limits, clock: Pick<CollectorClock, 'now'>): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(file, fileLimit(limits));
  } catch (error) {
    if (error instanceof FileRefused) throw new ImportRefused(error.message.startsWith('larger') ? 'larger than any export file' : error.message);
    throw new ImportRefused(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const json = parseJson(bytes, limits.maxJsonDepth, 'file');
  if (!json.ok || !isExportDocument(json.input))
    throw new ImportRefused(json.ok || json.status === 400 ? 'not a JSON export file' : `${json.path || '(root)'}: ${json.message}`);
  const opened = openExport(json.input, limits, clock.now());
  if (!opened.ok) throw new ImportRefused(`${opened.path ?? '(root)'}: ${opened.message}`);
  const { report, exportedAt, reportSha256, dropped } = opened;
  // The receipt, as POST /collect gives it: the sha256 of the bytes read (the file), and of its report;
  // then the same field paths POST /collect lists in its answer.
  const receipt = `(sha256 ${sha256Hex(bytes)}, report sha256 ${reportSha256})`;
  const note = dropped.length > 0 ? ` (dropped: ${dropped.join(', ')})` : '';
  const { payload, deletionKeyHash } = storedForm(report);
  const write: ReportWrite = {
    day: utcDay(exportedAt!),
    instanceId: report.id,
    receivedAt: exportedAt!,
    count: 1,
    source: IMPORT_SOURCE,
    receivedSha256: reportSha256,
    payload,
    deletionKeyHash,
  };
  const prior = await priorImport(store, write);
  if (prior !== null) return `${prior} ${file} ${receipt}${note}`;
  const {
    outcomes: [outcome],
  } = await store.writeReports([write], limits.instanceWritesPerDay);
  if (outcome === 'capped') throw new ImportRefused(`this instance already has ${limits.instanceWritesPerDay} reports stored for that day`);
  // Another writer stored a newer report of the row between the look and the write.
  if (outcome === 'kept') return `newer report kept ${file} ${receipt}${note}`;
  return `imported ${file} ${receipt}${note}`;
}

class ImportRefused extends Error {}

/** Imports each file in turn; one line per file (stdout when stored or present, stderr when not). */
export async function importFiles(
  files: readonly string[],
  store: Store,
  limits: Limits,
  clock: Pick<CollectorClock, 'now'>,
  io: ImportIo,
): Promise<{ failed: number }> {
  let failed = 0;
  for (const file of files) {
    try {
      io.out(await importOne(file, store, limits, clock));
    } catch (error) {
      failed++;
      const reason = error instanceof ImportRefused ? error.message : 'the store failed';
      io.err(`candor-collector import: ${file}: ${reason}`);
    }
  }
  return { failed };
}
