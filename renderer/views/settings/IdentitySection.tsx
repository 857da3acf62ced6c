/**
 * The anonymous ID and what the collector holds under it: reset the ID (later reports cannot be
 * linked to earlier ones), or ask the collector to delete every report of this machine (the agent
 * proves ownership with a secret only this machine holds).
 */
import { useState } from 'react';
import type { AgentStatus, DeletionOutcome } from '../../../shared/api-contract';
import { ConfirmAction } from '../../components/ConfirmAction';
import { Notice } from '../../components/Notice';
import { collectorName } from '../../helpers/format';
import { useApi, useCandor } from '../../state/context';

export function IdentitySection({ status }: { status: AgentStatus }) {
  const api = useApi();
  const reset = useCandor((s) => s.resetInstanceId);
  const announce = useCandor((s) => s.announce);
  const [deletion, setDeletion] = useState<DeletionOutcome | null>(null);

  const deleteRemote = async () => {
    setDeletion(null);
    const outcome = await api.deleteRemoteData();
    setDeletion(outcome);
    announce(outcome.message);
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
          'None yet. A random ID is made with the first report.'
        )}
      </p>
      <p className="help spaced">
        Random, made on this machine. It is not derived from your hardware, host name or server. It lets the collector count each server once.
      </p>
      {status.instanceId ? (
        <ConfirmAction
          openLabel="Reset the anonymous ID…"
          question="Make a new anonymous ID?"
          confirmLabel="Reset the ID"
          busyLabel="Resetting…"
          onConfirm={reset}
        >
          Reports from now on cannot be linked to earlier ones. Earlier reports stay at the collector until they expire (30 days), unless you delete them below.
        </ConfirmAction>
      ) : null}

      <h3 className="subhead">Your reports at the collector</h3>
      <p className="help spaced">
        Asks {collectorName(status.settings.endpoint)} to delete every report this machine sent, under this ID and earlier ones. Candor proves they are yours
        with a secret that never leaves this machine otherwise. Your history here is kept.
      </p>
      <ConfirmAction
        openLabel="Delete my data at the collector…"
        question="Delete every report of this machine at the collector?"
        confirmLabel="Delete at the collector"
        busyLabel="Asking the collector…"
        onConfirm={deleteRemote}
      >
        This cannot be undone. Sharing stays as it is: turn it off first if you want nothing more to arrive.
      </ConfirmAction>
      {deletion ? (
        <Notice tone={deletion.ok ? 'ok' : 'warn'} role="status">
          <p data-testid="deletion-result">{deletion.message}</p>
        </Notice>
      ) : null}
    </section>
  );
}
