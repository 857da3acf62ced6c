import type { AgentStatus, ConsentState } from '../../shared/api-contract';
import { LockedBy } from '../components/Field';
import { LocalExplained } from '../components/LocalExplained';
import { GuardVerdict, FieldChangesCompact, OmittedFields, PayloadFacts, PayloadTabs } from '../components/Payload';
import { NeverCollected } from '../components/NeverCollected';
import { Notice, Spinner } from '../components/Notice';
import { TimeAgo } from '../components/TimeAgo';
import { Icon } from '../components/Icon';
import { ViewHeading } from '../components/ViewHeading';
import { downloadText, timestampForFile } from '../helpers/download';
import { describeLevel, liveLevel } from '../helpers/levels';
import { hrefFor } from '../state/router';
import { useCandor } from '../state/context';

export function WhenSent({ status }: { status: AgentStatus }) {
  const { consent, schedule } = status;
  if (consent.level === 'local') {
    return (
      <LocalExplained>
        <p>
          {schedule.nextDueAt ? (
            <>
              The next one is due <TimeAgo at={schedule.nextDueAt} absolute />.{' '}
            </>
          ) : null}
          {consent.locked ? <>Decided by {consent.decidedByLabel}.</> : null}
        </p>
      </LocalExplained>
    );
  }
  if (!consent.sharing) {
    return (
      <Notice tone={consent.locked ? 'locked' : 'info'} title="Sharing is off: nothing is sent.">
        <p>This is what would be sent if sharing were on. {consent.locked ? <>Decided by {consent.decidedByLabel}.</> : null}</p>
      </Notice>
    );
  }
  if (consent.paused) {
    const p = consent.paused;
    return (
      <Notice tone="info" title="Nothing is sent yet.">
        <p>
          {p.reason === 'awaiting-answer' ? 'Candor waits for your answer to the first-run question.' : null}
          {p.reason === 'headless-grace' ? (
            <>
              The first report waits
              {p.until ? (
                <>
                  {' '}
                  until <TimeAgo at={p.until} absolute />
                </>
              ) : null}
              , so you can read what will be sent and opt out first.
            </>
          ) : null}
          {p.reason === 'new-fields' ? (
            <>
              This version can send fields you have not approved. <a href={hrefFor('settings')}>Review them in Settings</a>.
            </>
          ) : null}
        </p>
      </Notice>
    );
  }
  return (
    <p className="when">
      <Icon name="info" /> A report like this one, with the figures of that moment, is due{' '}
      {schedule.nextDueAt ? <TimeAgo at={schedule.nextDueAt} absolute /> : 'soon'}.
    </p>
  );
}

/** Which level the preview is built at, and where that is decided. */
export function PreviewLevel({ consent }: { consent: ConsentState }) {
  const { level, categories } = liveLevel(consent);
  const shown = describeLevel(level, categories);
  return (
    <p className="level-line" data-testid="preview-level">
      {consent.level === 'off' ? (
        <>
          Sharing is off. Shown at the level your answer would share at: <strong>{shown}</strong>.
        </>
      ) : (
        <>
          Shown at your level: <strong>{shown}</strong>
          {consent.level === 'local' ? ', kept here and never sent.' : '.'}
        </>
      )}{' '}
      {consent.locked ? <LockedBy by={consent.decidedByLabel} /> : <a href={hrefFor('settings')}>Change the level in Settings</a>}
    </p>
  );
}

export function SourceProblems({ status }: { status: AgentStatus }) {
  const problems = status.sources.filter((s) => s.state === 'failed' || s.state === 'partial');
  if (problems.length === 0) return null;
  // Folders missing on this machine (a server in a container, or elsewhere) are not a connection problem.
  const connection = problems.some((p) => p.source !== 'filesystems' && p.source !== 'host');
  return (
    <Notice tone="warn" title="Some facts could not be read, so they are left out.">
      <ul className="plain-list">
        {problems.map((p) => (
          <li key={p.source}>{p.message}</li>
        ))}
      </ul>
      {connection ? (
        <p>
          <a href={hrefFor('settings')}>Check the server connection in Settings</a>.
        </p>
      ) : null}
    </Notice>
  );
}

export function PreviewScreen() {
  const preview = useCandor((s) => s.preview);
  const error = useCandor((s) => s.previewError);
  const refreshing = useCandor((s) => s.refreshing);
  const catalog = useCandor((s) => s.catalog);
  const status = useCandor((s) => s.status);
  const refresh = useCandor((s) => s.refreshPreview);
  const loadPreview = useCandor((s) => s.loadPreview);
  const announce = useCandor((s) => s.announce);

  const copy = async () => {
    if (!preview) return;
    try {
      await navigator.clipboard.writeText(preview.text);
      announce('The exact bytes were copied.');
    } catch {
      announce('Copying is not allowed here; select the text under "Exact bytes" instead.');
    }
  };

  return (
    <div className="view preview-view">
      <ViewHeading>What would be sent next</ViewHeading>
      {status ? <WhenSent status={status} /> : null}
      {!preview && !error ? (
        <p className="loading" role="status">
          <Spinner label="Reading your server and this machine…" />
        </p>
      ) : null}
      {!preview && error ? (
        <Notice tone="error" title="The preview could not be made." role="alert">
          <p>{error}</p>
          <button type="button" className="button secondary" onClick={() => void loadPreview()}>
            Try again
          </button>
        </Notice>
      ) : null}
      {preview ? (
        <div className="split">
          <div className="split-main">
            <section className="panel" aria-labelledby="payload-title">
              <div className="panel-head">
                <h2 id="payload-title">The exact payload</h2>
                <div className="actions">
                  <button type="button" className="button secondary" onClick={() => void refresh()} disabled={refreshing} aria-busy={refreshing}>
                    {refreshing ? (
                      <Spinner label="Refreshing…" />
                    ) : (
                      <>
                        <Icon name="refresh" /> Refresh
                      </>
                    )}
                  </button>
                  <button type="button" className="button secondary" onClick={() => void copy()}>
                    Copy
                  </button>
                  <button type="button" className="button secondary" onClick={() => downloadText(`candor-preview-${timestampForFile()}.json`, preview.text)}>
                    Download
                  </button>
                </div>
              </div>
              {status ? <PreviewLevel consent={status.consent} /> : null}
              <PayloadFacts preview={preview} />
              <p className="muted small">
                Built <TimeAgo at={preview.builtAt} past />. It updates by itself while this page is open.
              </p>
              {error ? (
                <Notice tone="error">
                  <p>{error}</p>
                </Notice>
              ) : null}
              <GuardVerdict guard={preview.guard} />
              {status ? <SourceProblems status={status} /> : null}
              <PayloadTabs text={preview.text} catalog={catalog} idPrefix="preview" />
            </section>
          </div>
          <aside className="split-side" aria-label="Changes and what is left out">
            <section className="panel" aria-labelledby="changes-title">
              <h2 id="changes-title">Changed since the last report sent</h2>
              {preview.changesSinceLastSent === null ? (
                <p className="muted">Nothing has been sent yet, so there is nothing to compare with.</p>
              ) : preview.changesSinceLastSent.length === 0 ? (
                <p className="muted">Nothing: identical to the last report sent.</p>
              ) : (
                <FieldChangesCompact changes={preview.changesSinceLastSent} />
              )}
            </section>
            <OmittedFields omitted={preview.omitted} location={preview.serverLocation} />
            <NeverCollected />
          </aside>
        </div>
      ) : null}
    </div>
  );
}
