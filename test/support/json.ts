import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { HistoryEntry } from '../../shared/api-contract';

/**
 * JSON a test reads back (CLI output, a state file, a report body), typed as what the code under
 * test promises to produce. The type is the test's expectation, not a check: the assertions that
 * follow are what prove the shape.
 */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** A JSON file on disk, read and parsed as `parseJson` does. */
export function readJson<T>(file: string): T {
  return parseJson<T>(readFileSync(file, 'utf8'));
}

/** The history file of a data folder as it is on disk: each attempt once, as its last line says. */
export function readHistoryFile(home: string): HistoryEntry[] {
  const byId = new Map<string, HistoryEntry>();
  for (const line of readFileSync(path.join(home, 'history.jsonl'), 'utf8').split('\n').filter(Boolean)) {
    const entry = parseJson<HistoryEntry>(line);
    byId.set(entry.id, entry);
  }
  return [...byId.values()];
}

// Shapes the code writes as text with no type of its own, as the tests read them back.

/** The file `candor export` writes (core/send/report-export.ts). */
export interface ExportFile {
  candorExport: number;
  level: string;
  categories: string[];
  createdAt: string;
  sha256: string;
  /** The report's exact bytes. */
  report: string;
}

/** What `exportHistory` returns (core/history/history-store.ts). */
export interface HistoryExport {
  exportedAt: string;
  entries: HistoryEntry[];
}
