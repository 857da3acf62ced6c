import { useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import type { AgentStatus, ConsentState, SourceHealth } from '../../electron/core/api/contract';
import { ConnectionForm, LockedBy } from '../components/ConnectionForm';
import { Icon } from '../components/Icon';
import { Notice, Spinner, ErrorNotice } from '../components/Notice';
import { categoryTitle } from '../components/Payload';
import { TimeAgo } from '../components/TimeAgo';
import { ViewHeading } from '../components/ViewHeading';
import { messageOf } from '../state/store';
import { useApi, useCandor } from '../state/context';

const SOURCE_NAMES: Record<SourceHealth['source'], string> = {
  server: 'Music server',
  'server-config': "Server's settings",
  uptime: 'Server start time',
  host: 'This machine',
  filesystems: 'Folder filesystems',
};
const STATE_TEXT: Record<SourceHealth['state'], string> = { ok: 'OK', partial: 'Partly read', failed: 'Failed', skipped: 'Not used' };

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

function SharingSection({ status }: { status: AgentStatus }) {
  const setConsent = useCandor((s) => s.setConsent);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const c = status.consent;

  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await setConsent(c.sharing ? 'decline' : 'share');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="sharing-title">
      <h2 id="sharing-title">Sharing</h2>
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
          <Notice tone="locked" title={`Sharing is ${c.sharing ? 'on' : 'off'}, set by ${c.decidedByLabel}.`}>
            <p>A setting in the configuration always wins over this switch. To change it, change or remove that setting.</p>
            <p className="muted small">
              Your own answer in Candor: {c.storedChoice === 'share' ? 'share' : c.storedChoice === 'decline' ? 'don’t share' : 'not given'}
              {c.storedChoice ? ' (used only if that setting is removed).' : '.'}
            </p>
          </Notice>
        ) : (
          <p className="help">
            {c.decidedBy === 'default' ? 'You have not chosen yet; the policy’s default is to share. ' : null}
            Changes take effect at once. Turning sharing off cancels anything pending.
          </p>
        )}
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
      </div>
      <ErrorNotice error={error} />
      {c.paused?.reason === 'new-fields' && c.paused.fields ? <ApproveFields fields={c.paused.fields} /> : null}
    </section>
  );
}

