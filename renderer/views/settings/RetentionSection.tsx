import { useId, useState, type FormEvent } from 'react';
import type { AgentStatus } from '../../../shared/api-contract';
import { LockedBy } from '../../components/ConnectionForm';
import { useApi, useCandor } from '../../state/context';
import { FormMessage, SaveButton, useSave } from './form-parts';

export function RetentionSection({ status }: { status: AgentStatus }) {
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
