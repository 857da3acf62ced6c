/** Where the facts come from (each source's health), the agent's warnings, and which Candor this is. */
import type { AgentStatus, SourceHealth } from '../../../shared/api-contract';
import { Icon } from '../../components/Icon';
import { Notice } from '../../components/Notice';
import { ServerLocation } from '../../components/ServerLocation';

const SOURCE_NAMES: Record<SourceHealth['source'], string> = {
  server: 'Music server',
  'server-config': "Server's settings",
  uptime: 'Server start time',
  host: 'This machine',
  filesystems: 'Folder filesystems',
};
const STATE_TEXT: Record<SourceHealth['state'], string> = { ok: 'OK', partial: 'Partly read', failed: 'Failed', skipped: 'Not used' };

export function HealthSection({ status }: { status: AgentStatus }) {
  return (
    <section className="panel" aria-labelledby="health-title">
      <h2 id="health-title">Where the facts come from</h2>
      {status.serverLocation && status.serverLocation.basis !== 'no-server' ? <ServerLocation location={status.serverLocation} /> : null}
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
