/**
 * "Export for a machine without internet": the next report at the current level, written to a file
 * the user carries to a machine that can reach the collector. The agent logs it in the history as
 * exported; the page saves it through the browser's download (the desktop window does the same).
 */
import { useState } from 'react';
import type { AgentStatus, ExportedReport } from '../../../shared/api-contract';
import { ErrorNotice, Notice, Spinner } from '../../components/Notice';
import { describeLevel } from '../../helpers/levels';
import { downloadText } from '../../helpers/download';
import { messageOf } from '../../state/messages';
import { useApi, useCandor } from '../../state/context';

export function ExportSection({ status }: { status: AgentStatus }) {
  const api = useApi();
  const announce = useCandor((s) => s.announce);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ExportedReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const off = status.consent.level === 'off';

  const run = async () => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const exported = await api.exportReport();
      downloadText(exported.fileName, exported.text);
      setDone(exported);
      announce(`Saved ${exported.fileName}.`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">For a machine without internet</h2>
      <p className="help spaced" id="export-help">
        {off
          ? 'Sharing is off, so there is no report to export. Choose a level above first.'
          : `Saves the next report at your level (${describeLevel(status.consent.level, status.consent.categories)}) as a file, with its SHA-256. Carry it to a machine with internet and hand it to the collector there. It is written to the history as exported; nothing is sent from here.`}
      </p>
      <div className="actions">
        <button type="button" className="button secondary" onClick={() => void run()} disabled={off || busy} aria-busy={busy} aria-describedby="export-help">
          {busy ? <Spinner label="Exporting…" /> : 'Export for a machine without internet'}
        </button>
      </div>
      {done ? (
        <Notice tone="ok" role="status">
          <p>
            Saved <code>{done.fileName}</code>. SHA-256 of the report: <code className="hash">{done.sha256}</code>
          </p>
        </Notice>
      ) : null}
      <ErrorNotice error={error} />
    </section>
  );
}
