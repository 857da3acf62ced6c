import { useId, useState, type FormEvent } from 'react';
import type { AgentStatus } from '../../../shared/api-contract';
import { Field } from '../../components/Field';
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
        <Field
          id={`${id}-days`}
          label="Keep the history of sent reports for (days)"
          lockedBy={locked}
          help="This is your own copy on this machine. The collector deletes reports after 30 days whatever you choose here."
        >
          {(control) => (
            <div className="inline">
              <input
                {...control}
                className="narrow"
                type="number"
                inputMode="numeric"
                min={1}
                max={3650}
                value={value}
                readOnly={Boolean(locked)}
                onChange={(e) => setValue(e.target.value)}
                aria-invalid={message !== null && !message.ok}
              />
              <SaveButton locked={locked} busy={busy} />
            </div>
          )}
        </Field>
      </form>
      <FormMessage message={message} />
    </section>
  );
}
