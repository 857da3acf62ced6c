/**
 * "Check what the collector holds": the API's `verifyRemoteData` (the same as `candor verify`),
 * its verdict in words, and each report held or missing, matched to the attempt that sent it.
 */
import { useState } from 'react';
import type { HeldReportCheck, VerifyReport } from '../../shared/api-contract';
import { formatAbsolute, formatNumber } from '../helpers/format';
import { messageOf } from '../state/messages';
import { useApi, useCandor } from '../state/context';
import { Notice, Spinner } from './Notice';

const VERDICTS: Record<HeldReportCheck['verdict'], { label: string; badge: string }> = {
  'sent-from-here': { label: 'Sent from here', badge: 'sent' },
  'not-from-here': { label: 'Never sent from here', badge: 'refused' },
  'different-bytes': { label: 'Not the bytes sent', badge: 'refused' },
};

function HeldList({ report }: { report: VerifyReport }) {
  const missing = report.missing.filter((m) => m.reason === 'missing');
  const replaced = report.missing.length - missing.length;
  // What needs attention first; then by day, as the collector listed them.
  const held = [...report.held].sort((a, b) => Number(a.verdict === 'sent-from-here') - Number(b.verdict === 'sent-from-here'));
  const problems = held.filter((h) => h.verdict !== 'sent-from-here').length;
  return (
    <>
      {report.held.length > 0 ? (
        <table className="changes check-table">
          <caption>Held by the collector{problems > 0 ? ': what was not sent from here first' : ''}</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Verdict</th>
              <th scope="col">Sent from here</th>
              <th scope="col">Deleted at</th>
              <th scope="col">SHA-256 of the bytes it received</th>
            </tr>
          </thead>
          <tbody>
            {held.map((h, i) => (
              <tr key={i}>
                <td className="nowrap">{h.day}</td>
                <td>
                  <span className={`badge badge-${VERDICTS[h.verdict].badge}`}>{VERDICTS[h.verdict].label}</span>
                  {h.verdict === 'not-from-here' ? <span className="change-explain">Someone who knows this machine’s ID, or a damaged row.</span> : null}
                </td>
                <td>{h.entry ? formatAbsolute(h.entry.at) : <span className="muted">never</span>}</td>
                <td>{h.expiresAt ? formatAbsolute(h.expiresAt) : <span className="muted">not said</span>}</td>
                <td>
                  <code className="hash">{h.sha256 ?? '(stored before receipts)'}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {replaced > 0 ? (
        <p className="muted small">
          {replaced === 1 ? 'One report sent from here was' : `${formatNumber(replaced)} reports sent from here were`} replaced by a later report of the same
          day: the collector keeps the newest of each day.
        </p>
      ) : null}
      {missing.length > 0 ? (
        <table className="changes check-table">
          <caption>Sent from here, not held: deleted, or never stored</caption>
          <thead>
            <tr>
              <th scope="col">Sent</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {missing.map((m) => (
              <tr key={m.entry.id}>
                <td>{formatAbsolute(m.entry.at)}</td>
                <td>
                  <code className="hash">{m.entry.sha256}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </>
  );
}

/** The state of one check: the button starts it, the result panel shows it (they live apart on the page). */
export function useCollectorCheck() {
  const api = useApi();
  const announce = useCandor((s) => s.announce);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const check = async () => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.verifyRemoteData();
      setReport(r);
      announce(r.message);
    } catch (e) {
      setReport(null);
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, report, error, check, dismiss: () => (setReport(null), setError(null)) };
}

export type CollectorCheckState = ReturnType<typeof useCollectorCheck>;

export function CollectorCheckButton({ state }: { state: CollectorCheckState }) {
  return (
    <button type="button" className="button secondary" onClick={() => void state.check()} disabled={state.busy} aria-busy={state.busy}>
      {state.busy ? <Spinner label="Asking the collector…" /> : 'Check what the collector holds'}
    </button>
  );
}

/** Nothing until a check was asked for; then its verdict in words, and each report held or missing. */
export function CollectorCheckResult({ state }: { state: CollectorCheckState }) {
  const { report, error } = state;
  if (!report && !error) return null;
  return (
    <section className="panel collector-check" aria-labelledby="collector-check-title" data-testid="collector-check-result">
      <div className="panel-head">
        <h2 id="collector-check-title">What the collector holds</h2>
        <button type="button" className="button link" onClick={state.dismiss}>
          Close
        </button>
      </div>
      {error ? (
        <Notice tone="error" role="alert">
          <p>{error}</p>
        </Notice>
      ) : null}
      {report ? (
        <>
          <Notice tone={report.ok ? 'ok' : report.asked === 'answered' ? 'warn' : 'error'} role={report.ok ? 'status' : 'alert'}>
            <p>{report.message}</p>
            <p className="muted small">
              Asked {report.endpoint} at {formatAbsolute(report.checkedAt)}
              {report.ids > 1 ? ` about ${report.ids} anonymous IDs (this one and earlier ones)` : ''}, proven by this machine’s secret; each report is matched
              to the attempt that sent it by the collector’s receipt. Nothing was changed.
            </p>
          </Notice>
          <HeldList report={report} />
        </>
      ) : null}
    </section>
  );
}
