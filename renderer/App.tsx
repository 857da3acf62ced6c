import { useRef, type ReactNode } from 'react';
import type { AgentStatus } from '../shared/api-contract';
import { Icon } from './components/Icon';
import { Notice, Spinner } from './components/Notice';
import { TimeAgo, useNow } from './components/TimeAgo';
import { collectorName, formatAbsolute, formatClock } from './helpers/format';
import { LEVEL_TITLES } from './helpers/levels';
import { hrefFor, useRoute, type Route } from './state/router';
import { useCandor } from './state/context';
import { HistoryScreen } from './views/history/HistoryScreen';
import { PreviewScreen } from './views/Preview';
import { SettingsScreen } from './views/settings/SettingsScreen';
import { Wizard } from './views/Wizard';

const NAV: Array<{ route: Route; label: string }> = [
  { route: 'preview', label: 'Preview' },
  { route: 'history', label: 'History' },
  { route: 'settings', label: 'Settings' },
];

/**
 * Before anyone has chosen, the pill never says "Sharing on": it says what happens if nothing is
 * chosen, where to and when (the desktop sends nothing before the answer; headless, the default
 * goes once the first start's grace period is over).
 */
function BeforeAChoice({ status }: { status: AgentStatus }) {
  const c = status.consent;
  const now = useNow();
  if (c.paused?.reason === 'awaiting-answer') return <>Nothing is sent until you choose</>;
  const due = status.schedule.nextDueAt;
  return (
    <>
      If you do nothing, the {LEVEL_TITLES[c.level]} report goes to {collectorName(status.settings.endpoint)}
      {due ? (
        <>
          {' '}
          <time dateTime={due} title={formatAbsolute(due)}>
            {formatClock(due, now)}
          </time>
        </>
      ) : null}
    </>
  );
}

export function StatusPill({ status }: { status: AgentStatus }) {
  const c = status.consent;
  let tone = 'on';
  let text: ReactNode;
  if (c.storedChoice === null && !c.locked && c.sharing) {
    tone = 'paused';
    text = <BeforeAChoice status={status} />;
  } else if (!c.sharing) {
    tone = 'off';
    const what = c.level === 'local' ? 'Local only: nothing is sent' : 'Sharing off';
    text = c.locked ? `${what} (set in configuration)` : what;
  } else if (c.paused) {
    tone = 'paused';
    text =
      c.paused.reason === 'new-fields'
        ? 'Paused: new fields need approval'
        : c.paused.reason === 'awaiting-answer'
          ? 'Waiting for your answer'
          : 'Sharing on, first report soon';
  } else {
    text = (
      <>
        Sharing on{c.level === 'full' ? null : ` at ${LEVEL_TITLES[c.level]}`}
        {status.schedule.nextDueAt ? (
          <>
            , next report <TimeAgo at={status.schedule.nextDueAt} />
          </>
        ) : null}
      </>
    );
  }
  return (
    <p className={`pill pill-${tone}`} data-testid="status-pill">
      {c.locked ? <Icon name="lock" /> : <span className="dot" aria-hidden="true" />}
      <span>{text}</span>
    </p>
  );
}

function Announcer() {
  const announcement = useCandor((s) => s.announcement);
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
      <span key={announcement.seq}>{announcement.text}</span>
    </div>
  );
}

function LinkBanner() {
  const link = useCandor((s) => s.link);
  if (link !== 'reconnecting') return null;
  return (
    <div className="linkbar" role="status">
      <Spinner /> Lost contact with Candor; live updates are paused. Reconnecting…
    </div>
  );
}

export function App() {
  const boot = useCandor((s) => s.boot);
  const bootError = useCandor((s) => s.bootError);
  const status = useCandor((s) => s.status);
  const wizardDone = useCandor((s) => s.wizardDone);
  const init = useCandor((s) => s.init);
  const route = useRoute();
  const mainRef = useRef<HTMLElement>(null);

  const showWizard = status !== null && status.consent.storedChoice === null && !wizardDone;

  let content: ReactNode;
  if (boot === 'loading' && !status) {
    content = (
      <p className="loading boot" role="status">
        <Spinner label="Connecting to Candor…" />
      </p>
    );
  } else if (boot === 'failed' || !status) {
    content = (
      <div className="view">
        <h1 className="view-title">Candor is not answering</h1>
        <Notice tone="error" role="alert">
          <p>{bootError ?? 'The agent did not answer.'}</p>
        </Notice>
        <p>Nothing is lost: the agent keeps its schedule and history on its own. This page only shows them.</p>
        <button type="button" className="button primary" onClick={() => void init()}>
          Try again
        </button>
      </div>
    );
  } else if (showWizard) {
    content = <Wizard onDone={() => (window.location.hash = hrefFor('preview'))} />;
  } else if (route === 'history') {
    content = <HistoryScreen />;
  } else if (route === 'settings') {
    content = <SettingsScreen />;
  } else {
    content = <PreviewScreen />;
  }

  return (
    <>
      <a
        href="#main"
        className="skip-link"
        onClick={(event) => {
          event.preventDefault();
          mainRef.current?.focus();
        }}
      >
        Skip to main content
      </a>
      <header className="topbar">
        <div className="topbar-inner">
          <a className="brand" href={hrefFor('preview')} aria-label="Candor, home">
            <span className="brand-mark" aria-hidden="true" />
            Candor
          </a>
          {status && !showWizard ? (
            <nav aria-label="Main" className="nav">
              {NAV.map((item) => (
                <a key={item.route} href={hrefFor(item.route)} aria-current={route === item.route ? 'page' : undefined} className="nav-link">
                  {item.label}
                </a>
              ))}
            </nav>
          ) : null}
          {status ? <StatusPill status={status} /> : null}
        </div>
      </header>
      <LinkBanner />
      <main id="main" ref={mainRef} tabIndex={-1} className="main">
        {content}
      </main>
      <footer className="footer">
        <p>Candor{status ? ` ${status.agentVersion}` : ''}: anonymous usage statistics for your music server, shown before they leave.</p>
      </footer>
      <Announcer />
    </>
  );
}