function ApproveFields({ fields }: { fields: string[] }) {
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

function ScheduleSection({ status }: { status: AgentStatus }) {
  const sending = useCandor((s) => s.sending);
  const lastSend = useCandor((s) => s.lastSend);
  const sendNow = useCandor((s) => s.sendNow);
  const { schedule, consent } = status;
  const may = consent.sharing && consent.paused === null;
  const last = schedule.lastAttempt;
  return (
    <section className="panel" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Sending</h2>
      <dl className="facts facts-grid">
        <div>
          <dt>Next report</dt>
          <dd>{schedule.nextDueAt ? <TimeAgo at={schedule.nextDueAt} absolute /> : may ? 'Not planned yet' : 'None: sharing is off or paused'}</dd>
        </div>
        <div>
          <dt>Last sent</dt>
          <dd>{schedule.lastSuccessAt ? <TimeAgo at={schedule.lastSuccessAt} absolute /> : 'Never'}</dd>
        </div>
        <div className="facts-wide">
          <dt>Last attempt</dt>
          <dd>
            {last ? (
              <>
                <span className={`badge badge-${last.ok ? 'sent' : 'failed'}`}>{last.ok ? 'Sent' : 'Failed'}</span> <TimeAgo at={last.at} />: {last.message}
                {!last.ok && schedule.consecutiveFailures > 1 ? ` (${schedule.consecutiveFailures} failures in a row; Candor waits longer after each.)` : null}
              </>
            ) : (
              'Nothing has been sent yet.'
            )}
          </dd>
        </div>
      </dl>
      <div className="actions">
        <button type="button" className="button primary" onClick={() => void sendNow()} disabled={!may || sending} aria-busy={sending} aria-describedby="send-help">
          {sending ? <Spinner label="Sending…" /> : 'Send now'}
        </button>
      </div>
      {sending ? <progress className="progress" aria-label="Sending the report" /> : null}
      <p className="help" id="send-help">
        {may ? 'Sends the report shown in the preview right away, outside the daily schedule. The result is written to the history.' : 'Sending is not possible while sharing is off or paused.'}
      </p>
      {lastSend && !sending ? (
        <Notice tone={lastSend.ok ? 'ok' : 'error'} role="status">
          <p>{lastSend.message}</p>
        </Notice>
      ) : null}
    </section>
  );
}

type FormMessageValue = { ok: boolean; text: string } | null;

/** One settings form's save cycle: busy while saving, then a success or error message. */
function useSave() {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<FormMessageValue>(null);
  const run = async (work: () => Promise<string>) => {
    setBusy(true);
    setMessage(null);
    try {
      setMessage({ ok: true, text: await work() });
    } catch (e) {
      setMessage({ ok: false, text: messageOf(e) });
    } finally {
      setBusy(false);
    }
  };
  return { busy, message, setMessage, run };
}

function SaveButton({ locked, busy, disabled = false }: { locked: string | undefined; busy: boolean; disabled?: boolean }) {
  if (locked) return null;
  return (
    <button type="submit" className="button secondary" disabled={busy || disabled}>
      {busy ? <Spinner label="Saving…" /> : 'Save'}
    </button>
  );
}

function FormMessage({ message }: { message: FormMessageValue }) {
  if (!message) return null;
  return (
    <Notice tone={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'}>
      <p>{message.text}</p>
    </Notice>
  );
}

function EndpointSection({ status }: { status: AgentStatus }) {
  const api = useApi();
  const setStatus = useCandor((s) => s.setStatus);
  const [value, setValue] = useState(status.settings.endpoint);
  const { busy, message, run } = useSave();
  const locked = status.settings.fixedBy.endpoint;
  const id = useId();
  const save = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      setStatus(await api.updateSettings({ endpoint: value.trim() }));
      return 'Saved. The next report goes to this address.';
    });
  };
  return (
    <section className="panel" aria-labelledby="endpoint-title">
      <h2 id="endpoint-title">Where reports go</h2>
      <form className="form" onSubmit={save} noValidate>
        <div className="field">
          <label htmlFor={`${id}-endpoint`}>Collector address</label>
          <div className="inline">
            <input
              id={`${id}-endpoint`}
              type="url"
              spellCheck={false}
              autoComplete="off"
              value={value}
              readOnly={Boolean(locked)}
              onChange={(e) => setValue(e.target.value)}
              aria-describedby={`${id}-endpoint-help`}
            />
            <SaveButton locked={locked} busy={busy} disabled={value.trim() === status.settings.endpoint} />
          </div>
          <p className="help" id={`${id}-endpoint-help`}>
            {locked ? <LockedBy by={locked} /> : 'The Navidrome project’s collector by default. You can run your own collector and send reports there instead. https:// is required (plain http:// only to this machine).'}
          </p>
        </div>
      </form>
      <FormMessage message={message} />
    </section>
  );
}

