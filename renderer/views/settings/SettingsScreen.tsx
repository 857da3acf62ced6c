/**
 * Settings, one section per concern, each in its own file: sharing and its level, sending and the
 * schedule, export for an offline machine, the music server, where the facts come from, the
 * collector's address, the anonymous ID and deletion, the local history.
 */
import { ConnectionForm } from '../../components/ConnectionForm';
import { ViewHeading } from '../../components/ViewHeading';
import { useCandor } from '../../state/context';
import { EndpointSection } from './EndpointSection';
import { ExportSection } from './ExportSection';
import { HealthSection } from './HealthSection';
import { IdentitySection } from './IdentitySection';
import { RetentionSection } from './RetentionSection';
import { SendingSection } from './SendingSection';
import { SharingSection } from './SharingSection';

export function SettingsScreen() {
  const status = useCandor((s) => s.status);
  if (!status) return null;
  return (
    <div className="view settings-view">
      <ViewHeading>Settings</ViewHeading>
      <div className="settings-grid">
        <div className="settings-col">
          <SharingSection status={status} />
          <SendingSection status={status} />
          <ExportSection status={status} />
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
