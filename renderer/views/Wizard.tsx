/**
 * First run: what is shared and what never is, connect the server, see the exact payload, choose
 * how much to share, with the exact bytes of the level pointed at. Full sharing is preselected, as
 * the policy says ("enabled by default"); nothing is sent before the answer. When a config setting
 * has already decided, the wizard says which one and does not ask.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ConnectionForm } from '../components/ConnectionForm';
import { LevelPicker } from '../components/LevelPicker';
import { LevelPreview } from '../components/LevelPreview';
import { NeverCollected, WhatIsCollected } from '../components/NeverCollected';
import { Notice, Spinner, ErrorNotice } from '../components/Notice';
import { PayloadExplained, PayloadFacts, RawPayload } from '../components/Payload';
import { collectorName } from '../helpers/format';
import { choiceOf, levelSummary, lowerFirst, POLICY_CATEGORIES, type LevelChoice } from '../helpers/levels';
import { useSaveLevel } from '../state/save-level';
import { useCandor } from '../state/context';
import { SourceProblems } from './Preview';

const STEPS = ['What is shared', 'Your server', 'The exact payload', 'Your choice'] as const;

function LockNotice() {
  const consent = useCandor((s) => s.status?.consent);
  if (!consent?.locked) return null;
  // (The last step says it in its own words.)
  return (
    <Notice tone="locked" title={`Your configuration has already decided: ${lowerFirst(levelSummary(consent))}.`}>
      <p>
        It is set by {consent.decidedByLabel}. Candor will not ask you to choose; a configuration setting always wins. This walk-through shows what that means.
      </p>
    </Notice>
  );
}

/** Where reports go: the collector actually configured (the config file or Settings may name another than Navidrome's). */
function ReportsGoTo() {
  const endpoint = useCandor((s) => s.status?.settings.endpoint);
  if (!endpoint) return null;
  return (
    <p className="help" data-testid="wizard-endpoint">
      Reports go to <strong>{collectorName(endpoint)}</strong> (<code>{endpoint}</code>), at most once a day.
    </p>
  );
}

function StepWhat() {
  const catalog = useCandor((s) => s.catalog);
  return (
    <>
      <p className="lede">
        Navidrome asks for <strong>anonymous usage statistics</strong> to learn which systems and features its users have, so that updates do not break what
        most people use. Candor shows you exactly what would be sent, before anything leaves, and lets you change your mind at any time.
      </p>
      <ReportsGoTo />
      <div className="two-col">
        <WhatIsCollected headingLevel={3} />
        <NeverCollected headingLevel={3} />
      </div>
      <details className="panel catalog">
        <summary>Every field Candor can send, explained ({catalog.filter((f) => f.source !== 'navidrome-only').length})</summary>
        <dl className="fields">
          {catalog
            .filter((f) => f.source !== 'navidrome-only')
            .map((f) => (
              <div key={f.path} className="field-row">
                <dt>
                  <code className="field-path">{f.path}</code>
                </dt>
                <dd>{f.explain}</dd>
              </div>
            ))}
        </dl>
      </details>
    </>
  );
}

function StepServer({ onSaved }: { onSaved: () => void }) {
  return (
    <>
      <p className="lede">
        Candor reads counts and settings from your music server with an administrator account. The address, user name and password stay on this machine; none of
        them is ever sent. You can skip this and do it later in Settings.
      </p>
      <ConnectionForm onSaved={onSaved} saveLabel="Save and continue" />
    </>
  );
}

function StepPreview() {
  const preview = useCandor((s) => s.preview);
  const error = useCandor((s) => s.previewError);
  const catalog = useCandor((s) => s.catalog);
  const status = useCandor((s) => s.status);
  if (!preview) {
    return error ? (
      <Notice tone="error" title="The preview could not be made.">
        <p>{error}</p>
      </Notice>
    ) : (
      <p className="loading" role="status">
        <Spinner label="Reading your server and this machine…" />
      </p>
    );
  }
  return (
    <>
      <p className="lede">This is exactly what would be sent today, byte for byte. Fields Candor cannot know are left out, never guessed.</p>
      <PayloadFacts preview={preview} />
      {status ? <SourceProblems status={status} /> : null}
      <RawPayload text={preview.text} />
      <details className="panel">
        <summary>The same report, explained field by field</summary>
        <PayloadExplained text={preview.text} catalog={catalog} />
      </details>
    </>
  );
}

