/**
 * Whether and how much is shared: the one-click switch (do reports leave this machine?), the level
 * and its categories, what decided them (locked when a configuration setting did), what `local`
 * means, why sending is paused, and the approval of new fields.
 */
import { useId, useState } from 'react';
import type { AgentStatus, ConsentState } from '../../../shared/api-contract';
import { LocalExplained } from '../../components/LocalExplained';
import { Notice, ErrorNotice } from '../../components/Notice';
import { TimeAgo } from '../../components/TimeAgo';
import { levelSummary } from '../../helpers/levels';
import { messageOf } from '../../state/messages';
import { useCandor } from '../../state/context';
import { ApproveFields } from './ApproveFields';
import { LevelForm } from './LevelForm';

export function pauseText(paused: NonNullable<ConsentState['paused']>): string {
  switch (paused.reason) {
    case 'awaiting-answer':
      return 'Nothing is sent until you answer the first-run question.';
    case 'headless-grace':
      return 'The first report waits a little after the first start, so you can read what will be sent and opt out first.';
    case 'new-fields':
      return 'Sending is paused: this version can send fields you have not approved yet.';
  }
}

const STORED_ANSWER: Record<NonNullable<ConsentState['storedChoice']>, string> = { share: 'share', local: 'keep reports here only', decline: 'don’t share' };

function SharingSwitch({ consent: c }: { consent: ConsentState }) {
  const setConsent = useCandor((s) => s.setConsent);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      // Back on, at the categories stored with the answer.
      await (c.sharing ? setConsent('decline') : setConsent('share', c.storedCategories));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="switch-row">
        <button
          type="button"
          role="switch"
          id={`${id}-switch`}
          aria-checked={c.sharing}
          aria-disabled={c.locked || busy}
          aria-describedby={`${id}-desc`}
          className={`switch${c.sharing ? ' is-on' : ''}${c.locked ? ' is-locked' : ''}`}
          onClick={() => {
            if (!c.locked && !busy) void toggle();
          }}
        >
          <span className="switch-track" aria-hidden="true">
            <span className="switch-thumb" />
          </span>
          <span className="switch-label">Share anonymous usage statistics</span>
        </button>
        <span className="switch-state" aria-hidden="true">
          {c.sharing ? 'On' : 'Off'}
        </span>
      </div>
      <div id={`${id}-desc`}>
        {c.locked ? (
          <Notice tone="locked" title={`${levelSummary(c)}, set by ${c.decidedByLabel}.`}>
            <p>A setting in the configuration always wins over this page. To change it, change or remove that setting.</p>
            <p className="muted small">
              Your own answer in Candor: {c.storedChoice ? STORED_ANSWER[c.storedChoice] : 'not given'}
              {c.storedChoice ? ' (used only if that setting is removed).' : '.'}
            </p>
          </Notice>
        ) : (
          <p className="help">
            {c.decidedBy === 'default' ? 'You have not chosen yet; the policy’s default is to share. ' : null}
            Changes take effect at once. Turning sharing off cancels anything pending.
          </p>
        )}
      </div>
      <ErrorNotice error={error} />
    </>
  );
}

export function SharingSection({ status }: { status: AgentStatus }) {
  const c = status.consent;
  return (
    <section className="panel" aria-labelledby="sharing-title">
      <h2 id="sharing-title">Sharing</h2>
      <SharingSwitch consent={c} />
      {c.level === 'local' ? <LocalExplained /> : null}
      {c.paused ? (
        <Notice tone="info">
          <p>
            {pauseText(c.paused)}
            {c.paused.until ? (
              <>
                {' '}
                First report <TimeAgo at={c.paused.until} absolute />.
              </>
            ) : null}
          </p>
        </Notice>
      ) : null}
      {c.paused?.reason === 'new-fields' && c.paused.fields ? <ApproveFields fields={c.paused.fields} /> : null}
      {/* A new level in force (here, from the switch or from another process) starts the form again from it. */}
      <LevelForm key={`${c.level}:${c.categories.join()}:${c.storedCategories.join()}:${c.locked}`} consent={c} />
    </section>
  );
}
