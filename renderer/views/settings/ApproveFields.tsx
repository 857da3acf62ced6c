/** Sharing paused for new fields: each field with its category and explanation, approve or turn sharing off. */
import { useMemo, useState } from 'react';
import { ErrorNotice } from '../../components/Notice';
import { categoryTitle } from '../../components/Payload';
import { messageOf } from '../../state/messages';
import { useCandor } from '../../state/context';

export function ApproveFields({ fields }: { fields: string[] }) {
  const catalog = useCandor((s) => s.catalog);
  const approve = useCandor((s) => s.approveFields);
  const setConsent = useCandor((s) => s.setConsent);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const byPath = useMemo(() => new Map(catalog.map((f) => [f.path, f])), [catalog]);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="approve" role="group" aria-labelledby="approve-title">
      <h3 id="approve-title">
        {fields.length} new {fields.length === 1 ? 'field needs' : 'fields need'} your approval
      </h3>
      <p>Nothing more is sent until you approve these. Everything you approved before stays as it was.</p>
      <table className="changes">
        <thead>
          <tr>
            <th scope="col">New field</th>
            <th scope="col">Category</th>
            <th scope="col">What it is</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((path) => {
            const info = byPath.get(path);
            return (
              <tr key={path} className="change-added">
                <th scope="row">
                  <code>{path}</code>
                  {info ? <span className="change-explain">{info.type}</span> : null}
                </th>
                <td>{info ? categoryTitle(info.category) : '—'}</td>
                <td>{info?.explain ?? 'No explanation is available for this field.'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="actions">
        <button type="button" className="button primary" disabled={busy} onClick={() => void run(() => approve(fields))}>
          Approve and resume sharing
        </button>
        <button type="button" className="button secondary" disabled={busy} onClick={() => void run(() => setConsent('decline'))}>
          Turn sharing off instead
        </button>
      </div>
      <ErrorNotice error={error} />
    </div>
  );
}