function StepChoice({ onDone }: { onDone: () => void }) {
  const consent = useCandor((s) => s.status?.consent);
  const finish = useCandor((s) => s.finishWizard);
  // Full is preselected: the policy's default.
  const [choice, setChoice] = useState<LevelChoice>(() => (consent ? choiceOf(consent) : { mode: 'share', categories: [...POLICY_CATEGORIES] }));
  const { busy, error, save: saveLevel } = useSaveLevel();
  if (!consent) return null;

  if (consent.locked) {
    return (
      <>
        <Notice tone="locked" title={`${levelSummary(consent)}: set by ${consent.decidedByLabel}.`}>
          <p>
            {consent.sharing
              ? 'Reports like the one you just saw are sent at most once a day.'
              : consent.level === 'local'
                ? 'A report is built each day and kept in the history on this machine; nothing is sent.'
                : 'Nothing is sent. Candor still shows you what would be sent, in the preview.'}{' '}
            To decide here instead, remove that setting; Candor will then ask you.
          </p>
        </Notice>
        <div className="actions">
          <button
            type="button"
            className="button primary"
            onClick={() => {
              finish();
              onDone();
            }}
          >
            Continue to Candor
          </button>
        </div>
      </>
    );
  }

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!(await saveLevel(choice))) return;
    finish();
    onDone();
  };

  return (
    <form onSubmit={(event) => void save(event)} className="form level-step">
      <div className="level-step-grid">
        <div>
          <LevelPicker value={choice} onChange={setChoice} legend="How much do you share with the Navidrome project?" />
          <p className="help">You can change this at any time in Settings. It takes effect at once.</p>
          <ReportsGoTo />
        </div>
        <LevelPreview choice={choice} />
      </div>
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? <Spinner label="Saving…" /> : 'Save my choice'}
        </button>
      </div>
      <ErrorNotice error={error} />
    </form>
  );
}

export function Wizard({ onDone }: { onDone: () => void }) {
  const [step, setStep] = useState(0);
  const hasServer = useCandor((s) => Boolean(s.status?.settings.server.url));
  const locked = useCandor((s) => Boolean(s.status?.consent.locked));
  const headingRef = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    headingRef.current?.focus();
  }, [step]);

  const next = () => setStep((s) => Math.min(STEPS.length - 1, s + 1));
  const back = () => setStep((s) => Math.max(0, s - 1));

  return (
    <div className="view wizard">
      <p className="eyebrow">Welcome to Candor</p>
      <nav aria-label="Setup steps">
        <ol className="steps">
          {STEPS.map((title, i) => (
            <li key={title} className={i === step ? 'is-current' : i < step ? 'is-done' : ''} aria-current={i === step ? 'step' : undefined}>
              <span className="step-number" aria-hidden="true">
                {i + 1}
              </span>
              <span className="step-title">
                <span className="visually-hidden">
                  Step {i + 1} of {STEPS.length}:{' '}
                </span>
                {title}
              </span>
            </li>
          ))}
        </ol>
      </nav>
      <h1 ref={headingRef} tabIndex={-1} className="view-title">
        {step === STEPS.length - 1 && locked ? 'Already decided' : STEPS[step]}
      </h1>
      {step < STEPS.length - 1 ? <LockNotice /> : null}
      <div className="wizard-body">
        {step === 0 ? <StepWhat /> : null}
        {step === 1 ? <StepServer onSaved={next} /> : null}
        {step === 2 ? <StepPreview /> : null}
        {step === 3 ? <StepChoice onDone={onDone} /> : null}
      </div>
      <div className="wizard-nav">
        {step > 0 ? (
          <button type="button" className="button secondary" onClick={back}>
            Back
          </button>
        ) : (
          <span />
        )}
        {step < STEPS.length - 1 ? (
          <button type="button" className="button primary" onClick={next}>
            {step === 1 && !hasServer ? 'Skip for now' : 'Next'}
          </button>
        ) : null}
      </div>
    </div>
  );
}
