/**
 * Importing export files (export-file.ts): the rule shared by POST /collect and the
 * `candor-collector import` command, and the command itself, which works on the store directly
 * (no server needed; a running collector on the same store shows the reports after its next pass).
 */
import { readFile, stat } from 'node:fs/promises';
import { isExportDocument, openExport, sha256Hex } from './export-file';
import type { Limits } from './limits';
import type { CollectorClock } from './platform';
import { utcDay } from './retention';
import { IMPORT_SOURCE } from './source-tag';
import type { Store } from './store/types';
import { parseJson, storedForm, type Report } from './validation';

export type PriorImport = 'already stored' | 'newer report kept' | null;

/**
 * What is already stored for an exported report: the same report (the same instance, day and
 * moment: imported before), a newer one of that day (kept: newest wins), or nothing to stop it.
 */
export async function priorImport(store: Pick<Store, 'findReport'>, report: Report, exportedAt: number): Promise<PriorImport> {
  const existing = await store.findReport(utcDay(exportedAt), report.id);
  if (existing === null || existing.receivedAt < exportedAt) return null;
  return existing.receivedAt === exportedAt ? 'already stored' : 'newer report kept';
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
    if ((await stat(file)).size > fileLimit(limits)) throw new ImportRefused('larger than any export file');
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof ImportRefused) throw error;
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
  const prior = await priorImport(store, report, exportedAt!);
  if (prior === 'already stored') return `already present ${file} ${receipt}${note}`;
  if (prior === 'newer report kept') return `newer report kept ${file} ${receipt}${note}`;
  const [outcome] = await store.writeReports(
    [
      {
        day: utcDay(exportedAt!),
        instanceId: report.id,
        receivedAt: exportedAt!,
        count: 1,
        source: IMPORT_SOURCE,
        receivedSha256: reportSha256,
        ...storedForm(report),
      },
    ],
    limits.instanceWritesPerDay,
  );
  if (outcome === 'capped') throw new ImportRefused(`this instance already has ${limits.instanceWritesPerDay} reports stored for that day`);
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