function IdentitySection({ status }: { status: AgentStatus }) {
  const reset = useCandor((s) => s.resetInstanceId);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (wasConfirming.current) openRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  const doReset = async () => {
    setBusy(true);
    setError(null);
    try {
      await reset();
      setConfirming(false);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="identity-title">
      <h2 id="identity-title">Anonymous ID</h2>
      <p>
        {status.instanceId ? (
          <code className="hash" data-testid="instance-id">
            {status.instanceId}
          </code>
        ) : (
          'None yet. A random ID is made when you first agree to share.'
        )}
      </p>
      <p className="help spaced">Random, made on this machine. It is not derived from your hardware, host name or server. It lets the collector count each server once.</p>
      {!status.instanceId ? null : !confirming ? (
        <button ref={openRef} type="button" className="button secondary" onClick={() => setConfirming(true)}>
          Reset the anonymous ID…
        </button>
      ) : (
        <div className="confirm" role="group" aria-labelledby="reset-confirm-title" onKeyDown={(e) => e.key === 'Escape' && setConfirming(false)}>
          <p id="reset-confirm-title">
            <strong>Make a new anonymous ID?</strong> Reports from now on cannot be linked to earlier ones. Earlier reports stay at the collector until they expire (30 days).
          </p>
          <div className="actions">
            <button ref={confirmRef} type="button" className="button danger" onClick={() => void doReset()} disabled={busy}>
              {busy ? <Spinner label="Resetting…" /> : 'Reset the ID'}
            </button>
            <button type="button" className="button secondary" onClick={() => setConfirming(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      )}
      <ErrorNotice error={error} />
    </section>
  );
}

function RetentionSection({ status }: { status: AgentStatus }) {
  const api = useApi();
  const setStatus = useCandor((s) => s.setStatus);
  const reloadHistory = useCandor((s) => s.reloadHistory);
  const [value, setValue] = useState(String(status.settings.historyRetentionDays));
  const { busy, message, setMessage, run } = useSave();
  const locked = status.settings.fixedBy.historyRetentionDays;
  const id = useId();
  const save = (event: FormEvent) => {
    event.preventDefault();
    const days = Number(value);
    if (!Number.isInteger(days) || days < 1 || days > 3650) {
      setMessage({ ok: false, text: 'Enter a whole number of days from 1 to 3650.' });
      return;
    }
    void run(async () => {
      setStatus(await api.updateSettings({ historyRetentionDays: days }));
      void reloadHistory();
      return `Saved. Entries older than ${days} days are removed from this machine.`;
    });
  };
  return (
    <section className="panel" aria-labelledby="retention-title">
      <h2 id="retention-title">Local history</h2>
      <form className="form" onSubmit={save} noValidate>
        <div className="field">
          <label htmlFor={`${id}-days`}>Keep the history of sent reports for (days)</label>
          <div className="inline">
            <input
              id={`${id}-days`}
              className="narrow"
              type="number"
              inputMode="numeric"
              min={1}
              max={3650}
              value={value}
              readOnly={Boolean(locked)}
              onChange={(e) => setValue(e.target.value)}
              aria-describedby={`${id}-days-help`}
              aria-invalid={message !== null && !message.ok}
            />
            <SaveButton locked={locked} busy={busy} />
          </div>
          <p className="help" id={`${id}-days-help`}>
            {locked ? <LockedBy by={locked} /> : 'This is your own copy on this machine. The collector deletes reports after 30 days whatever you choose here.'}
          </p>
        </div>
      </form>
      <FormMessage message={message} />
    </section>
  );
}

function HealthSection({ status }: { status: AgentStatus }) {
  return (
    <section className="panel" aria-labelledby="health-title">
      <h2 id="health-title">Where the facts come from</h2>
      {status.sources.length === 0 ? (
        <p className="muted">Nothing has been read yet.</p>
      ) : (
        <ul className="plain-list health">
          {status.sources.map((s) => (
            <li key={s.source} className={`health-${s.state}`}>
              <Icon name={s.state === 'ok' ? 'check' : s.state === 'skipped' ? 'skip' : 'alert'} />
              <span>
                <span className="health-name">{SOURCE_NAMES[s.source]}:</span> <span className="health-state">{STATE_TEXT[s.state]}</span>
                {s.state !== 'ok' ? <span className="health-message muted">{s.message}</span> : null}
              </span>
            </li>
          ))}
        </ul>
      )}
      {status.warnings.length > 0 ? (
        <Notice tone="warn" title="Things you should know">
          <ul className="plain-list">
            {status.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <p className="muted small">
        Candor {status.agentVersion}, {status.shell === 'desktop' ? 'desktop app' : 'headless'}.
      </p>
    </section>
  );
}

export function SettingsScreen() {
  const status = useCandor((s) => s.status);
  if (!status) return null;
  return (
    <div className="view settings-view">
      <ViewHeading>Settings</ViewHeading>
      <div className="settings-grid">
        <div className="settings-col">
          <SharingSection status={status} />
          <ScheduleSection status={status} />
          <section className="panel" aria-labelledby="server-title">
            <h2 id="server-title">Music server</h2>
            <ConnectionForm showConfigFile />
          </section>
        </div>
        <div className="settings-col">
          <HealthSection status={status} />
          <EndpointSection status={status} />
          <IdentitySection status={status} />
          <RetentionSection status={status} />
        </div>
      </div>
    </div>
  );
}
